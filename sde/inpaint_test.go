package sde

import (
	"strings"
	"testing"
)

func TestParseKnown(t *testing.T) {
	k, err := ParseKnown(" 0=1.5, 3=-2", 5)
	if err != nil {
		t.Fatal(err)
	}
	if !k.Mask[0] || !k.Mask[3] || k.Mask[1] || k.Value[0] != 1.5 || k.Value[3] != -2 {
		t.Fatalf("ParseKnown = %+v", k)
	}
	x := []float64{9, 9, 9, 9, 9, 8, 8, 8, 8, 8}
	k.Replace(x, 0.5, 2, []float64{1, 1, 1, 1, 1, 3, 3, 3, 3, 3})
	want := []float64{2.75, 9, 9, 1, 9, 6.75, 8, 8, 5, 8}
	for i := range x {
		if x[i] != want[i] {
			t.Fatalf("Replace = %v, want %v", x, want)
		}
	}
	for spec, msg := range map[string]string{"0": "not coordinate=value", "5=1": "not one of 0..4",
		"1=inf": "not a finite number", "1=1,1=2": "given twice", "0=1,1=1,2=1,3=1,4=1": "nothing to sample"} {
		if _, err := ParseKnown(spec, 5); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseKnown(%q): err = %v, want %q", spec, err, msg)
		}
	}
}
