package quality

import (
	"fmt"
	"math"
)

// ClassStats is what a classifier says about a set of images: how many it
// puts in each class (mode coverage), against target class frequencies,
// and how sure it is.
type ClassStats struct {
	// Predicted is each image's most likely class.
	Predicted []int `json:"-"`
	// Counts and Fractions per class.
	Counts    []int     `json:"counts"`
	Fractions []float64 `json:"fractions"`
	// Target holds the class frequencies to compare with (the training
	// set's); nil when none were given.
	Target []float64 `json:"target,omitempty"`
	// MaxDeviationPP is max_k |Fractions[k] - Target[k]| in percentage
	// points (0 without a target).
	MaxDeviationPP float64 `json:"max_deviation_pp"`
	// MeanConfidence is the mean over images of the largest softmax
	// probability.
	MeanConfidence float64 `json:"mean_confidence"`
}

// Classify turns logits [N, K] into ClassStats; target, unless nil, holds
// K class frequencies (counts or fractions; they are normalised).
func Classify(logits Matrix, target []float64) (*ClassStats, error) {
	if err := logits.check("logits", 1); err != nil {
		return nil, err
	}
	k := logits.D
	s := &ClassStats{Predicted: make([]int, logits.N), Counts: make([]int, k), Fractions: make([]float64, k)}
	for i := range logits.N {
		row := logits.Row(i)
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		// max softmax probability = 1 / sum_j exp(l_j - l_max)
		z := 0.0
		for _, v := range row {
			z += math.Exp(v - row[best])
		}
		s.Predicted[i] = best
		s.Counts[best]++
		s.MeanConfidence += 1 / z
	}
	s.MeanConfidence /= float64(logits.N)
	for j, c := range s.Counts {
		s.Fractions[j] = float64(c) / float64(logits.N)
	}
	if target == nil {
		return s, nil
	}
	if len(target) != k {
		return nil, fmt.Errorf("quality: %d target class frequencies for a classifier of %d classes", len(target), k)
	}
	total := 0.0
	for _, v := range target {
		if !(v >= 0) {
			return nil, fmt.Errorf("quality: negative class frequency %g", v)
		}
		total += v
	}
	if !(total > 0) {
		return nil, fmt.Errorf("quality: the target class frequencies sum to %g", total)
	}
	s.Target = make([]float64, k)
	for j, v := range target {
		s.Target[j] = v / total
		s.MaxDeviationPP = max(s.MaxDeviationPP, 100*math.Abs(s.Fractions[j]-s.Target[j]))
	}
	return s, nil
}
