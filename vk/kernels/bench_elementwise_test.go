package kernels

import (
	"fmt"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// BenchmarkElementwise: Unary SiLU and Binary Add on the MLP sampler's
// [10000,128] (with a bias row) and on 16M floats; bytes are the streams
// read plus the one written (a repeated bias row counts once). variant=old
// is the GPU shader (Tuning.Elementwise.Groups = 0); the others are shapes
// of the CPU-type variant.
func BenchmarkElementwise(b *testing.B) {
	l := New(vktest.Open(b, vk.Options{}))
	x, y, z := benchBuf(b, l.Dev, benchFloats), benchBuf(b, l.Dev, benchFloats), benchBuf(b, l.Dev, benchFloats)
	benchOnce(b, l.Dev, func(seq *vk.Sequence) error {
		seq.Fill(x, 0x3f800000)
		seq.Fill(y, 0x3f000000)
		return nil
	})
	const rows, cols = 10000, 128
	cases := []struct {
		name  string
		bytes int64
		rec   func(seq *vk.Sequence) error
	}{
		{"silu/10000x128", 8 * rows * cols, func(seq *vk.Sequence) error {
			return l.Unary(seq, SiLU, x, z, rows*cols, 1, 0, 0)
		}},
		{"add-bias/10000x128", 8*rows*cols + 4*cols, func(seq *vk.Sequence) error {
			return l.Binary(seq, Add, x, y, z, []int{rows, cols}, []int{cols})
		}},
		{"add-bias/10000x130", 8*rows*130 + 4*130, func(seq *vk.Sequence) error {
			// A row of 130: float units (the block is not whole vec4s).
			return l.Binary(seq, Add, x, y, z, []int{rows, 130}, []int{130})
		}},
		{"silu/16M", 8 * benchFloats, func(seq *vk.Sequence) error {
			return l.Unary(seq, SiLU, x, z, benchFloats, 1, 0, 0)
		}},
		{"add/16M", 12 * benchFloats, func(seq *vk.Sequence) error {
			return l.Binary(seq, Add, x, y, z, []int{benchFloats}, []int{benchFloats})
		}},
		{"add-bias/16M", 8*benchFloats + 4*cols, func(seq *vk.Sequence) error {
			return l.Binary(seq, Add, x, y, z, []int{benchFloats / cols, cols}, []int{cols})
		}},
	}
	variants := []struct {
		groups, local, unroll int
		vec4                  bool
	}{
		{0, 0, 0, false}, {2, 8, 1, true}, {2, 8, 4, true}, {4, 8, 4, true}, {2, 8, 4, false},
	}
	for _, c := range cases {
		for _, v := range variants {
			name := "variant=old"
			if v.groups > 0 {
				name = fmt.Sprintf("groups=%d/local=%d/unroll=%d/vec4=%v", v.groups, v.local, v.unroll, v.vec4)
			}
			b.Run(c.name+"/"+name, func(b *testing.B) {
				l.Tuning.Elementwise, l.Tuning.ElemVec4 = Chunking{Groups: v.groups, Local: v.local, Unroll: v.unroll}, v.vec4
				benchReplay(b, l.Dev, 0, c.bytes, c.rec)
			})
		}
	}
}
