package sampling

import (
	"fmt"

	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// known holds an inpainting request's known values and mask on the device.
type known struct {
	value, mask *vk.Buffer
}

func (k *known) close() {
	if k != nil {
		k.value.Free()
		k.mask.Free()
	}
}

// checkInpaint says whether r can inpaint: pc or em with a predictor
// (sde.PCInpaint), and known coordinates that fit the data.
func checkInpaint(r Request) error {
	if r.Known == nil {
		return nil
	}
	if r.Method != PC && r.Method != EM {
		return requestErrorf("inpainting runs with pc or em, not %s", r.Method)
	}
	if r.PC.Predictor == sde.PredictorNone {
		return requestErrorf("inpainting takes a predictor")
	}
	if err := r.Known.Check(r.Dim); err != nil {
		return requestErrorf("%v", err)
	}
	return nil
}

// SetKnown makes p inpaint: the known coordinates are set to the data after
// the prior draw and at the end, and replaced by the forward-perturbed data
// after every corrector and predictor step (sde.PCInpaint is the reference).
func (p *PCSampler) SetKnown(k sde.Known) error {
	if err := k.Check(p.D); err != nil {
		return err
	}
	if p.record != nil || p.opts.Predictor == sde.PredictorNone {
		return fmt.Errorf("sampling: inpainting takes a predictor")
	}
	mask := make([]float32, p.D)
	value := make([]float32, p.D)
	for j, m := range k.Mask {
		if m {
			mask[j], value[j] = 1, float32(k.Value[j])
		}
	}
	var kb known
	var err error
	if kb.value, err = p.Lib.Dev.NewBufferF32(p.D); err != nil {
		return err
	}
	if kb.mask, err = p.Lib.Dev.NewBufferF32(p.D); err != nil {
		kb.value.Free()
		return err
	}
	p.known = &kb
	if err := kb.value.Upload(value); err != nil {
		return err
	}
	return kb.mask.Upload(mask)
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
	return p.Lib.ReplaceKnown(seq, p.X, p.B, p.D, p.known.value, p.known.mask, c, p.Sched.State, stream)
}

// Close frees the sampler and the known values.
func (p *PCSampler) Close() {
	p.known.close()
	p.Sampler.Close()
}
