package sampling

import (
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// OracleScore is the exact score of a Gaussian mixture perturbed by the SDE's
// marginal at the current row's (mean coefficient, std): --score oracle.
type OracleScore struct {
	Lib *kernels.Lib
	GMM *data.GMM
	// Class, when set, guides the score (not the divergence) towards a
	// component.
	Class *ClassGuide

	mix        *kernels.GMMBuffer
	x          *vk.Buffer
	score, div *vk.Buffer
	b          int
	sched      *Schedule
}

// Bind uploads the mixture and allocates the outputs.
func (o *OracleScore) Bind(x *vk.Buffer, b, d int, sched *Schedule) error {
	var err error
	if o.mix, err = kernels.NewGMMBuffer(o.Lib.Dev, o.GMM); err != nil {
		return err
	}
	if o.score, err = o.Lib.Dev.NewBufferF32(b * d); err != nil {
		return err
	}
	if o.div, err = o.Lib.Dev.NewBufferF32(b); err != nil {
		return err
	}
	o.x, o.b, o.sched = x, b, sched
	return nil
}

func (o *OracleScore) at() kernels.GMMTime {
	return kernels.GMMTime{Coef: o.sched.Coef, State: o.sched.State, Stride: Stride, ColM: ColMean, ColS: ColStd}
}

// Record records the score.
func (o *OracleScore) Record(seq *vk.Sequence) (*vk.Buffer, error) {
	out := kernels.GMMOut{Score: o.score}
	if o.Class != nil {
		out.Class = &kernels.GMMClass{K: o.Class.K, Scale: float32(o.Class.Scale)}
	}
	return o.score, o.Lib.GMMEval(seq, o.mix, o.x, out, o.b, o.at())
}

// RecordDiv records the score and its exact divergence per point.
func (o *OracleScore) RecordDiv(seq *vk.Sequence) (score, div *vk.Buffer, err error) {
	return o.score, o.div, o.Lib.GMMEval(seq, o.mix, o.x, kernels.GMMOut{Score: o.score, Div: o.div}, o.b, o.at())
}

// Close frees the mixture and outputs.
func (o *OracleScore) Close() {
	o.mix.Free()
	o.score.Free()
	o.div.Free()
}
