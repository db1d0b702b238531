package main

import (
	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
)

// dataImages reads the images a command's --data names: "test" or "train",
// the split of the config's image set (data.dataset, or data.path), or a
// path that data.LoadImagePath reads (an images .npy, a folder, IDX or
// CIFAR-10 files; its test split for a folder of splits).
func dataImages(c *config.Config, spec string) (*data.Images, error) {
	var im *data.Images
	var err error
	switch {
	case (spec == "test" || spec == "train") && c.IsImages():
		im, err = c.Images(spec)
	case spec == "test" || spec == "train":
		// A config from before data.kind = "images" that names its set.
		name := c.ImageSetName()
		if name == "" {
			return nil, usagef("--data %s: the config's data set %q is not one sdevk reads by name; give an images .npy or a folder", spec, c.Data.Dataset)
		}
		im, err = data.LoadImageSet(name, spec, c.Data.Path)
	default:
		im, err = data.LoadImagePath(data.ImageSource{Path: spec, Split: "test", Folder: data.FolderOptions{Size: c.Data.ImageSize}})
	}
	if err != nil {
		return nil, usagef("--data %s: %v", spec, err)
	}
	return im, nil
}
