package data

import (
	"image"
	"image/color"
)

// imagePlanes splits img into R, G, B planes of 0..255 levels (equal for a
// greyscale image; alpha dropped). The image types the PNG and JPEG decoders
// return most (Gray, YCbCr, NRGBA) are read directly: going through
// image.At and a colour model costs an interface call per pixel, which
// dominates reading a folder such as CelebA's 200,000 JPEGs.
func imagePlanes(img image.Image) [3]plane {
	b := img.Bounds()
	h, w := b.Dy(), b.Dx()
	var p [3]plane
	for c := range p {
		p[c] = plane{h, w, make([]float64, h*w)}
	}
	set := func(i int, r, g, bl uint8) {
		p[0].v[i], p[1].v[i], p[2].v[i] = float64(r), float64(g), float64(bl)
	}
	for y := range h {
		for x := range w {
			i, sx, sy := y*w+x, b.Min.X+x, b.Min.Y+y
			switch m := img.(type) {
			case *image.Gray:
				v := m.Pix[m.PixOffset(sx, sy)]
				set(i, v, v, v)
			case *image.YCbCr:
				r, g, bl := color.YCbCrToRGB(m.Y[m.YOffset(sx, sy)], m.Cb[m.COffset(sx, sy)], m.Cr[m.COffset(sx, sy)])
				set(i, r, g, bl)
			case *image.NRGBA:
				o := m.PixOffset(sx, sy)
				set(i, m.Pix[o], m.Pix[o+1], m.Pix[o+2])
			default:
				c := color.NRGBAModel.Convert(img.At(sx, sy)).(color.NRGBA)
				set(i, c.R, c.G, c.B)
			}
		}
	}
	return p
}
