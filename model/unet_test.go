package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/sde"
)

func testVP(t *testing.T) sde.SDE {
	t.Helper()
	s, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tinyUNetConfig is an 8x8x1 U-Net with nf 8, two resolutions and
// attention at 4x4, with every ncsnpp option that has a cheap path on.
func tinyUNetConfig(name string) UNetConfig {
	c := DefaultUNetConfig()
	c.Name, c.NF, c.ChMult, c.NumResBlocks, c.AttnResolutions = name, 8, []int{1, 2}, 1, []int{4}
	c.ImageSize, c.NumChannels, c.Dropout = 8, 1, 0
	return c
}

func tinyUNet(t *testing.T, s sde.SDE, name string) *UNet {
	t.Helper()
	u, err := NewUNet(s, tinyUNetConfig(name))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestUNetConfigErrors: every invalid setting is an error naming its key.
func TestUNetConfigErrors(t *testing.T) {
	vp := testVP(t)
	for _, c := range []struct {
		edit func(*UNetConfig)
		key  string
	}{
		{func(c *UNetConfig) { c.Name = "unet" }, "model.name"},
		{func(c *UNetConfig) { c.NF = 0 }, "model.nf"},
		{func(c *UNetConfig) { c.NF = 10 }, "model.nf"},                 // 10 channels in 2 GroupNorm groups of 5, 20 in 5: fine; 30 (skip concat) in 7: no
		{func(c *UNetConfig) { c.Name, c.NF = "ddpm", 16 }, "model.nf"}, // DDPM's 32 groups
		{func(c *UNetConfig) { c.ChMult = nil }, "model.ch_mult"},
		{func(c *UNetConfig) { c.ChMult = []int{1, 0} }, "model.ch_mult"},
		{func(c *UNetConfig) { c.NumResBlocks = 0 }, "model.num_res_blocks"},
		{func(c *UNetConfig) { c.Dropout = 1 }, "model.dropout"},
		{func(c *UNetConfig) { c.ConvSize = 5 }, "model.conv_size"},
		{func(c *UNetConfig) { c.ImageSize = 7 }, "data.image_size"},
		{func(c *UNetConfig) { c.NumChannels = 0 }, "data.num_channels"},
		{func(c *UNetConfig) { c.ResblockType = "resnet" }, "model.resblock_type"},
		{func(c *UNetConfig) { c.Progressive = "input_skip" }, "model.progressive"},
		{func(c *UNetConfig) { c.ProgressiveInput = "output_skip" }, "model.progressive_input"},
		{func(c *UNetConfig) { c.ProgressiveCombine = "max" }, "model.progressive_combine"},
		{func(c *UNetConfig) { c.EmbeddingType = "sinusoidal" }, "model.embedding_type"},
		{func(c *UNetConfig) { c.Nonlinearity = "lrelu" }, "model.nonlinearity"},
		{func(c *UNetConfig) { c.ScaleBySigma = true }, "model.scale_by_sigma"},
		{func(c *UNetConfig) { c.EmbeddingType, c.FourierScale = "fourier", 0 }, "model.fourier_scale"},
		{func(c *UNetConfig) { c.FIR, c.FIRKernel = true, nil }, "model.fir_kernel"},
		{func(c *UNetConfig) { c.InitScale = -1 }, "model.init_scale"},
		{func(c *UNetConfig) { c.Name, c.NF, c.ScaleBySigma = "ddpm", 32, true }, "model.scale_by_sigma"},
	} {
		cfg := tinyUNetConfig(UNetNCSNpp)
		c.edit(&cfg)
		_, err := NewUNet(vp, cfg)
		if err == nil || !strings.Contains(err.Error(), c.key+": ") {
			t.Errorf("config %+v: error %v, want one naming %s", cfg, err, c.key)
		}
	}
	if _, err := NewUNet(nil, tinyUNetConfig(UNetNCSNpp)); err == nil {
		t.Error("a nil SDE is accepted")
	}
}

// TestUNetFlatInput: the network takes images or their flat rows alike,
// and its output keeps the input's shape.
func TestUNetFlatInput(t *testing.T) {
	u := tinyUNet(t, testVP(t), UNetNCSNpp)
	params, err := InitParams(u.Params(), 3)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 2*u.Dim())
	for i := range x {
		x[i] = r.Float64()
	}
	ts := []float64{0.3, 0.8}
	var outs [][]float64
	for _, shape := range [][]int{{2, u.Dim()}, {2, 1, 8, 8}} {
		g := graph.New()
		xn, tn := g.Input("x", shape...), g.Input("t", 2)
		out := u.Build(g, xn, tn)
		if !out.Shape().Equal(shape) {
			t.Fatalf("input %v gives %v", shape, out.Shape())
		}
		ref := graph.NewReference()
		ref.Params = params
		res, err := ref.Run(graph.Feeds{xn: x, tn: ts}, out)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, res[0])
	}
	for i := range outs[0] {
		if outs[0][i] != outs[1][i] {
			t.Fatalf("value %d: flat %g, image %g", i, outs[0][i], outs[1][i])
		}
	}
}

// TestDropoutOnlyInTraining: score_sde's dropout is in the training
// network's graph and not in the evaluation network's.
func TestDropoutOnlyInTraining(t *testing.T) {
	c := tinyUNetConfig(UNetNCSNpp)
	c.Dropout = 0.1
	u, err := NewUNet(testVP(t), c)
	if err != nil {
		t.Fatal(err)
	}
	count := func(net ScoreNet) int {
		g := graph.New()
		net.Build(g, g.Input("x", 2, 1, 8, 8), g.Input("t", 2))
		n := 0
		for _, nd := range g.Nodes() {
			if nd.Kind() == graph.OpDropout {
				n++
			}
		}
		return n
	}
	blocks := 0
	for _, m := range u.modules {
		if _, ok := m.(*resBlock); ok {
			blocks++
		}
	}
	if got := count(u); got != 0 {
		t.Errorf("evaluation graph has %d dropouts", got)
	}
	if got := count(ForTraining(u)); got != blocks {
		t.Errorf("training graph has %d dropouts, want one per residual block, %d", got, blocks)
	}
	if ForTraining(u) == ScoreNet(u) {
		t.Error("ForTraining changed the evaluation network in place")
	}
}

// TestNCSNppVariantsBuild: every combination of the ncsnpp options builds
// a graph whose forward pass uses each declared module once, in order, and
// gives an image of the input's shape (the fixtures cover four of them
// against score_sde's numbers).
func TestNCSNppVariantsBuild(t *testing.T) {
	vp := testVP(t)
	for _, block := range []string{"ddpm", "biggan"} {
		for _, fir := range []bool{false, true} {
			for _, prog := range []string{"none", "output_skip", "residual"} {
				for _, progIn := range []string{"none", "input_skip", "residual"} {
					for _, comb := range []string{"sum", "cat"} {
						for _, emb := range []string{"positional", "fourier"} {
							c := tinyUNetConfig(UNetNCSNpp)
							c.ResblockType, c.FIR, c.Progressive, c.ProgressiveInput = block, fir, prog, progIn
							c.ProgressiveCombine, c.EmbeddingType, c.Conditional = comb, emb, emb == "fourier"
							u, err := NewUNet(vp, c)
							if err != nil {
								t.Fatalf("%+v: %v", c, err)
							}
							s, err := u.Summarise(2)
							if err != nil {
								t.Fatalf("%+v: %v", c, err)
							}
							if last := s.Blocks[len(s.Blocks)-1]; !slices.Equal(last.Out, s.Input) {
								t.Errorf("%+v: the last module gives %v, want %v", c, last.Out, s.Input)
							}
						}
					}
				}
			}
		}
	}
}

// TestUNetWrongInput: x of another geometry is a graph error naming both
// shapes, not a panic, and rows or images of the right one build.
func TestUNetWrongInput(t *testing.T) {
	u := tinyUNet(t, testVP(t), UNetNCSNpp)
	for _, shape := range [][]int{{3, 2}, {3, 1, 4, 4}, {3, 64, 1}} {
		g := graph.New()
		u.Build(g, g.Input("x", shape...), g.Input("t", 3))
		if err := g.Err(); err == nil || !strings.Contains(err.Error(), fmt.Sprint(shape)) || !strings.Contains(err.Error(), "[B 1 8 8]") {
			t.Errorf("x %v: error %v, want one naming both shapes", shape, err)
		}
	}
	for _, shape := range [][]int{{3, 64}, {3, 1, 8, 8}} {
		g := graph.New()
		out := u.Build(g, g.Input("x", shape...), g.Input("t", 3))
		if err := g.Err(); err != nil || fmt.Sprint(out.Shape()) != fmt.Sprint(shape) {
			t.Errorf("x %v: output %v, error %v", shape, out.Shape(), err)
		}
	}
}
