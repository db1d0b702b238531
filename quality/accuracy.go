package quality

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde"
)

// TimeAccuracy is a classifier's accuracy on images perturbed to time T.
type TimeAccuracy struct {
	T        float64 `json:"t"`
	Accuracy float64 `json:"accuracy"`
}

// AccuracyVsTime measures a noise-conditional classifier on the labelled
// images im perturbed by s to each of times: x_t = mean(t) x0 + std(t) z,
// with x0 in the classifier's range (level / 255, centred when its config
// says so) and the same noise z, drawn from seed, at every t. At t near 0
// it is the clean accuracy; near T it falls to chance.
func AccuracyVsTime(e *Extractor, s sde.SDE, im *data.Images, times []float64, seed uint64) ([]TimeAccuracy, error) {
	if im == nil || im.Labels == nil || im.N < 1 {
		return nil, fmt.Errorf("quality: accuracy against t needs labelled images")
	}
	if err := checkImageShape(e.Net, "labelled", im); err != nil {
		return nil, err
	}
	if k := e.Net.Config().NumClasses; len(im.Classes) != k {
		return nil, fmt.Errorf("quality: the images have %d classes, the classifier %d", len(im.Classes), k)
	}
	x0 := Unit(im.Pixels)
	if e.Net.Config().Centered {
		for i, v := range x0 {
			x0[i] = 2*v - 1
		}
	}
	return accuracyVsTime(e, s, x0, im.N, im.Labels, times, seed)
}

// accuracyVsTime measures e on the n inputs x0 (in the classifier's range)
// with their labels, perturbed by s to each of times with one noise draw.
func accuracyVsTime(e *Extractor, s sde.SDE, x0 []float32, n int, labels []int, times []float64, seed uint64) ([]TimeAccuracy, error) {
	r := rand.New(rand.NewPCG(seed, 0x74696d65)) // "time"
	z := make([]float32, len(x0))
	for i := range z {
		z[i] = float32(r.NormFloat64())
	}
	out := make([]TimeAccuracy, len(times))
	xt := make([]float32, len(x0))
	for k, t := range times {
		if !(t >= 0 && t <= s.T()) {
			return nil, fmt.Errorf("quality: time %g outside [0, %g]", t, s.T())
		}
		mean, std := s.Marginal(t)
		for i, v := range x0 {
			xt[i] = float32(mean)*v + float32(std)*z[i]
		}
		res, err := e.extract(xt, n, t, true)
		if err != nil {
			return nil, err
		}
		out[k] = TimeAccuracy{T: t, Accuracy: accuracy(res.Logits, labels)}
	}
	return out, nil
}
