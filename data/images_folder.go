package data

import (
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers JPEG with image.Decode
	_ "image/png"  // registers PNG with image.Decode
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// FolderOptions shapes the images of a folder.
type FolderOptions struct {
	// Size, when > 0, makes every image Size x Size. Without Crop, the
	// shorter side is resized to Size and the centre Size x Size kept (as
	// score_sde does for LSUN); with Crop, see Crop. With Size 0 every image
	// must already have the same size.
	Size int
	// Crop, when > 0, first keeps the centre Crop x Crop window of each
	// image, then resizes it to Size (when Size > 0): score_sde's CelebA
	// preprocessing is Crop 140.
	Crop int
}

// LoadImageFolder reads the PNG and JPEG images under dir. When dir has
// sub-folders, each is a class named after it (sorted by name), holding the
// images under it at any depth; otherwise the images directly in dir form
// an unlabelled set. Images are in (N, C, H, W) with C = 1 when every image
// is greyscale, else 3 (greyscale images repeated, alpha dropped). Files of
// other types are skipped. Resizing is by area averaging (images_resize.go).
func LoadImageFolder(dir string, opt FolderOptions) (*Images, error) {
	if opt.Size < 0 || opt.Crop < 0 {
		return nil, fmt.Errorf("%s: image size %d and crop %d must be >= 0", dir, opt.Size, opt.Crop)
	}
	files, labels, classes, err := listImageFolder(dir)
	if err != nil {
		return nil, err
	}
	decoded := make([]*decodedImage, len(files))
	errs := make([]error, len(files))
	parallelFor(len(files), 8, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			decoded[i], errs[i] = decodeImageFile(files[i], opt)
		}
	})
	if err := firstError(errs); err != nil {
		return nil, err
	}
	first := decoded[0]
	gray := true
	for i, d := range decoded {
		if d.h != first.h || d.w != first.w {
			return nil, fmt.Errorf("%s: image %d is %dx%d, but %s is %dx%d: give an image size to resize them", files[i], i, d.w, d.h, files[0], first.w, first.h)
		}
		gray = gray && d.gray
	}
	im := &Images{N: len(files), C: 3, H: first.h, W: first.w, Labels: labels, Classes: classes}
	if gray {
		im.C = 1
	}
	im.Pixels = make([]uint8, 0, im.N*im.Dim())
	for _, d := range decoded {
		for _, p := range d.planes[:im.C] {
			for _, v := range p.v {
				im.Pixels = append(im.Pixels, uint8(math.Round(min(max(v, 0), 255))))
			}
		}
	}
	return im, nil
}

func firstError(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func isImageFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return !strings.HasPrefix(name, ".")
	}
	return false
}

// listImageFolder finds dir's image files, in sorted order, with their
// labels and class names (nil when dir has no class sub-folders).
func listImageFolder(dir string) ([]string, []int, []string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	var top, classes []string
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case e.IsDir():
			classes = append(classes, e.Name())
		case isImageFile(e.Name()):
			top = append(top, filepath.Join(dir, e.Name()))
		}
	}
	if len(classes) == 0 {
		if len(top) == 0 {
			return nil, nil, nil, fmt.Errorf("%s: no PNG or JPEG images in it", dir)
		}
		return top, nil, nil, nil
	}
	if len(top) > 0 {
		return nil, nil, nil, fmt.Errorf("%s: has both images (%s) and class sub-folders (%s): put every image in a class folder", dir, filepath.Base(top[0]), classes[0])
	}
	var files []string
	var labels []int
	for c, name := range classes {
		err := filepath.WalkDir(filepath.Join(dir, name), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && isImageFile(d.Name()) {
				files = append(files, p)
				labels = append(labels, c)
			}
			return nil
		})
		if err != nil {
			return nil, nil, nil, err
		}
	}
	if len(files) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: no PNG or JPEG images in its class folders", dir)
	}
	return files, labels, slices.Clone(classes), nil
}

// decodedImage is one image after cropping and resizing, as three float
// planes (R, G, B; equal when the source is greyscale).
type decodedImage struct {
	h, w   int
	gray   bool
	planes [3]plane
}

// decodeImageFile decodes, crops and resizes one file; errors name it.
func decodeImageFile(path string, opt FolderOptions) (*decodedImage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, format, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: does not decode as PNG or JPEG: %v", path, err)
	}
	b := img.Bounds()
	h, w := b.Dy(), b.Dx()
	d := &decodedImage{gray: img.ColorModel() == color.GrayModel || img.ColorModel() == color.Gray16Model}
	d.planes = imagePlanes(img)
	if opt.Crop > 0 {
		if h < opt.Crop || w < opt.Crop {
			return nil, fmt.Errorf("%s: %s image is %dx%d, smaller than the %dx%d crop", path, format, w, h, opt.Crop, opt.Crop)
		}
		h, w = opt.Crop, opt.Crop
		for c := range d.planes {
			d.planes[c] = d.planes[c].centreCrop(h, w)
		}
	}
	if opt.Size > 0 {
		rh, rw := resizeShorterSide(h, w, opt.Size)
		for c := range d.planes {
			d.planes[c] = d.planes[c].resize(rh, rw).centreCrop(opt.Size, opt.Size)
		}
		h, w = opt.Size, opt.Size
	}
	d.h, d.w = h, w
	return d, nil
}
