package main

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/data"
)

const vpConfig = "../../configs/vp_dsm.toml"

// TestSampleControlErrors: bad controllable-generation input is one line
// and exit 2.
func TestSampleControlErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.npy")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--class", "8"}, "class 8 is out of range"},
		{[]string{"--scale", "2"}, "--scale: only used with --class"},
		{[]string{"--class", "1", "--classifier", "run1"}, "--classifier"},
		{[]string{"--known", "2=1"}, "coordinate \"2\" is not one of 0..1"},
		{[]string{"--known", "0=1,1=2"}, "every coordinate is known"},
		{[]string{"--known", "0=1", "--sampler", "ode"}, "inpainting runs with pc or em"},
	} {
		args := append([]string{"sample", "--config", vpConfig, "--score", "oracle", "--n", "4", "--device", "cpu-reference", "--out", out}, tc.args...)
		code, _, errs := runCmd(t, args...)
		var lines []string
		for _, l := range strings.Split(errs, "\n") {
			if strings.HasPrefix(l, "sdevk") {
				lines = append(lines, l)
			}
		}
		if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
			t.Errorf("sdevk %s: exit %d, error lines %q; want exit 2 and one line with %q", strings.Join(tc.args, " "), code, lines, tc.want)
		}
	}
}

// TestSampleClassAndKnown: --class K gives points of component K, --known
// holds a coordinate at its value.
func TestSampleClassAndKnown(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.npy")
	mustRun(t, "sample", "--config", vpConfig, "--score", "oracle", "--n", "50", "--device", "cpu-reference", "--steps", "200", "--out", out, "--class", "3")
	pts, err := data.LoadNPY(out)
	if err != nil {
		t.Fatal(err)
	}
	x := pts.X
	g := data.EightGaussians()
	for i, a := range g.Assign(x) {
		if a != 3 {
			t.Fatalf("--class 3: point %d %v belongs to component %d", i, x[2*i:2*i+2], a)
		}
	}
	mustRun(t, "sample", "--config", vpConfig, "--score", "oracle", "--n", "50", "--device", "cpu-reference", "--steps", "200", "--out", out, "--known", "1=-0.5")
	if pts, err = data.LoadNPY(out); err != nil {
		t.Fatal(err)
	}
	x = pts.X
	for i := 0; i < 50; i++ {
		if x[2*i+1] != float64(float32(-0.5)) || math.IsNaN(x[2*i]) {
			t.Fatalf("--known 1=-0.5: point %d is %v", i, x[2*i:2*i+2])
		}
	}
}
