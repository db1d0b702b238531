package model

import "github.com/sdevk/sdevk/graph"

// FIR resampling of score_sde's up_or_down_sampling.py (from StyleGAN2) by
// factor 2 with gain 1, as score_sde's layers call it: graph's UpFirDn2D
// helpers.

func firUpsample2D(x *graph.Node, k []float64) *graph.Node { return graph.FIRUpsample2D(x, k, 2, 1) }

func firDownsample2D(x *graph.Node, k []float64) *graph.Node {
	return graph.FIRDownsample2D(x, k, 2, 1)
}

func firUpsampleConv2D(x, w *graph.Node, k []float64) *graph.Node {
	return graph.FIRUpsampleConv2D(x, w, k, 2, 1)
}

func firConvDownsample2D(x, w *graph.Node, k []float64) *graph.Node {
	return graph.FIRConvDownsample2D(x, w, k, 2, 1)
}
