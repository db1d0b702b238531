package data

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ImageSource says where an image set is and how to shape it.
type ImageSource struct {
	// Path is a folder of PNG/JPEG images, a folder of CIFAR-10 batches, a
	// folder of MNIST-style IDX files, or an images .npy file.
	Path string
	// Split picks "train" or "test" files in a CIFAR-10 or IDX folder.
	Split string
	// Labels is an optional labels .npy for an images .npy.
	Labels string
	Layout NPYLayout
	Folder FolderOptions
}

// LoadImagePath reads the image set at src.Path, telling the kinds apart by
// what the path holds: a .npy file, a folder with CIFAR-10's data_batch_1.bin
// or test_batch.bin, a folder with train-/t10k- IDX files, or else a folder
// of images.
func LoadImagePath(src ImageSource) (*Images, error) {
	st, err := os.Stat(src.Path)
	if err != nil {
		return nil, err
	}
	split := src.Split
	if split == "" {
		split = "train"
	}
	if !st.IsDir() {
		if !strings.EqualFold(filepath.Ext(src.Path), ".npy") {
			return nil, fmt.Errorf("%s: not a .npy file or a folder of images", src.Path)
		}
		return LoadImagesNPY(src.Path, src.Labels, src.Layout)
	}
	has := func(name string) bool {
		return fileExists(filepath.Join(src.Path, name)) || fileExists(filepath.Join(src.Path, name+".gz"))
	}
	switch {
	case has("data_batch_1.bin") || has("test_batch.bin"):
		return LoadCIFAR10(src.Path, split)
	case has("train-images-idx3-ubyte") || has("t10k-images-idx3-ubyte"):
		return LoadImageSet("mnist", split, src.Path)
	}
	return LoadImageFolder(src.Path, src.Folder)
}
