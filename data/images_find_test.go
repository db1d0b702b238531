package data

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindImageSetUsesSDEVKData(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "fashion-mnist")
	os.MkdirAll(dir, 0o755)
	for _, split := range []string{"train", "t10k"} {
		writeFile(t, dir, split+"-images-idx3-ubyte.gz", gzipBytes(t, idxBytes([]int{2, 2, 2}, seq(8))))
		writeFile(t, dir, split+"-labels-idx1-ubyte", idxBytes([]int{2}, []byte{9, 3}))
	}
	t.Setenv("SDEVK_DATA", root)
	im, err := LoadImageSet("fashion-mnist", "test", "")
	if err != nil {
		t.Fatal(err)
	}
	if im.N != 2 || im.Classes[im.Labels[0]] != "Ankle boot" || !bytes.Equal(im.Pixels, seq(8)) {
		t.Fatalf("N %d labels %v", im.N, im.Labels)
	}
}

func TestFindImageSetMissingSaysHowToInstall(t *testing.T) {
	t.Setenv("SDEVK_DATA", t.TempDir())
	_, err := FindImageSet("cifar10")
	if err == nil || !strings.Contains(err.Error(), "install it with: curl") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("missing CIFAR-10: %v", err)
	}
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv("GOPATH", t.TempDir())
	t.Setenv("PATH", "") // no `go env` either
	if fileExists(filepath.Join(fashionDebian, "train-labels-idx1-ubyte.gz")) {
		t.Log("Fashion-MNIST is installed here: only MNIST's message is checked")
	} else if _, err := FindImageSet("fashion-mnist"); err == nil || !strings.Contains(err.Error(), "install it with: "+installCommand) {
		t.Fatalf("missing Fashion-MNIST: %v", err)
	}
	if _, err := FindImageSet("mnist"); err == nil || !strings.Contains(err.Error(), "install it with: "+installCommand) {
		t.Fatalf("missing MNIST: %v", err)
	}
}

// TestInstalledImageSets reads the real MNIST and Fashion-MNIST when they are
// installed (scripts/deps.sh data): sizes, shapes and class histograms.
func TestInstalledImageSets(t *testing.T) {
	// The test splits only (the training splits take seconds to inflate).
	// Fashion-MNIST is balanced, 1000 test images a class; MNIST is not.
	want := map[string]map[string]string{
		"mnist":         {"test": "[980 1135 1032 1010 982 892 958 1028 974 1009]"},
		"fashion-mnist": {"test": fmt.Sprint([]int{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000})},
	}
	for _, name := range []string{"mnist", "fashion-mnist"} {
		if _, err := FindImageSet(name); err != nil {
			t.Logf("skipping %s: %v", name, err)
			continue
		}
		for _, split := range []string{"test"} {
			im, err := LoadImageSet(name, split, "")
			if err != nil {
				t.Fatal(err)
			}
			n := 10000
			if im.N != n || im.C != 1 || im.H != 28 || im.W != 28 || len(im.Pixels) != n*784 {
				t.Fatalf("%s %s: shape (%d, %d, %d, %d)", name, split, im.N, im.C, im.H, im.W)
			}
			if h := fmt.Sprint(im.Histogram()); h != want[name][split] {
				t.Errorf("%s %s: class histogram %s, want %s", name, split, h, want[name][split])
			}
		}
	}
}

func TestLoadImagePathTellsKindsApart(t *testing.T) {
	idx := t.TempDir()
	writeFile(t, idx, "t10k-images-idx3-ubyte", idxBytes([]int{1, 2, 2}, seq(4)))
	writeFile(t, idx, "t10k-labels-idx1-ubyte", idxBytes([]int{1}, []byte{7}))
	cifar := t.TempDir()
	writeFile(t, cifar, "test_batch.bin", append([]byte{4}, seq(cifarPixels)...))
	npy := writeFile(t, t.TempDir(), "x.npy", imageNPY("|u1", "(3, 2, 2)", seq(12)))
	for _, c := range []struct {
		src  ImageSource
		n, c int
	}{
		{ImageSource{Path: idx, Split: "test"}, 1, 1},
		{ImageSource{Path: cifar, Split: "test"}, 1, 3},
		{ImageSource{Path: npy}, 3, 1},
	} {
		im, err := LoadImagePath(c.src)
		if err != nil {
			t.Fatal(err)
		}
		if im.N != c.n || im.C != c.c {
			t.Fatalf("%s: N %d C %d, want %d, %d", c.src.Path, im.N, im.C, c.n, c.c)
		}
	}
}
