package model

import (
	"fmt"

	"github.com/sdevk/sdevk/graph"
)

// UNetStepConfig sizes a UNetStep.
type UNetStepConfig struct {
	Batch    int // images per step, [Batch, 1, Size, Size]
	Channels int // at full resolution; twice as many at half resolution
	Size     int // image height and width, even
	Groups   int // GroupNorm groups, dividing Channels
	Heads    int // attention heads, dividing 2*Channels
}

// UNetStep is a small U-Net-shaped training step: a 3x3 convolution,
// GroupNorm with gain and bias, SiLU, average pooling down, a convolution,
// self-attention with a 1x1 projection and a residual connection at half
// resolution, nearest upsampling, a skip connection by concatenation, a
// last convolution, the mean squared error against Target, and the
// gradient of that loss with respect to every weight. It is the shared
// workload of the planner and device tests and of the benchmarks: every op
// an image network needs, forward and backward, in one graph.
type UNetStep struct {
	Graph     *graph.Graph
	X, Target *graph.Node // the inputs "x" and "target"
	Loss      *graph.Node
	Params    []*graph.Node // in creation order
	Grads     []*graph.Node // dLoss/dParams[i]
}

// NewUNetStep builds the step's graph. Parameter values are the caller's:
// the Params are named, unset graph parameters.
func NewUNetStep(c UNetStepConfig) (*UNetStep, error) {
	if c.Batch <= 0 || c.Channels <= 0 || c.Size <= 0 || c.Groups <= 0 || c.Heads <= 0 {
		return nil, fmt.Errorf("model: U-Net step %+v: every size must be positive", c)
	}
	if c.Size%2 != 0 {
		return nil, fmt.Errorf("model: U-Net step: image size %d is not even (it is pooled by 2)", c.Size)
	}
	g := graph.New()
	ch := c.Channels
	s := &UNetStep{Graph: g, X: g.Input("x", c.Batch, 1, c.Size, c.Size), Target: g.Input("target", c.Batch, 1, c.Size, c.Size)}
	pad := graph.Conv2DAttr{Pad: [2]int{1, 1}}
	h1 := graph.Conv2D(s.X, g.Param("w_in", ch, 1, 3, 3), pad)
	h1 = graph.SiLU(graph.GroupNorm(h1, g.Param("gn_g", 1, ch, 1, 1), g.Param("gn_b", 1, ch, 1, 1), c.Groups, 1e-5))
	d := graph.SiLU(graph.Conv2D(graph.AvgPool2x(h1), g.Param("w_down", 2*ch, ch, 3, 3), pad))
	m := graph.Add(d, graph.Conv2D(graph.Attention(d, d, d, c.Heads), g.Param("w_mid", 2*ch, 2*ch, 1, 1), graph.Conv2DAttr{}))
	u := graph.Conv2D(graph.Upsample2x(m), g.Param("w_up", ch, 2*ch, 3, 3), pad)
	y := graph.Conv2D(graph.Concat(1, u, h1), g.Param("w_out", 1, 2*ch, 3, 3), pad)
	s.Loss = graph.Mean(graph.Square(graph.Sub(y, s.Target)))
	if err := g.Err(); err != nil {
		return nil, fmt.Errorf("model: U-Net step %+v: %w", c, err)
	}
	s.Params = g.Params()
	var err error
	if s.Grads, err = graph.Grad(s.Loss, s.Params...); err != nil {
		return nil, fmt.Errorf("model: U-Net step: %w", err)
	}
	return s, nil
}

// Outputs returns the loss followed by every parameter's gradient: what a
// training step computes.
func (s *UNetStep) Outputs() []*graph.Node { return append([]*graph.Node{s.Loss}, s.Grads...) }
