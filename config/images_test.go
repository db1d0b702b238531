package config

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Image [data] sections: the errors name the key and its line; a named
// set's geometry is filled when not given.
func TestImageDataKeys(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"[data]\nkind = \"images\"\n", `i.toml:2: data.kind: data.kind = "images" needs data.dataset (CIFAR10 | ColouredMNIST | FashionMNIST | MNIST) or data.path`},
		{"[data]\nkind = \"images\"\ndataset = \"CELEBA\"\n", "i.toml:3: data.dataset: sdevk reads CELEBA from a folder: set data.path"},
		{"[data]\nkind = \"images\"\ndataset = \"MNIST\"\nimage_size = 32\n", "i.toml:4: data.image_size: MNIST images are 28x28, got 32"},
		{"[data]\nkind = \"images\"\ndataset = \"CIFAR10\"\nnum_channels = 1\n", "i.toml:4: data.num_channels: CIFAR10 images have 3 channel(s), got 1"},
		{"[data]\nkind = \"images\"\npath = \"x.npy\"\nimage_size = 0\n", "i.toml:4: data.image_size: must be >= 1, got 0"},
		{"[data]\nkind = \"image\"\n", `i.toml:2: data.kind: unknown data kind "image" (want gmm | npy | images |`},
		{"[data]\nkind = \"images\"\ndataset = \"MNIST\"\ncrop = 20\n", "i.toml:4: data.crop: applies to images read from data.path"},
		{"[data]\nkind = \"images\"\npath = \"d\"\nimage_size = 8\ncrop = -1\n", "i.toml:5: data.crop: must be >= 0"},
		{"[data]\nkind = \"images\"\ndataset = \"MNIST\"\nlabels = \"y.npy\"\n", "i.toml:4: data.labels: applies to images read from data.path"},
	} {
		_, err := Parse("i.toml", []byte(c.src), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("config\n%s\nerror %v, want it to contain %q", c.src, err, c.want)
		}
	}
	c, err := Parse("i.toml", []byte("[data]\nkind = \"images\"\ndataset = \"FashionMNIST\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsImages() || c.Data.ImageSize != 28 || c.Data.NumChannels != 1 {
		t.Errorf("FashionMNIST: images %v, %dx%dx%d; want 28x28x1 filled in", c.IsImages(), c.Data.ImageSize, c.Data.ImageSize, c.Data.NumChannels)
	}
	// The data set's dimension needs no images read (sampling a trained
	// model runs without the data installed).
	ds, err := c.Dataset()
	if err != nil || ds.Dim() != 784 || ds.Name() != "fashion-mnist" {
		t.Errorf("Dataset: %v, %v", ds, err)
	}
	if d := Default(); d.IsImages() || d.Data.Kind != "ncsn_toy" {
		t.Errorf("the default data is %q, want the point set ncsn_toy", d.Data.Kind)
	}
}

// ImageRange maps centered values to [0, 1] and leaves [0, 1] values.
func TestImageRange(t *testing.T) {
	c := Default()
	c.Data.Centered = true
	if got := c.ImageRange([]float64{-1, 0, 1}); got[0] != 0 || got[1] != 0.5 || got[2] != 1 {
		t.Errorf("centered: %v, want [0 0.5 1]", got)
	}
	c.Data.Centered = false
	if got := c.ImageRange([]float64{0, 0.25}); got[0] != 0 || got[1] != 0.25 {
		t.Errorf("uncentered: %v, want [0 0.25]", got)
	}
}

// A folder's images are checked against data.image_size when read.
func TestImagesChecksGeometry(t *testing.T) {
	c, err := Parse("i.toml", []byte("[data]\nkind = \"images\"\npath = \"/nonexistent/x.npy\"\nimage_size = 8\nnum_channels = 1\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Images("train"); err == nil || !strings.Contains(err.Error(), "x.npy") {
		t.Errorf("a missing .npy: %v, want an error naming it", err)
	}
	p := Default()
	if _, err := p.Images("train"); err == nil || !strings.Contains(err.Error(), "not an image data set") {
		t.Errorf("Images of point data: %v", err)
	}
}

// data.crop takes the centre of each folder image before the resize, as
// score_sde's CelebA preprocessing does.
func TestImageFolderCrop(t *testing.T) {
	dir := t.TempDir()
	img := image.NewGray(image.Rect(0, 0, 30, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 30; x++ {
			if x >= 10 && x < 20 && y >= 5 && y < 15 {
				img.SetGray(x, y, color.Gray{Y: 200}) // the centre 10x10 is bright
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.png"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("[data]\nkind = \"images\"\npath = %q\nimage_size = 5\nnum_channels = 1\ncrop = 10\n", dir)
	c, err := Parse("c.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	im, err := c.Images("train")
	if err != nil {
		t.Fatal(err)
	}
	if im.N != 1 || im.H != 5 || im.W != 5 {
		t.Fatalf("%d images of %dx%d, want one 5x5", im.N, im.H, im.W)
	}
	for i, v := range im.Pixels {
		if v != 200 {
			t.Fatalf("pixel %d is %d: the crop should keep only the bright centre", i, v)
		}
	}
}
