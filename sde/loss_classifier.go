package sde

import (
	"fmt"

	"github.com/sdevk/sdevk/graph"
)

// The classifier objective: mean softmax cross-entropy of a classifier's
// logits against integer labels, given to the graph as one-hot rows. The
// noise-conditional variant (score_sde's classifier for controllable
// generation) trains on the perturbed data x_t = mean(t) x0 + std(t) z with
// t ~ U(eps, T), drawn on the same Philox streams as BuildLoss draws them,
// so that the classifier learns p_t(y | x_t) for every t of the sampler.
// The gradient with respect to x that classifier guidance needs is
// graph.Grad of the log-probability, built on the same graph.

// GraphClassifier builds class logits [B, K] for x [B, D] at times t [B]
// as nodes of g. model.Classifier satisfies it.
type GraphClassifier interface {
	Logits(g *graph.Graph, x, t *graph.Node) *graph.Node
}

// ClassifierLossConfig mirrors the training keys of the classifier
// objective.
type ClassifierLossConfig struct {
	// NoiseConditional trains on x_t at t ~ U(Eps, T); otherwise on the
	// clean data at t = 0.
	NoiseConditional bool
	// Eps is the smallest t drawn (0 means TrainEps).
	Eps float64
	// StreamOffset is added to the rng.StreamLoss* streams.
	StreamOffset uint32
}

// ClassifierLossNodes are the nodes of a built classifier objective.
type ClassifierLossNodes struct {
	// Loss is the batch mean of PerSample.
	Loss *graph.Node
	// PerSample is each row's cross-entropy -log softmax(logits)[label], [B].
	PerSample *graph.Node
	// Correct is 1 where the label's logit is the largest, else 0, [B]
	// (ties count as correct): the batch accuracy is its mean.
	Correct *graph.Node
	// Logits are the classifier's outputs, [B, K].
	Logits *graph.Node
	// T holds the times given to the classifier, [B] (zeros unless
	// noise-conditional).
	T *graph.Node
	// Z and Xt are the perturbation and the perturbed data [B, D]
	// (noise-conditional only; otherwise Z is nil and Xt is x0).
	Z, Xt *graph.Node
}

// BuildClassifierLoss builds the mean cross-entropy of net on the batch x0
// [B, D] against labels [B, K], one-hot rows (see OneHot), perturbing x0
// by s first when c.NoiseConditional.
func BuildClassifierLoss(s SDE, net GraphClassifier, x0, labels *graph.Node, c ClassifierLossConfig) (*ClassifierLossNodes, error) {
	b, _, err := batchDims(x0)
	if err != nil {
		return nil, err
	}
	if labels == nil || labels.Graph() != x0.Graph() || len(labels.Shape()) != 2 || labels.Shape()[0] != b {
		return nil, fmt.Errorf("sde: classifier loss: labels %v must be one-hot rows [%d, K] on the data's graph", labels, b)
	}
	if c.Eps == 0 {
		c.Eps = TrainEps
	}
	if !(c.Eps > 0 && c.Eps < s.T()) {
		return nil, fmt.Errorf("sde: classifier loss: eps = %g must be in (0, T)", c.Eps)
	}
	g := x0.Graph()
	ln := &ClassifierLossNodes{Xt: x0, T: g.Fill(0, b)}
	if c.NoiseConditional {
		p, _ := perturb(s, x0, LossConfig{Eps: c.Eps, StreamOffset: c.StreamOffset})
		ln.T, ln.Z, ln.Xt = p.T, p.Z, p.Xt
	}
	ln.Logits = net.Logits(g, ln.Xt, ln.T)
	if err := g.Err(); err != nil {
		return nil, err
	}
	if !ln.Logits.Shape().Equal(labels.Shape()) {
		return nil, fmt.Errorf("sde: classifier loss: the classifier returned logits %v, the labels are %v", ln.Logits, labels.Shape())
	}
	ln.PerSample = SoftmaxCrossEntropy(ln.Logits, labels)
	ln.Correct = Correct(ln.Logits, labels)
	ln.Loss = graph.Mean(ln.PerSample)
	return ln, g.Err()
}

// LogSoftmax returns log softmax of logits [B, K] along K, as
// logits - m - log sum exp(logits - m) with m the row maximum, which keeps
// every exponent at or below zero.
func LogSoftmax(logits *graph.Node) *graph.Node {
	shifted := graph.Sub(logits, graph.ReduceMax(logits, []int{1}, true))
	lse := graph.Log(graph.ReduceSum(graph.Exp(shifted), []int{1}, true))
	return graph.Sub(shifted, lse)
}

// SoftmaxCrossEntropy returns -sum_k onehot log softmax(logits), per row:
// [B] for logits and one-hot rows [B, K].
func SoftmaxCrossEntropy(logits, onehot *graph.Node) *graph.Node {
	return graph.Neg(graph.ReduceSum(graph.Mul(onehot, LogSoftmax(logits)), []int{1}, false))
}

// Correct returns 1 per row where the labelled logit equals the row
// maximum, else 0: [B]. It has no useful gradient.
func Correct(logits, onehot *graph.Node) *graph.Node {
	picked := graph.ReduceSum(graph.Mul(onehot, logits), []int{1}, false)
	return graph.Equal(picked, graph.ReduceMax(logits, []int{1}, false))
}

// OneHot returns the one-hot rows [len(labels), k] of labels, float32 for
// a device input; a label outside [0, k) is an error naming its index.
func OneHot(labels []int, k int) ([]float32, error) {
	out := make([]float32, len(labels)*k)
	for i, l := range labels {
		if l < 0 || l >= k {
			return nil, fmt.Errorf("label %d of row %d is outside 0..%d", l, i, k-1)
		}
		out[i*k+l] = 1
	}
	return out, nil
}

// ClassifierGuidance returns grad_x log p_t(y | x) per row, [B, D], for x
// [B, D] at times t [B] and one-hot labels [B, K]: the gradient of the sum
// over rows of log softmax(logits)[y], which is each row's own gradient
// because a classifier does not mix the rows of a batch. Classifier
// guidance adds scale times it to the score.
func ClassifierGuidance(net GraphClassifier, x, t, onehot *graph.Node) (*graph.Node, error) {
	g := x.Graph()
	logits := net.Logits(g, x, t)
	if err := g.Err(); err != nil {
		return nil, err
	}
	if !logits.Shape().Equal(onehot.Shape()) {
		return nil, fmt.Errorf("sde: classifier guidance: the classifier returned logits %v, the labels are %v", logits, onehot.Shape())
	}
	logp := graph.Neg(graph.Sum(SoftmaxCrossEntropy(logits, onehot)))
	gs, err := graph.Grad(logp, x)
	if err != nil {
		return nil, err
	}
	return gs[0], nil
}
