package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// TestGemmBiasAct compares the fused Dense layer with its float64 reference
// for every epilogue activation, with beta 0 and 1, on shapes that are not
// multiples of the tile (scalar loads, vec4 loads with clamped edges, N = 2
// as in an MLP's output layer), with storage-buffer loads and, for the vec4
// cases, texel loads.
func TestGemmBiasAct(t *testing.T) {
	l := testLib(t)
	if !l.GemmEpilogue() {
		t.Skipf("%s's SGEMM (%v) has no epilogue", l.Dev.Info.Name, l.Tuning.GemmAuto)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	shapes := [][3]int{{7, 5, 3}, {33, 17, 65}, {130, 70, 9}, {132, 72, 12}, {150, 2, 132}, {61, 132, 130}}
	texels := l.Tuning.GemmTexels
	defer func() { l.Tuning.GemmTexels = texels }()
	// Each activation on one shape and transposition; SiLU (the MLPs')
	// on a vec4 shape in all four.
	type epCase struct {
		act   UnaryOp
		shape [3]int
		tr    [2]bool
	}
	var cases []epCase
	for i, act := range EpilogueActs {
		cases = append(cases, epCase{act, shapes[i%len(shapes)], transposes[i%len(transposes)]})
	}
	for _, tr := range transposes {
		cases = append(cases, epCase{SiLU, [3]int{132, 72, 12}, tr})
	}
	c0 := 0
	for _, tex := range []bool{false, true} {
		l.Tuning.GemmTexels = tex
		for i, c := range cases {
			if tex && i < len(EpilogueActs) {
				continue // texel loads: the vec4 cases
			}
			act, tr := c.act, c.tr
			m, n, k := c.shape[0], c.shape[1], c.shape[2]
			a, b, bias, c := randn(rng, m*k, 1, 0), randn(rng, k*n, 1, 0), randn(rng, n, 1, 0), randn(rng, m*n, 1, 0)
			beta := float64(c0 % 2) // accumulating into C, or overwriting it
			c0++
			want := GemmBiasActRef(tr[0], tr[1], m, n, k, a, b, bias, beta, c, act, 0.7)
			ab, bb, biasb, cb := upload(t, l, a), upload(t, l, b), upload(t, l, bias), upload(t, l, c)
			run(t, l, func(seq *vk.Sequence) error {
				return l.GemmBiasAct(seq, tr[0], tr[1], m, n, k, ab, bb, biasb, float32(beta), cb, act, 0.7)
			})
			tol := 1e-5 * math.Sqrt(float64(k)+1)
			name := fmt.Sprintf("%v texels %v tA=%v tB=%v %dx%dx%d beta %g", act, tex, tr[0], tr[1], m, n, k, beta)
			vktest.Close(t, name, download(t, cb, m*n), want, tol, tol)
		}
	}
}

// TestGemmBiasActRefuses checks the epilogue's errors: a tile without one,
// an activation it does not apply, and a short bias.
func TestGemmBiasActRefuses(t *testing.T) {
	l := testLib(t)
	bufs := make([]*vk.Buffer, 4)
	for i := range bufs {
		bufs[i] = upload(t, l, make([]float64, 16))
	}
	tiled, err := l.GemmTileFor(GemmTiled)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := l.GemmTileFor(GemmReg)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		tile GemmTile
		n    int
		ep   gemmEpilogue
	}{
		{"tiled", tiled, 4, gemmEpilogue{bias: bufs[2], act: SiLU}},
		{"exp", reg, 4, gemmEpilogue{bias: bufs[2], act: Exp}},
		{"short bias", reg, 32, gemmEpilogue{bias: bufs[2], act: SiLU}},
		{"no bias", reg, 4, gemmEpilogue{act: SiLU}},
	}
	for _, c := range cases {
		seq, err := l.Dev.NewSequence(false)
		if err != nil {
			t.Fatal(err)
		}
		if err := seq.Begin(); err != nil {
			t.Fatal(err)
		}
		err = l.gemm(seq, c.tile, false, false, 1, c.n, 1, 1, bufs[0], bufs[1], 0, bufs[3], 1, 0, 0, 0, &c.ep)
		seq.Destroy()
		if err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}
