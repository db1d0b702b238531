package model

import (
	"fmt"
	"math"
	"strings"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/sde"
)

// ScoreNet is a score network built into a graph.
type ScoreNet interface {
	// Build adds s(x, t) to g for x [B, D] and t [B] and returns it, shaped
	// like x. It creates the Params of Params() on first use and reuses
	// them when called again on the same graph.
	Build(g *graph.Graph, x, t *graph.Node) *graph.Node
	// Params lists the network's parameters, in a fixed order.
	Params() []ParamSpec
}

// ForTraining returns net as a training step builds it: a network with a
// training mode (the U-Nets' dropout) in that mode, any other as it is.
func ForTraining(net ScoreNet) ScoreNet {
	if t, ok := net.(interface{ ForTraining() ScoreNet }); ok {
		return t.ForTraining()
	}
	return net
}

// The loss builders of package sde accept any ScoreNet.
var _ sde.GraphScore = ScoreNet(nil)

// InitKind names a parameter initialiser.
type InitKind int

// Initialisers. Fans come from the shape (see Init.Fans); the *Normal kinds
// draw N(0, Scale/fan), the *Uniform kinds U(-a, a) with a = sqrt(3 Scale/fan),
// where fan is fan_in (Lecun, He: Scale 2 is implied), fan_out or their mean
// (Glorot).
const (
	InitZeros InitKind = iota
	InitOnes
	InitNormal // N(0, Scale^2): Scale is the standard deviation
	InitLecunNormal
	InitLecunUniform
	InitHeNormal
	InitHeUniform
	InitGlorotNormal
	InitGlorotUniform
)

var initNames = []string{"zeros", "ones", "normal", "lecun_normal", "lecun_uniform",
	"he_normal", "he_uniform", "glorot_normal", "glorot_uniform"}

func (k InitKind) String() string {
	if k >= 0 && int(k) < len(initNames) {
		return initNames[k]
	}
	return fmt.Sprintf("InitKind(%d)", int(k))
}

// ParseInitKind accepts the names above (e.g. "glorot_uniform").
func ParseInitKind(s string) (InitKind, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range initNames {
		if n == s {
			return InitKind(i), nil
		}
	}
	return 0, fmt.Errorf("model: unknown initialiser %q (want %s)", s, strings.Join(initNames, ", "))
}

// Init describes how a parameter is initialised.
type Init struct {
	Kind InitKind
	// Scale multiplies the variance of the fan-based kinds (0 means 1) and
	// is the standard deviation of InitNormal.
	Scale float64
	// FanIn and FanOut override the fans derived from the shape when > 0.
	FanIn, FanOut int
}

// Fans returns fan_in and fan_out for shape: [in, out] for dense weights,
// [O, C, KH, KW] for convolutions (C KH KW, O KH KW), n for vectors, unless
// overridden.
func (in Init) Fans(shape []int) (fanIn, fanOut int) {
	switch len(shape) {
	case 0:
		fanIn, fanOut = 1, 1
	case 1:
		fanIn, fanOut = shape[0], shape[0]
	case 2:
		fanIn, fanOut = shape[0], shape[1]
	default:
		rf := 1
		for _, d := range shape[2:] {
			rf *= d
		}
		fanIn, fanOut = shape[1]*rf, shape[0]*rf
	}
	if in.FanIn > 0 {
		fanIn = in.FanIn
	}
	if in.FanOut > 0 {
		fanOut = in.FanOut
	}
	return fanIn, fanOut
}

// ParamSpec declares one parameter of a network.
type ParamSpec struct {
	Name  string
	Shape []int
	Init  Init
	// Frozen parameters are saved with the model but not trained (the
	// Gaussian Fourier frequencies).
	Frozen bool
}

// Size is the number of elements.
func (p ParamSpec) Size() int {
	n := 1
	for _, d := range p.Shape {
		n *= d
	}
	return n
}

// InitValues returns the initial values of p (float64, row-major), drawn
// from the Philox generator with key (seed, rng.ParamStream(p.Name), step 0).
func InitValues(p ParamSpec, seed uint64) ([]float64, error) {
	v := make([]float64, p.Size())
	key := rng.Key{Seed: seed, Stream: rng.ParamStream(p.Name)}
	scale := p.Init.Scale
	if scale == 0 {
		scale = 1
	}
	fi, fo := p.Init.Fans(p.Shape)
	var fan float64
	switch p.Init.Kind {
	case InitZeros:
		return v, nil
	case InitOnes:
		for i := range v {
			v[i] = 1
		}
		return v, nil
	case InitNormal:
		rng.Normal(v, key)
		for i := range v {
			v[i] *= scale
		}
		return v, nil
	case InitLecunNormal, InitLecunUniform:
		fan = float64(fi)
	case InitHeNormal, InitHeUniform:
		fan = float64(fi) / 2
	case InitGlorotNormal, InitGlorotUniform:
		fan = float64(fi+fo) / 2
	default:
		return nil, fmt.Errorf("model: param %q: unknown initialiser %v", p.Name, p.Init.Kind)
	}
	if !(fan > 0) {
		return nil, fmt.Errorf("model: param %q %v: fan %g", p.Name, p.Shape, fan)
	}
	switch p.Init.Kind {
	case InitLecunNormal, InitHeNormal, InitGlorotNormal:
		rng.Normal(v, key)
		sd := math.Sqrt(scale / fan)
		for i := range v {
			v[i] *= sd
		}
	default:
		rng.Uniform(v, key)
		a := math.Sqrt(3 * scale / fan)
		for i := range v {
			v[i] = a * (2*v[i] - 1)
		}
	}
	return v, nil
}

// InitParams returns the initial values of all specs by name (a
// graph.Store for the reference executor). It fails on duplicate names.
func InitParams(specs []ParamSpec, seed uint64) (graph.Store, error) {
	st := graph.Store{}
	for _, p := range specs {
		if _, dup := st[p.Name]; dup {
			return nil, fmt.Errorf("model: duplicate param %q", p.Name)
		}
		v, err := InitValues(p, seed)
		if err != nil {
			return nil, err
		}
		st[p.Name] = v
	}
	return st, nil
}

// InitParams32 is InitParams with float32 values, for device stores and
// checkpoints.
func InitParams32(specs []ParamSpec, seed uint64) (map[string][]float32, error) {
	st, err := InitParams(specs, seed)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]float32, len(st))
	for k, v := range st {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		out[k] = f
	}
	return out, nil
}

// Trainable returns the graph Params of g that are trainable parameters of
// specs (not Frozen), in the order of specs: the wrt list of graph.Grad.
// Specs not yet built into g are skipped.
func Trainable(g *graph.Graph, specs []ParamSpec) []*graph.Node {
	var ns []*graph.Node
	for _, p := range specs {
		if p.Frozen {
			continue
		}
		if n := g.Lookup(p.Name); n != nil && n.Kind() == graph.OpParam {
			ns = append(ns, n)
		}
	}
	return ns
}

// Param returns g's Param called p.Name, creating it on first use. A name
// already used with another shape, or by an Input, poisons the graph (via
// the duplicate-name error of g.Param).
func Param(g *graph.Graph, p ParamSpec) *graph.Node {
	if n := g.Lookup(p.Name); n != nil && n.Kind() == graph.OpParam && n.Shape().Equal(p.Shape) {
		return n
	}
	return g.Param(p.Name, p.Shape...)
}
