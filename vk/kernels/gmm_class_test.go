package kernels

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/vk"
)

// TestGMMClassScore compares the class-guided score with the float64
// reference data.GMM.ClassScoreAt, for every class of each mixture, at
// scale 1 (component k's own score) and 2.5, on batches of 1 and 77 points.
func TestGMMClassScore(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range gmmCases(t) {
		mix, err := NewGMMBuffer(l.Dev, c.g)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(mix.Free)
		d := c.g.Dim()
		for _, tm := range gmmTimes[1:5] {
			m, s := float64(float32(tm.m)), float64(float32(tm.s))
			cmin := math.Inf(1)
			for k := 0; k < c.g.K(); k++ {
				for _, lam := range c.g.Eigenvalues(k) {
					cmin = math.Min(cmin, m*m*lam+s*s)
				}
			}
			for _, b := range []int{1, 77} {
				x := gmmPoints(rng, c.g, b, m, s)
				for i := range x {
					x[i] = float64(float32(x[i]))
				}
				cond := gmmRoundingCond(c.g, x, m, s)
				xb := upload(t, l, x)
				sb := newBuf(t, l, b*d)
				for k := 0; k < c.g.K(); k++ {
					for _, scale := range []float64{1, 2.5} {
						want := make([]float64, b*d)
						c.g.ClassScoreAt(x, m, s, k, scale, want)
						run(t, l, func(seq *vk.Sequence) error {
							return l.GMMEval(seq, mix, xb, GMMOut{Score: sb, Class: &GMMClass{K: k, Scale: float32(scale)}}, b, GMMTime{M: float32(m), S: float32(s)})
						})
						// The guided score adds scale times a difference of
						// scores, each with the mixture score's error.
						gmmVecClose(t, c.name+"/"+tm.name, download(t, sb, b*d), want, d, 3e-5*(1+2*scale), 1e-5*(1+2*scale)/math.Sqrt(cmin), scaled(cond.score, 4*(1+scale)))
					}
				}
			}
		}
	}
}

func TestGMMClassOutOfRange(t *testing.T) {
	l := testLib(t)
	c := gmmCases(t)[0]
	mix, err := NewGMMBuffer(l.Dev, c.g)
	if err != nil {
		t.Fatal(err)
	}
	defer mix.Free()
	x, sb := newBuf(t, l, 2), newBuf(t, l, 2)
	seq, err := l.Dev.NewSequence(false)
	if err != nil {
		t.Fatal(err)
	}
	defer seq.Destroy()
	err = l.GMMEval(seq, mix, x, GMMOut{Score: sb, Class: &GMMClass{K: 2}}, 1, GMMTime{M: 1, S: 1})
	if err == nil || !strings.Contains(err.Error(), "class 2") {
		t.Fatalf("class 2 of a 2-component mixture: err = %v", err)
	}
}
