package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// BenchmarkAttention: graph.Attention at 256 positions (16x16), 64 channels,
// 4 heads, batch 8, forward and backward (dq, dk, dv), each recorded once and
// replayed. GFLOP/s counts 4 N C L^2 for the forward and 10 N C L^2 (five
// L x L x d products) for the backward; the backward's own recomputation of
// the scores is not counted.
func BenchmarkAttention(b *testing.B) {
	l := New(vktest.Open(b, vk.Options{}))
	s := AttentionShape{N: 8, C: 64, L: 256, Heads: 4}
	rng := rand.New(rand.NewPCG(1, 1))
	bufs := map[string]*vk.Buffer{}
	for _, name := range []string{"q", "k", "v", "gy"} {
		bufs[name] = attnBenchUpload(b, l, randn(rng, s.Size(), 1, 0))
	}
	for _, name := range []string{"o", "dq", "dk", "dv"} {
		bufs[name] = attnBenchUpload(b, l, make([]float64, s.Size()))
	}
	for _, name := range []string{"lse", "delta"} {
		bufs[name] = attnBenchUpload(b, l, make([]float64, s.RowLen()))
	}
	fwd := func(seq *vk.Sequence) error {
		return l.AttentionForward(seq, bufs["q"], bufs["k"], bufs["v"], bufs["o"], bufs["lse"], s)
	}
	bwd := func(seq *vk.Sequence) error {
		return l.AttentionBackward(seq, bufs["q"], bufs["k"], bufs["v"], bufs["o"], bufs["lse"], bufs["gy"], bufs["dq"], bufs["dk"], bufs["dv"], bufs["delta"], s)
	}
	benchOnce(b, l.Dev, fwd) // o and lse for the backward
	b.Run("forward", func(b *testing.B) { benchReplay(b, l.Dev, s.FLOPs(), 0, fwd) })
	b.Run("backward", func(b *testing.B) { benchReplay(b, l.Dev, 2.5*s.FLOPs(), 0, bwd) })
}

func attnBenchUpload(b *testing.B, l *Lib, v []float64) *vk.Buffer {
	buf, err := l.Dev.NewBufferF32(len(v))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(buf.Free)
	f := make([]float32, len(v))
	for i := range v {
		f[i] = float32(v[i])
	}
	if err := buf.Upload(f); err != nil {
		b.Fatal(err)
	}
	return buf
}
