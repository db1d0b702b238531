package sampling

import (
	"fmt"

	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// known holds a conditional run's data on the device: inpainting's known
// values and mask (one per element of the batch), or colourisation's grey
// level per pixel (grey, with hw pixels per image).
type known struct {
	value, mask *vk.Buffer
	grey        *vk.Buffer
	hw          int
}

func (k *known) close() {
	if k != nil {
		for _, b := range []*vk.Buffer{k.value, k.mask, k.grey} {
			if b != nil {
				b.Free()
			}
		}
	}
}

// checkInpaint says whether r can run its constraint: pc or em with a
// predictor (sde.PCInpaint), and a constraint that fits the batch.
func checkInpaint(r Request) error {
	if r.Known == nil {
		return nil
	}
	what := "inpainting"
	switch r.Known.(type) {
	case sde.Grey, *sde.Grey:
		what = "colourisation"
	}
	if r.Method != PC && r.Method != EM {
		return requestErrorf("%s runs with pc or em, not %s", what, r.Method)
	}
	if r.PC.Predictor == sde.PredictorNone {
		return requestErrorf("%s takes a predictor", what)
	}
	if err := r.Known.Check(r.N, r.Dim); err != nil {
		return requestErrorf("%v", err)
	}
	return nil
}

// SetKnown makes p inpaint (an sde.Known) or colourise (an sde.Grey): the
// constrained part is set to the data after the prior draw and at the end,
// and replaced by the forward-perturbed data after every corrector and
// predictor step (sde.PCInpaint is the reference).
func (p *PCSampler) SetKnown(c sde.Constraint) error {
	if err := c.Check(p.B, p.D); err != nil {
		return err
	}
	if p.record != nil || p.opts.Predictor == sde.PredictorNone {
		return fmt.Errorf("sampling: inpainting and colourisation take a predictor")
	}
	kb := &known{}
	p.known = kb // freed by Close, also when an upload fails
	switch c := c.(type) {
	case sde.Known:
		return p.setKnownValues(kb, c)
	case *sde.Known:
		return p.setKnownValues(kb, *c)
	case sde.Grey:
		return p.setGrey(kb, c)
	case *sde.Grey:
		return p.setGrey(kb, *c)
	}
	return fmt.Errorf("sampling: constraint %T is not run on the device", c)
}

// setKnownValues uploads k's values and mask, one per element of the batch
// (a shared row is repeated for every point).
func (p *PCSampler) setKnownValues(kb *known, k sde.Known) error {
	n := p.B * p.D
	mask, value := make([]float32, n), make([]float32, n)
	for i := range mask {
		if k.Mask[i%len(k.Mask)] {
			mask[i], value[i] = 1, float32(k.Value[i%len(k.Value)])
		}
	}
	var err error
	if kb.value, err = p.upload(value); err != nil {
		return err
	}
	kb.mask, err = p.upload(mask)
	return err
}

// setGrey uploads g's grey levels.
func (p *PCSampler) setGrey(kb *known, g sde.Grey) error {
	level := make([]float32, len(g.Level))
	for i, v := range g.Level {
		level[i] = float32(v)
	}
	kb.hw = g.HW
	var err error
	kb.grey, err = p.upload(level)
	return err
}

// upload returns a new device buffer holding v.
func (p *PCSampler) upload(v []float32) (*vk.Buffer, error) {
	b, err := p.Lib.Dev.NewBufferF32(len(v))
	if err != nil {
		return nil, err
	}
	if err := b.Upload(v); err != nil {
		b.Free()
		return nil, err
	}
	return b, nil
}

// recordReplace records the replacement with (m, s) at this step's row and
// noise from stream, or with the constants (1, 0) (the data itself) when
// exact is set.
func (p *PCSampler) recordReplace(seq *vk.Sequence, exact bool, stream uint32) error {
	if p.known == nil {
		return nil
	}
	c := kernels.Coef{Buf: p.Sched.Coef, Col: ColMean, Stride: Stride}
	if exact {
		c = kernels.Coef{Buf: p.Sched.Coef, Col: p.Sched.unit}
	}
	if p.known.grey != nil {
		return p.Lib.ReplaceGrey(seq, p.X, p.B, p.known.hw, p.known.grey, c, p.Sched.State, stream)
	}
	return p.Lib.ReplaceKnown(seq, p.X, p.B, p.D, p.known.value, p.known.mask, c, p.Sched.State, stream)
}

// Close frees the sampler and the known values.
func (p *PCSampler) Close() {
	p.known.close()
	p.Sampler.Close()
}
