package main

import (
	"github.com/sdevk/sdevk/sde/sampling"
)

// openControlView opens the viewer of an inpaint or colorize run with
// --view (nil without): one row per input, the input and what the model is
// given beside its samples as they evolve, the layout of the PNG grid.
func openControlView(cmd string, f imageControlFlags, job sampling.ImageControl, r sampling.Request) (*viewSession, error) {
	if !f.view {
		return nil, nil
	}
	if f.device == sampling.ReferenceDevice {
		return nil, usagef("--view: the viewer draws from a Vulkan device, not %s", sampling.ReferenceDevice)
	}
	im := sampling.Images{C: job.C, H: job.H, W: job.W, Centered: job.Centered}
	vs, err := openImageView("sdevk "+cmd+": "+f.checkpoint, f.device, viewerImages(im))
	if err != nil {
		return nil, err
	}
	vs.frame.Label = r.Describe()
	if err := vs.setPanels(controlPanels(job), job.N(), job.PerImage); err != nil {
		vs.close()
		return nil, err
	}
	return vs, nil
}

// controlPanels is each input followed by what the model is given, in the
// model's range (the range the viewer shows the samples in).
func controlPanels(job sampling.ImageControl) []float32 {
	d := job.Dim()
	given := job.Conditioning()
	out := make([]float32, 0, 2*len(given))
	for i := 0; i < job.N(); i++ {
		for _, v := range job.Images[i*d : (i+1)*d] {
			out = append(out, float32(v))
		}
		out = append(out, given[i*d:(i+1)*d]...)
	}
	if job.Centered {
		for i, v := range out {
			out[i] = 2*v - 1
		}
	}
	return out
}

// showResults puts the results as written (in [0, 1]: clipped, or brought
// towards grey) in the held frame's sample panels, in place of the
// sampler's last state. Nothing without a viewer.
func (v *viewSession) showResults(res []float32, centered bool) error {
	if v == nil || v.closed || v.panels == nil {
		return nil
	}
	x := make([]float32, len(res))
	for i, r := range res {
		if centered {
			r = 2*r - 1
		}
		x[i] = r
	}
	// Through a device copy, not a host write into the frame's buffer: the
	// last frame may still be drawing from it.
	buf, err := v.dev.NewBufferF32(len(x))
	if err != nil {
		return err
	}
	defer buf.Free()
	if err := buf.Upload(x); err != nil {
		return err
	}
	return v.panels.place(buf, v.last, v.frame.D)
}
