package graph

// OpKind identifies the operation of a node. Executors switch on it and read
// the node's attributes, whose type is given next to each kind (none when
// not mentioned). Inputs are listed in order.
type OpKind int

const (
	OpInvalid OpKind = iota // a poisoned node of a graph with an error

	// Leaves.
	OpInput // fed per run (Node.Name)
	OpParam // trainable, from the parameter store (Node.Name)
	OpConst // ConstAttr
	OpFill  // FillAttr: every element equal

	// Broadcasting binary elementwise ops (NumPy rules): a, b.
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpEqual // 1 where a == b, else 0; no gradient

	// Unary elementwise ops: x.
	OpAffine // AffineAttr: Scale*x + Shift (scale by a constant, neg, 1-x, ...)
	OpSquare
	OpExp
	OpLog
	OpSqrt
	OpTanh
	OpSigmoid
	OpSoftplus // log(1+exp(x)), computed stably
	OpSiLU     // x*sigmoid(x)
	OpELU      // ELUAttr
	OpGELU     // tanh approximation, see GELU
	OpReLU
	OpStep // Heaviside: 1 where x > 0, else 0; no gradient

	// Reductions: x. ReduceAttr.
	OpReduceSum
	OpReduceMean
	OpReduceMax

	// Data movement.
	OpReshape     // ReshapeAttr
	OpTranspose   // TransposeAttr
	OpSlice       // SliceAttr
	OpPad         // PadAttr: zero padding (the adjoint of Slice)
	OpConcat      // ConcatAttr; any number of inputs
	OpBroadcastTo // BroadcastAttr

	// Linear algebra and convolution.
	OpMatMul           // MatMulAttr: a, b
	OpConv2D           // Conv2DAttr: x[N,C,H,W], w[O,C,KH,KW]
	OpConv2DBackData   // Conv2DBackDataAttr: gy[N,O,OH,OW], w[O,C,KH,KW] -> [N,C,H,W]
	OpConv2DBackFilter // Conv2DBackFilterAttr: x[N,C,H,W], gy[N,O,OH,OW] -> [O,C,KH,KW]
	OpUpsample2x       // nearest: [..., H, W] -> [..., 2H, 2W]
	OpAvgPool2x        // 2x2 mean: [..., H, W] -> [..., H/2, W/2]

	// Normalisation and attention.
	OpGroupNorm     // GroupNormAttr: x[N,C,...] -> normalised x (no affine)
	OpGroupNormGrad // GroupNormAttr: x, gy -> gx
	OpAttention     // AttentionAttr: q, k, v [N,C,L...] -> [N,C,L...]
	OpAttentionGrad // AttentionAttr: q, k, v, gy -> [3,N,C,L...] stacking gq, gk, gv

	// Embeddings.
	OpFourierEmbed // t[...], w[H] -> [..., 2H]: sin(2 pi t w), cos(2 pi t w)

	// Random draws from rng (Philox), keyed by the run's Seed and Step and
	// the node's stream.
	OpRandUniform    // RandAttr
	OpRandNormal     // RandAttr
	OpRandRademacher // RandAttr
	OpDropout        // DropoutAttr: x

	// FIR resampling (score_sde's upfirdn2d).
	OpUpFirDn2D // UpFirDn2DAttr: x[..., H, W] -> [..., OH, OW]

	numOpKinds
)

var opNames = [numOpKinds]string{
	"Invalid", "Input", "Param", "Const", "Fill",
	"Add", "Sub", "Mul", "Div", "Equal",
	"Affine", "Square", "Exp", "Log", "Sqrt", "Tanh", "Sigmoid", "Softplus", "SiLU", "ELU", "GELU", "ReLU", "Step",
	"ReduceSum", "ReduceMean", "ReduceMax",
	"Reshape", "Transpose", "Slice", "Pad", "Concat", "BroadcastTo",
	"MatMul", "Conv2D", "Conv2DBackData", "Conv2DBackFilter", "Upsample2x", "AvgPool2x",
	"GroupNorm", "GroupNormGrad", "Attention", "AttentionGrad",
	"FourierEmbed",
	"RandUniform", "RandNormal", "RandRademacher", "Dropout",
	"UpFirDn2D",
}

// String returns the name of k, e.g. "MatMul".
func (k OpKind) String() string {
	if k >= 0 && k < numOpKinds {
		return opNames[k]
	}
	return "OpKind(?)"
}

// Attribute structs. They are plain values; executors read them with a type
// switch or assertion on Node.Attr.
type (
	// ConstAttr holds the values of a Const node, row-major.
	ConstAttr struct{ Values []float64 }
	// FillAttr is a tensor of Shape with every element Value.
	FillAttr struct {
		Value float64
		Shape Shape
	}
	// AffineAttr computes Scale*x + Shift.
	AffineAttr struct{ Scale, Shift float64 }
	// ELUAttr is x for x > 0, Alpha*(exp(x)-1) otherwise.
	ELUAttr struct{ Alpha float64 }
	// ReduceAttr reduces over Axes (sorted, non-negative), keeping them as
	// size 1 when KeepDims.
	ReduceAttr struct {
		Axes     []int
		KeepDims bool
	}
	// ReshapeAttr gives the new shape (same size).
	ReshapeAttr struct{ Shape Shape }
	// TransposeAttr permutes dimensions: out.shape[i] = in.shape[Perm[i]].
	TransposeAttr struct{ Perm []int }
	// SliceAttr keeps [Start[i], End[i]) along every axis i.
	SliceAttr struct{ Start, End []int }
	// PadAttr adds Before[i] zeros before and After[i] after axis i.
	PadAttr struct{ Before, After []int }
	// ConcatAttr joins inputs along Axis.
	ConcatAttr struct{ Axis int }
	// BroadcastAttr broadcasts to Shape (NumPy rules).
	BroadcastAttr struct{ Shape Shape }
	// MatMulAttr multiplies the last two dimensions, transposing a or b
	// first; leading (batch) dimensions broadcast.
	MatMulAttr struct{ TransA, TransB bool }
	// Conv2DAttr: cross-correlation with zero padding, NCHW.
	Conv2DAttr struct {
		Stride [2]int // H, W; 0 means 1
		Pad    [2]int // H, W
	}
	// Conv2DBackDataAttr is the data gradient (transposed convolution) of a
	// Conv2D with the given attributes whose input had spatial size H x W.
	Conv2DBackDataAttr struct {
		Conv2DAttr
		H, W int
	}
	// Conv2DBackFilterAttr is the weight gradient of a Conv2D with the given
	// attributes and a KH x KW kernel.
	Conv2DBackFilterAttr struct {
		Conv2DAttr
		KH, KW int
	}
	// GroupNormAttr normalises each of Groups channel groups over its
	// channels and spatial positions: (x-mean)/sqrt(var+Eps).
	GroupNormAttr struct {
		Groups int
		Eps    float64
	}
	// AttentionAttr: multi-head self-attention with Heads heads over the
	// spatial positions, scale 1/sqrt(C/Heads).
	AttentionAttr struct{ Heads int }
	// RandAttr selects the random stream of a draw.
	RandAttr struct {
		Shape  Shape
		Stream uint32
	}
	// DropoutAttr zeroes each element with probability Rate (Philox uniform
	// of stream Stream below Rate) and scales the rest by 1/(1-Rate).
	DropoutAttr struct {
		Rate   float64
		Stream uint32
	}
)

// tensor is a value seen by a reference kernel.
type tensor struct {
	shape Shape
	data  []float64
}

// runCtx carries the per-run values a reference kernel may need.
type runCtx struct {
	seed uint64
	step uint32
}

// opDef is the registry entry of one op kind.
type opDef struct {
	// arity is the number of inputs, or -1 for any.
	arity int
	// infer returns the output shape for the attributes and input shapes.
	infer func(attr any, in []Shape) (Shape, error)
	// forward computes the value for the reference executor: a thin
	// adapter that calls the op's float64 reference in graph/ref (the
	// function the op's shader is tested against). It must write every
	// element of out, which may hold garbage on entry, and must not keep in
	// or out.
	forward func(c *runCtx, n *Node, in []tensor, out []float64)
	// vjp returns the gradient of each input for the output cotangent gy,
	// built from graph ops so that it can itself be differentiated. Entries
	// for inputs with need[i] false, and entries of zero gradient, may be
	// nil. A nil vjp means the op is not differentiable (an error if a
	// gradient reaches it); noGrad ops return all nil.
	vjp func(n *Node, gy *Node, need []bool) []*Node
	// composite, for fused ops, builds the same value from simpler ops.
	// Tests compare the two, and vjpViaComposite differentiates it.
	composite func(n *Node, in []*Node) *Node
}

var registry [numOpKinds]opDef

func register(k OpKind, d opDef) { registry[k] = d }

// noGrad is the vjp of ops whose gradient is zero almost everywhere.
func noGrad(n *Node, _ *Node, _ []bool) []*Node { return make([]*Node, len(n.inputs)) }

// vjpViaComposite is the VJP of a fused op obtained by differentiating its
// composite. It serves fused gradient ops (GroupNormGrad, AttentionGrad),
// whose own gradients are needed only for second-order derivatives.
func vjpViaComposite(n, gy *Node, need []bool) []*Node {
	y := registry[n.kind].composite(n, n.inputs)
	var wrt []*Node
	for i, in := range n.inputs {
		if need[i] {
			wrt = append(wrt, in)
		}
	}
	gs, err := VJP([]*Node{y}, []*Node{gy}, wrt)
	out := make([]*Node, len(n.inputs))
	if err != nil {
		n.graph.setErr(err)
		return out
	}
	for i := range n.inputs {
		if need[i] {
			out[i], gs = gs[0], gs[1:]
		}
	}
	return out
}
