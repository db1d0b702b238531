package kernels

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sdevk/sdevk/vk"
)

// reduceLocal is the (power-of-two) workgroup width of the kernels that
// reduce within a workgroup (Tuning.ReduceLocal).
func (l *Lib) reduceLocal() uint32 { return l.Tuning.ReduceLocal }

// reduceWidth is a workgroup reduction's variant and width: one subgroup
// reducing with subgroupAdd (the _sg shaders) when the tuning asks for it
// and the device has subgroup arithmetic, else a shared-memory tree of
// width (a power of two).
func (l *Lib) reduceWidth(width uint32) (sg bool, w uint32) {
	info := &l.Dev.Info
	if s := info.SubgroupSize; l.Tuning.NormSubgroup && info.SubgroupArithmetic && s > 1 && s <= info.Limits.MaxWorkgroupInvocations {
		return true, s
	}
	return false, width
}

// loopIters bounds the loop iterations of one invocation of a workgroup of
// width w that does pairs (sample, group) pairs (or channels) of units
// values each, for lavapipe's budget per invocation (looplimit.go): passes
// streaming loops over the units, an outer loop of extra iterations per
// pair (GroupNorm's channels), and the tree's halvings in reductions.
func loopIters(pairs, units, passes, extra, reductions int, w uint32) int {
	tree := 0
	for s := w / 2; s > 0; s /= 2 {
		tree++
	}
	return pairs * (passes*(ceilDiv(units, int(w))+1) + extra + reductions*tree + 1)
}

// widenWithin doubles a tree reduction's width from width until one
// invocation's loop iterations (iters) fit lavapipe's budget or the width
// reaches the device's limit.
func (l *Lib) widenWithin(width uint32, iters func(w uint32) int) uint32 {
	for width < l.Dev.Info.Limits.MaxWorkgroupInvocations && iters(width) > maxLoopIters {
		width *= 2
	}
	return width
}

// normKernel returns the GroupNorm kernel name (groupnorm or
// groupnorm_grad), in the variant Tuning.Norm and NormSubgroup choose,
// and its grid over ng (sample, group) pairs of units units (values or
// vec4s) and cg channels each. On a loop-limited device the grid grows,
// and if one pair is too long for a narrow workgroup the workgroup widens,
// so that no invocation loops past the budget.
func (l *Lib) normKernel(name string, ng, units, cg int, consts ...uint32) (*vk.Kernel, [3]uint32, error) {
	const passes, reductions = 4, 2 // at most: two statistics passes and two more; two sums
	ch, info := l.Tuning.Norm, &l.Dev.Info
	width, groups := l.reduceLocal(), ng
	if ch.Groups > 0 {
		if w := uint32(ch.Local); pow2(w) && w <= info.Limits.MaxWorkgroupInvocations {
			width = w
		}
		var sg bool
		if sg, width = l.reduceWidth(width); sg {
			name += "_sg"
		}
		groups = min(ng, ch.Groups)
	}
	if l.Tuning.LoopLimited && ng > 0 {
		if per := loopIters(1, units, passes, cg, reductions, width); per > maxLoopIters {
			// One pair is too long for this width: a pair per workgroup
			// of the tree kernel, as wide as it takes.
			name = strings.TrimSuffix(name, "_sg")
			width = l.widenWithin(width, func(w uint32) int { return loopIters(1, units, passes, cg, reductions, w) })
			groups = ng
		} else {
			groups = min(ng, max(groups, ceilDiv(ng, maxLoopIters/per)))
		}
		if loopIters(ceilDiv(ng, groups), units, passes, cg, reductions, width) > maxLoopIters {
			return nil, [3]uint32{}, fmt.Errorf("kernels: %s: groups of %d values or vec4s are too long for %s's loop limit", name, units, info.Name)
		}
	}
	k, err := l.kernel(name, [3]uint32{width, 1, 1}, consts...)
	return k, l.Dev.Grid(uint64(groups), 1), err
}

func (l *Lib) checkGroupNorm(name string, n, c, hw, groups int) error {
	if n < 0 || c < 1 || hw < 0 || groups < 1 || c%groups != 0 {
		return fmt.Errorf("kernels: %s: %d groups for %d channels (n %d, %d positions)", name, groups, c, n, hw)
	}
	return nil
}

// GroupNorm records y = (x - mean) * rstd * gamma[c] + beta[c] for x of
// shape [n, c, hw...] (hw: the product of the spatial dimensions), with
// mean and rstd = 1/sqrt(var + eps) per (sample, group of c/groups
// channels), as graph.GroupNorm. gamma and beta ([c]) are both given or both
// nil (no affine map: graph.GroupNormalize). mean and rstd ([n*groups]),
// when not nil, receive the statistics for GroupNormBackward.
func (l *Lib) GroupNorm(seq *vk.Sequence, x, gamma, beta, y, mean, rstd *vk.Buffer, n, c, hw, groups int, eps float32) error {
	return l.GroupNormAct(seq, x, gamma, beta, y, mean, rstd, n, c, hw, groups, eps, Identity, 0)
}

// GroupNormAct is GroupNorm followed by the activation act (one of
// EpilogueActs; gamma is ELU's alpha) in the same pass: a U-Net's
// GroupNorm, affine map and SiLU in one read and one write of the
// activations.
func (l *Lib) GroupNormAct(seq *vk.Sequence, x, gamma, beta, y, mean, rstd *vk.Buffer, n, c, hw, groups int, eps float32, act UnaryOp, actGamma float32) error {
	const name = "groupnorm"
	if !slices.Contains(EpilogueActs, act) {
		return fmt.Errorf("kernels: %s: unary op %d is not an activation it applies (EpilogueActs)", name, act)
	}
	if err := l.checkGroupNorm(name, n, c, hw, groups); err != nil {
		return err
	}
	if (gamma == nil) != (beta == nil) || (mean == nil) != (rstd == nil) {
		return fmt.Errorf("kernels: %s: gamma and beta, and mean and rstd, must be given together", name)
	}
	size, ng := n*c*hw, n*groups
	if err := checkLen(name, "x", x, size); err != nil {
		return err
	}
	if err := checkLen(name, "y", y, size); err != nil {
		return err
	}
	affine, save := gamma != nil, mean != nil
	if affine {
		if err := checkLen(name, "gamma", gamma, c); err != nil {
			return err
		}
		if err := checkLen(name, "beta", beta, c); err != nil {
			return err
		}
	} else {
		gamma, beta = x, x
	}
	if save {
		if err := checkLen(name, "mean", mean, ng); err != nil {
			return err
		}
		if err := checkLen(name, "rstd", rstd, ng); err != nil {
			return err
		}
	} else {
		mean, rstd = y, y
	}
	// vec4 units when every group's values (and with the affine map every
	// channel's) are whole vec4s.
	vec4 := c/groups*hw%4 == 0 && (!affine || hw%4 == 0)
	units := c / groups * hw
	if vec4 {
		units /= 4
	}
	k, grid, err := l.normKernel(name, ng, units, c/groups, b2u(affine), b2u(save), uint32(act), b2u(vec4))
	if err != nil {
		return err
	}
	push := vk.Push(uint32(ng), uint32(groups), uint32(c/groups), uint32(hw), eps, actGamma)
	return seq.Dispatch(k, grid, push, x, gamma, beta, y, mean, rstd)
}

// GroupNormBackward records the gradients of GroupNorm for the output
// gradient gy: dx (when not nil), and dgamma and dbeta ([c], both or
// neither; they need mean and rstd). mean and rstd are those GroupNorm
// saved; when nil, dx recomputes them (graph.GroupNormGrad). gamma nil
// means no affine map (dx of graph.GroupNormalize). Results are
// deterministic (fixed-order reductions, no atomics).
func (l *Lib) GroupNormBackward(seq *vk.Sequence, x, gy, gamma, mean, rstd, dx, dgamma, dbeta *vk.Buffer, n, c, hw, groups int, eps float32) error {
	const name = "groupnorm backward"
	if err := l.checkGroupNorm(name, n, c, hw, groups); err != nil {
		return err
	}
	if (mean == nil) != (rstd == nil) || (dgamma == nil) != (dbeta == nil) {
		return fmt.Errorf("kernels: %s: mean and rstd, and dgamma and dbeta, must be given together", name)
	}
	if dgamma != nil && mean == nil {
		return fmt.Errorf("kernels: %s: dgamma and dbeta need the saved mean and rstd", name)
	}
	size, ng := n*c*hw, n*groups
	for _, b := range []struct {
		what string
		buf  *vk.Buffer
		n    int
	}{{"x", x, size}, {"gy", gy, size}, {"dx", dx, size}, {"gamma", gamma, c}, {"mean", mean, ng}, {"rstd", rstd, ng}, {"dgamma", dgamma, c}, {"dbeta", dbeta, c}} {
		if b.buf != nil {
			if err := checkLen(name, b.what, b.buf, b.n); err != nil {
				return err
			}
		}
	}
	local := [3]uint32{l.reduceLocal(), 1, 1}
	if dx != nil {
		affine, stats := gamma != nil, mean != nil
		g, m, r := gamma, mean, rstd
		if !affine {
			g = x
		}
		if !stats {
			m, r = x, x
		}
		vec4 := !affine && c/groups*hw%4 == 0 // vec4 units (see GroupNormAct)
		units := c / groups * hw
		if vec4 {
			units /= 4
		}
		k, grid, err := l.normKernel("groupnorm_grad", ng, units, c/groups, b2u(affine), b2u(stats), b2u(vec4))
		if err != nil {
			return err
		}
		push := vk.Push(uint32(ng), uint32(groups), uint32(c/groups), uint32(hw), eps)
		if err := seq.Dispatch(k, grid, push, x, gy, g, m, r, dx); err != nil {
			return err
		}
	}
	if dgamma != nil {
		k, err := l.kernel("groupnorm_param_grad", local)
		if err != nil {
			return err
		}
		push := vk.Push(uint32(n), uint32(c), uint32(groups), uint32(hw))
		if err := seq.Dispatch(k, l.Dev.Grid(uint64(c), 1), push, x, gy, mean, rstd, dgamma, dbeta); err != nil {
			return err
		}
	}
	return nil
}
