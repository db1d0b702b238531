package vkexec

import (
	"fmt"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/vk"
)

// fuseConvBias records a convolution and the per-channel bias added to it
// (the only reader of its output) as one convolution whose kernels add the
// bias as they store: every convolution of a U-Net has one, and on
// lavapipe the separate pass over the output took a tenth of a score
// evaluation (a variable so tests can compare both ways).
var fuseConvBias = true

// convBiasRun is one fused convolution: out = conv2d(x, w) + bias[o].
type convBiasRun struct {
	conv, add *graph.Node
	bias      *graph.Node
}

func (c *convBiasRun) out() *graph.Node { return c.add }

// matchConvBias finds the program's convolutions with a channel bias,
// keyed by both steps, leaving out steps another unit has taken.
func matchConvBias(gp *graph.Program, taken map[*graph.Node]unit) map[*graph.Node]*convBiasRun {
	if !fuseConvBias {
		return nil
	}
	sole := soleReaders(gp)
	runs := map[*graph.Node]*convBiasRun{}
	for _, conv := range gp.Steps {
		if conv.Kind() != graph.OpConv2D || taken[conv] != nil {
			continue
		}
		add := sole(conv)
		if add == nil || add.Kind() != graph.OpAdd || taken[add] != nil || runs[add] != nil || !add.Shape().Equal(conv.Shape()) {
			continue
		}
		bias := add.Inputs()[1]
		if bias == conv {
			bias = add.Inputs()[0]
		}
		if !channelBias(bias.Shape(), conv.Shape()[1]) {
			continue
		}
		c := &convBiasRun{conv: conv, add: add, bias: bias}
		runs[conv], runs[add] = c, c
	}
	return runs
}

// channelBias reports whether a value of shape s added to an [N, O, H, W]
// output is one value per channel: [O, 1, 1] or [1, O, 1, 1].
func channelBias(s graph.Shape, o int) bool {
	switch len(s) {
	case 3:
		return s[0] == o && s[1] == 1 && s[2] == 1
	case 4:
		return s[0] == 1 && s[1] == o && s[2] == 1 && s[3] == 1
	}
	return false
}

func (c *convBiasRun) record(r *recorder, bufs map[*graph.Node]*vk.Buffer) error {
	x, w := c.conv.Inputs()[0], c.conv.Inputs()[1]
	out := bufs[c.add]
	for _, in := range []*graph.Node{x, w, c.bias} {
		if bufs[in].Overlaps(out) {
			return fmt.Errorf("vkexec: the fused convolution's output %v overlaps its input %v", c.add, in)
		}
	}
	return r.conv2D(c.conv, bufs[x], bufs[w], bufs[c.bias], out)
}
