package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// testLib opens a device once per test (a fresh one, so validation messages
// are attributed to the test that caused them).
func testLib(t *testing.T) *Lib {
	t.Helper()
	return New(vktest.Open(t, vk.Options{}))
}

// upload makes a device buffer holding v (as float32).
func upload(t *testing.T, l *Lib, v []float64) *vk.Buffer {
	t.Helper()
	b, err := l.Dev.NewBufferF32(len(v))
	if err != nil {
		t.Fatal(err)
	}
	f := make([]float32, len(v))
	for i := range v {
		f[i] = float32(v[i])
	}
	if err := b.Upload(f); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Free)
	return b
}

func newBuf(t *testing.T, l *Lib, n int) *vk.Buffer {
	t.Helper()
	b, err := l.Dev.NewBufferF32(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Free)
	return b
}

func download(t *testing.T, b *vk.Buffer, n int) []float32 {
	t.Helper()
	out := make([]float32, n)
	if err := b.Download(out); err != nil {
		t.Fatal(err)
	}
	return out
}

// run records with rec into a fresh sequence and submits it once.
// begin returns a new sequence, recording; the caller destroys it.
func begin(t *testing.T, l *Lib) *vk.Sequence {
	t.Helper()
	seq, err := l.Dev.NewSequence(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := seq.Begin(); err != nil {
		seq.Destroy()
		t.Fatal(err)
	}
	return seq
}

func run(t *testing.T, l *Lib, rec func(seq *vk.Sequence) error) {
	t.Helper()
	seq := begin(t, l)
	defer seq.Destroy()
	if err := rec(seq); err != nil {
		t.Fatal(err)
	}
	if err := seq.End(); err != nil {
		t.Fatal(err)
	}
	if err := seq.Submit(); err != nil {
		t.Fatal(err)
	}
}

func randn(rng *rand.Rand, n int, scale, shift float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()*scale + shift
	}
	return v
}
