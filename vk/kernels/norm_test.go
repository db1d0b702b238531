package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// TestGroupNorm checks the forward and both backward paths against the
// float64 reference in each grid (Tuning.Norm): a workgroup per (sample,
// group) with a shared-memory tree (GPUs), few narrow workgroups that loop
// over the pairs, and those reducing with subgroupAdd (lavapipe's default).
func TestGroupNorm(t *testing.T) {
	l := testLib(t)
	type variant struct {
		norm     Chunking
		subgroup bool
	}
	for _, v := range []variant{{Chunking{}, false}, {Chunking{Groups: 3, Local: 4}, false}, {Chunking{Groups: 3, Local: 8}, true}} {
		l.Tuning.Norm, l.Tuning.NormSubgroup = v.norm, v.subgroup
		t.Run(fmt.Sprintf("%+v/subgroup=%v", v.norm, v.subgroup), func(t *testing.T) { testGroupNorm(t, l) })
	}
}

func testGroupNorm(t *testing.T, l *Lib) {
	rng := rand.New(rand.NewPCG(11, 12))
	// The last two have whole vec4s per group (1, 8, 130, 4: without the
	// affine map) and per channel (2, 6, 12, 3).
	for _, s := range [][4]int{{2, 3, 25, 1}, {2, 4, 49, 2}, {3, 6, 7, 3}, {2, 4, 1, 4}, {1, 8, 130, 4}, {2, 6, 12, 3}} {
		n, c, hw, groups := s[0], s[1], s[2], s[3]
		const eps = 1e-5
		size := n * c * hw
		x, gy := randn(rng, size, 2, 0.5), randn(rng, size, 1, 0)
		gamma, beta := randn(rng, c, 1, 1), randn(rng, c, 1, 0)
		for _, affine := range []bool{true, false} {
			g, b := gamma, beta
			if !affine {
				g, b = nil, nil
			}
			wy, wm, wr := ref.GroupNorm(x, g, b, ref.GroupNormShape{N: n, C: c, HW: hw, Groups: groups, Eps: eps})
			wdx, wdg, wdb := ref.GroupNormGrad(x, gy, g, ref.GroupNormShape{N: n, C: c, HW: hw, Groups: groups, Eps: eps})
			xb, gyb := upload(t, l, x), upload(t, l, gy)
			var gb, bb *vk.Buffer
			if affine {
				gb, bb = upload(t, l, gamma), upload(t, l, beta)
			}
			yb, mb, rb := newBuf(t, l, size), newBuf(t, l, n*groups), newBuf(t, l, n*groups)
			dx1, dx2, dgb, dbb := newBuf(t, l, size), newBuf(t, l, size), newBuf(t, l, c), newBuf(t, l, c)
			run(t, l, func(seq *vk.Sequence) error {
				if err := l.GroupNorm(seq, xb, gb, bb, yb, mb, rb, n, c, hw, groups, eps); err != nil {
					return err
				}
				if err := l.GroupNormBackward(seq, xb, gyb, gb, mb, rb, dx1, dgb, dbb, n, c, hw, groups, eps); err != nil {
					return err
				}
				// without saved statistics (graph.GroupNormGrad)
				return l.GroupNormBackward(seq, xb, gyb, gb, nil, nil, dx2, nil, nil, n, c, hw, groups, eps)
			})
			vktest.Close(t, "groupnorm y", download(t, yb, size), wy, 1e-4, 1e-5)
			vktest.Close(t, "groupnorm mean", download(t, mb, n*groups), wm, 1e-5, 1e-6)
			vktest.Close(t, "groupnorm rstd", download(t, rb, n*groups), wr, 1e-4, 1e-6)
			vktest.Close(t, "groupnorm dx", download(t, dx1, size), wdx, 1e-3, 1e-4)
			vktest.Close(t, "groupnorm dx (recomputed stats)", download(t, dx2, size), wdx, 1e-3, 1e-4)
			vktest.Close(t, "groupnorm dgamma", download(t, dgb, c), wdg, 1e-4, 1e-4)
			vktest.Close(t, "groupnorm dbeta", download(t, dbb, c), wdb, 1e-4, 1e-4)

			// Deterministic: a second run gives the same bits.
			first := download(t, dgb, c)
			firstDx := download(t, dx1, size)
			run(t, l, func(seq *vk.Sequence) error {
				return l.GroupNormBackward(seq, xb, gyb, gb, mb, rb, dx1, dgb, dbb, n, c, hw, groups, eps)
			})
			again, againDx := download(t, dgb, c), download(t, dx1, size)
			for i := range first {
				if first[i] != again[i] {
					t.Fatalf("dgamma[%d] differs between runs: %g, %g", i, first[i], again[i])
				}
			}
			for i := range firstDx {
				if firstDx[i] != againDx[i] {
					t.Fatalf("dx[%d] differs between runs", i)
				}
			}
		}
	}
	// The forward with an activation in the same pass (GroupNormAct), with
	// and without the affine map.
	for i, a := range []struct {
		act   UnaryOp
		gamma float64
	}{{SiLU, 0}, {ELU, 0.3}, {ReLU, 0}, {SiLU, 0}} {
		n, c, hw, groups := 3, 6, 13+3*(i/3), 3 // the last one in vec4s
		size := n * c * hw
		x, gamma, beta := randn(rng, size, 2, 0.5), randn(rng, c, 1, 1), randn(rng, c, 1, 0)
		g, b := gamma, beta
		if i == 2 {
			g, b = nil, nil
		}
		wy, _, _ := ref.GroupNorm(x, g, b, ref.GroupNormShape{N: n, C: c, HW: hw, Groups: groups, Eps: 1e-5})
		want := UnaryRef(a.act, wy, 1, 0, a.gamma)
		xb, yb := upload(t, l, x), newBuf(t, l, size)
		var gb, bb *vk.Buffer
		if g != nil {
			gb, bb = upload(t, l, gamma), upload(t, l, beta)
		}
		run(t, l, func(seq *vk.Sequence) error {
			return l.GroupNormAct(seq, xb, gb, bb, yb, nil, nil, n, c, hw, groups, 1e-5, a.act, float32(a.gamma))
		})
		vktest.Close(t, fmt.Sprintf("groupnorm + activation %d", a.act), download(t, yb, size), want, 1e-4, 1e-5)
	}
	run(t, l, func(seq *vk.Sequence) error {
		b := newBuf(t, l, 64)
		if err := l.GroupNormAct(seq, b, nil, nil, b, nil, nil, 1, 4, 4, 2, 1e-5, Log, 0); err == nil {
			t.Error("log was accepted as an activation")
		}
		if err := l.GroupNorm(seq, b, nil, nil, b, nil, nil, 1, 6, 4, 4, 1e-5); err == nil {
			t.Error("4 groups of 6 channels were accepted")
		}
		return nil
	})
}

// TestGroupNormLoopLimit: on a loop-limited device, a grid of one narrow
// workgroup for 64 pairs of 16,384 values grows (and a pair too long for
// a subgroup widens the workgroup) so that no invocation runs past
// lavapipe's loop budget, whose excess it would silently drop.
func TestGroupNormLoopLimit(t *testing.T) {
	l := testLib(t)
	l.Tuning.LoopLimited = true
	rng := rand.New(rand.NewPCG(13, 14))
	for _, v := range []struct {
		norm     Chunking
		n, c, hw int
	}{
		{Chunking{Groups: 1, Local: 8}, 8, 8, 2048},   // 64 pairs in one workgroup: the grid grows
		{Chunking{Groups: 1, Local: 8}, 1, 2, 300000}, // one pair too long for 8 lanes: wider
	} {
		l.Tuning.Norm = v.norm
		n, c, hw, groups := v.n, v.c, v.hw, v.c
		if v.n == 1 {
			groups = 1
		}
		size := n * c * hw
		x, gy, gamma, beta := randn(rng, size, 2, 0.5), randn(rng, size, 1, 0), randn(rng, c, 1, 1), randn(rng, c, 1, 0)
		sh := ref.GroupNormShape{N: n, C: c, HW: hw, Groups: groups, Eps: 1e-5}
		wy, _, _ := ref.GroupNorm(x, gamma, beta, sh)
		wdx, _, _ := ref.GroupNormGrad(x, gy, gamma, sh)
		xb, gyb, gb, bb := upload(t, l, x), upload(t, l, gy), upload(t, l, gamma), upload(t, l, beta)
		yb, dxb := newBuf(t, l, size), newBuf(t, l, size)
		run(t, l, func(seq *vk.Sequence) error {
			if err := l.GroupNorm(seq, xb, gb, bb, yb, nil, nil, n, c, hw, groups, 1e-5); err != nil {
				return err
			}
			return l.GroupNormBackward(seq, xb, gyb, gb, nil, nil, dxb, nil, nil, n, c, hw, groups, 1e-5)
		})
		vktest.Close(t, fmt.Sprintf("groupnorm y %v", v), download(t, yb, size), wy, 1e-3, 1e-4)
		vktest.Close(t, fmt.Sprintf("groupnorm dx %v", v), download(t, dxb, size), wdx, 1e-3, 1e-4)
	}
	if l.Dev.Info.SubgroupArithmetic {
		if sg, _ := l.reduceWidth(8); !sg {
			t.Error("a device with subgroup arithmetic does not get the subgroupAdd kernels")
		}
	}
}
