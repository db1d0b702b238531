package main

import (
	"fmt"

	"github.com/sdevk/sdevk/vk"
)

// panels lays an image run out in rows of fixed images (an input, what the
// model was given) followed by that input's samples, as the PNG grid of
// inpaint and colorize does. The fixed images are uploaded once; each frame
// copies the samples into their places on the device.
type panels struct {
	rows, fixed, samples int // fixed and samples: images per row
	copy                 *vk.Sequence
}

func (p *panels) images() int { return p.rows * (p.fixed + p.samples) }

// setPanels shows the samples in rows of fixed images then per samples:
// row i holds fixed's images i*k .. (i+1)*k-1 (k per row, values in the
// model's range) and samples i*per .. (i+1)*per-1.
func (v *viewSession) setPanels(fixed []float32, rows, per int) error {
	im := v.frame.Image
	d := im.C * im.H * im.W
	if rows < 1 || per < 1 || len(fixed)%(rows*d) != 0 {
		return fmt.Errorf("viewer panels: %d values for %d rows of %d-value images", len(fixed), rows, d)
	}
	k := len(fixed) / (rows * d)
	grid := make([]float32, 0, rows*(k+per)*d)
	for i := 0; i < rows; i++ {
		grid = append(grid, fixed[i*k*d:(i+1)*k*d]...)
		grid = append(grid, make([]float32, per*d)...)
	}
	last, err := v.dev.NewBufferF32(len(grid))
	if err != nil {
		return err
	}
	v.last.Free()
	v.last = last
	if err := v.last.Upload(grid); err != nil {
		return err
	}
	seq, err := v.dev.NewSequence(false)
	if err != nil {
		return err
	}
	v.panels = &panels{rows: rows, fixed: k, samples: per, copy: seq}
	im.Cols = k + per
	v.frame.Points, v.frame.N, v.frame.D = v.last, v.panels.images(), d
	return nil
}

// place copies the samples x (rows*samples images of d values) into their
// places in grid, and waits: the sampler's next chunk overwrites x.
func (p *panels) place(x, grid *vk.Buffer, d int) error {
	row := uint64(p.samples * d * 4)
	ranges := make([]vk.CopyRange, p.rows)
	for i := range ranges {
		dst := uint64(i*(p.fixed+p.samples)+p.fixed) * uint64(d*4)
		ranges[i] = vk.CopyRange{SrcOff: uint64(i) * row, DstOff: dst, Size: row}
	}
	if err := p.copy.Begin(); err != nil {
		return err
	}
	if err := p.copy.CopyRanges(grid, x, ranges); err != nil {
		return err
	}
	if err := p.copy.End(); err != nil {
		return err
	}
	return p.copy.Submit()
}
