package vkexec

import (
	"fmt"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// fuseGroupNorm records a GroupNorm, its affine map (graph.GroupNorm's Mul
// by gamma and Add of beta, [C, 1, 1] each) and an activation of the
// result, each the only reader of the one before, as one GroupNorm kernel
// (kernels.GroupNormAct): one read and one write of the activations
// instead of two of each. Training graphs keep the intermediate values for
// the backward pass, so this fires in score evaluations, where a U-Net has
// one per residual block half (a variable so tests can compare both ways).
var fuseGroupNorm = true

// groupNormRun is one fused GroupNorm: out = act(normalize(x) * gamma +
// beta).
type groupNormRun struct {
	norm, gamma, beta *graph.Node
	act               kernels.UnaryOp
	actGamma          float32
	steps             []*graph.Node // the GroupNorm, the Mul, the Add and the activation if any
}

func (g *groupNormRun) out() *graph.Node { return g.steps[len(g.steps)-1] }

// matchGroupNorm finds the program's GroupNorms with an affine map, keyed
// by each of their steps, leaving out steps another unit has taken.
func matchGroupNorm(gp *graph.Program, taken map[*graph.Node]unit) map[*graph.Node]*groupNormRun {
	if !fuseGroupNorm {
		return nil
	}
	sole := soleReaders(gp)
	// other returns the operand of the binary step n that is not x, if n
	// is of kind k and that operand is one value per channel of x.
	other := func(n *graph.Node, k graph.OpKind, x *graph.Node) *graph.Node {
		if n == nil || n.Kind() != k || taken[n] != nil || !n.Shape().Equal(x.Shape()) {
			return nil
		}
		in := n.Inputs()
		y := in[1]
		if y == x {
			y = in[0]
		}
		if y == x || !channelBias(y.Shape(), x.Shape()[1]) {
			return nil
		}
		return y
	}
	runs := map[*graph.Node]*groupNormRun{}
	for _, gn := range gp.Steps {
		if gn.Kind() != graph.OpGroupNorm || len(gn.Shape()) != 4 || taken[gn] != nil {
			continue
		}
		mul := sole(gn)
		gamma := other(mul, graph.OpMul, gn)
		if gamma == nil {
			continue
		}
		add := sole(mul)
		beta := other(add, graph.OpAdd, mul)
		if beta == nil {
			continue
		}
		r := &groupNormRun{norm: gn, gamma: gamma, beta: beta, act: kernels.Identity, steps: []*graph.Node{gn, mul, add}}
		if act := sole(add); act != nil && taken[act] == nil {
			if op, gamma, ok := fusedAct(act); ok {
				r.act, r.actGamma = op, gamma
				r.steps = append(r.steps, act)
			}
		}
		for _, s := range r.steps {
			runs[s] = r
		}
	}
	return runs
}

func (g *groupNormRun) record(r *recorder, bufs map[*graph.Node]*vk.Buffer) error {
	x := g.norm.Inputs()[0]
	out := bufs[g.out()]
	for _, in := range []*graph.Node{x, g.gamma, g.beta} {
		if bufs[in].Overlaps(out) {
			return fmt.Errorf("vkexec: the fused GroupNorm's output %v overlaps its input %v", g.out(), in)
		}
	}
	s := graph.GroupNormShape(g.norm)
	return r.lib.GroupNormAct(r.seq, bufs[x], bufs[g.gamma], bufs[g.beta], out, nil, nil, s.N, s.C, s.HW, s.Groups, float32(s.Eps), g.act, g.actGamma)
}
