package model

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sdevk/sdevk/graph"
)

// BlockSummary describes one module of a U-Net's all_modules.
type BlockSummary struct {
	Name   string // all_modules.i
	Kind   string // score_sde's class name
	Out    []int  // the shape the module produces at the summary's batch size
	Params int
	// ActivationBytes is the float32 size of the forward values the module
	// computes (what a training step keeps for the backward pass, before
	// memory planning).
	ActivationBytes int64
}

// Summary is a U-Net's size at one batch size.
type Summary struct {
	Batch           int
	Input           []int // [B, C, H, W]
	Params          int
	Blocks          []BlockSummary
	ActivationBytes int64 // all forward values of the network: the blocks' and the time labels'
}

// Summarise builds the score graph for a batch of batch images (shapes
// only, nothing runs) and reports each module's output shape, parameter
// count and activation memory.
func (u *UNet) Summarise(batch int) (*Summary, error) {
	if batch < 1 {
		return nil, fmt.Errorf("model: summary: batch %d must be >= 1", batch)
	}
	g := graph.New()
	in := append([]int{batch}, u.ImageShape()...)
	x, t := g.Input("x", in...), g.Input("t", batch)
	cur := &cursor{list: u.modules, g: g}
	u.buildWith(g, x, t, cur)
	if err := g.Err(); err != nil {
		return nil, fmt.Errorf("model: summary: %w", err)
	}
	if len(cur.marks) != len(u.modules) {
		return nil, fmt.Errorf("model: summary: the forward pass used %d of the %d modules", len(cur.marks), len(u.modules))
	}
	nodes := g.Nodes()
	s := &Summary{Batch: batch, Input: in}
	for i, m := range u.modules {
		end := len(nodes)
		if i+1 < len(cur.marks) {
			end = cur.marks[i+1]
		}
		b := BlockSummary{Name: moduleName(i), Kind: kindOf(m)}
		for _, p := range m.params() {
			b.Params += p.Size()
		}
		for _, n := range nodes[cur.marks[i]:end] {
			if isValue(n) {
				b.ActivationBytes += 4 * int64(n.Shape().Size())
				b.Out = n.Shape()
			}
		}
		s.Params += b.Params
		s.Blocks = append(s.Blocks, b)
	}
	for _, n := range nodes {
		if isValue(n) {
			s.ActivationBytes += 4 * int64(n.Shape().Size())
		}
	}
	return s, nil
}

// isValue reports whether n is computed (not a parameter, input or constant).
func isValue(n *graph.Node) bool {
	switch n.Kind() {
	case graph.OpParam, graph.OpInput, graph.OpConst:
		return false
	}
	return true
}

// kindOf names a module by its score_sde class.
func kindOf(l layer) string {
	switch m := l.(type) {
	case dense:
		return "Linear"
	case conv:
		return "Conv2d"
	case groupNorm:
		return "GroupNorm"
	case fourierProjection:
		return "GaussianFourierProjection"
	case *combine:
		return "Combine"
	case *attnBlock:
		if m.pp {
			return "AttnBlockpp"
		}
		return "AttnBlock"
	case *resample:
		if m.up {
			return "Upsample"
		}
		return "Downsample"
	case *resBlock:
		return [...]string{"ResnetBlockDDPM", "ResnetBlockDDPMpp", "ResnetBlockBigGANpp"}[m.kind]
	}
	return fmt.Sprintf("%T", l)
}

// Write prints the summary as a table, then the totals.
func (s *Summary) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "block\tkind\toutput\tparameters\tactivations\t\n")
	for _, b := range s.Blocks {
		fmt.Fprintf(tw, "%s\t%s\t%v\t%d\t%s\t\n", b.Name, b.Kind, b.Out, b.Params, mib(b.ActivationBytes))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "activations at batch %d: %s (forward values before memory planning)\n", s.Batch, mib(s.ActivationBytes))
	return err
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
