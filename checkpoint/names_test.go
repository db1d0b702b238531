package checkpoint

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestWeightsPicksEMAThenValue(t *testing.T) {
	c := trainingCheckpoint()
	params := []Param{{"a", []int{2}}, {"frozen", []int{1}}}
	for _, tc := range []struct {
		ema  bool
		want []float32
	}{{true, []float32{1.5, 2.5}}, {false, []float32{1, 2}}} {
		w, err := c.Weights(params, tc.ema)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(w["a"], tc.want) || !slices.Equal(w["frozen"], []float32{9}) {
			t.Errorf("ema %v: %v", tc.ema, w)
		}
	}
	if _, err := c.Weights([]Param{{"b", []int{2}}}, true); err == nil || !strings.Contains(err.Error(), "no tensor for parameter b") {
		t.Errorf("missing parameter: %v", err)
	}
	if _, err := c.Weights([]Param{{"a", []int{3}}}, true); err == nil || !strings.Contains(err.Error(), "a has shape [2], the model wants [3]") {
		t.Errorf("misshaped parameter: %v", err)
	}
}

func TestWordsRoundTrip(t *testing.T) {
	// NaN patterns and denormals included: the words travel bit for bit.
	words := []uint32{0, 1, 42, math.Float32bits(float32(math.NaN())), 0x7fc00001, 0xffffffff}
	tn := WordsTensor(words)
	if !slices.Equal(tn.Shape, []int{len(words)}) || !slices.Equal(tn.Words(), words) {
		t.Errorf("words %v came back as %v (shape %v)", words, tn.Words(), tn.Shape)
	}
}
