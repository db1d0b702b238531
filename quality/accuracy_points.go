package quality

import (
	"fmt"

	"github.com/sdevk/sdevk/sde"
)

// PointAccuracyVsTime is AccuracyVsTime for a point classifier: the n
// points x0 (n*D values) with their labels (a Gaussian mixture's
// components), perturbed by s to each of times with one noise draw.
func PointAccuracyVsTime(e *Extractor, s sde.SDE, x0 []float64, labels []int, times []float64, seed uint64) ([]TimeAccuracy, error) {
	if !e.Net.IsPoints() {
		return nil, fmt.Errorf("quality: the classifier takes %s, not points", e.Net.Config().Input())
	}
	d, k := e.Net.Dim(), e.Net.Config().NumClasses
	if len(labels) < 1 || len(x0) != len(labels)*d {
		return nil, fmt.Errorf("quality: %d values for %d labelled %d-D points", len(x0), len(labels), d)
	}
	for i, y := range labels {
		if y < 0 || y >= k {
			return nil, fmt.Errorf("quality: label %d of point %d is outside the classifier's %d classes", y, i, k)
		}
	}
	x := make([]float32, len(x0))
	for i, v := range x0 {
		x[i] = float32(v)
	}
	return accuracyVsTime(e, s, x, len(labels), labels, times, seed)
}
