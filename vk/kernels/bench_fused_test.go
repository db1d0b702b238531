package kernels

import (
	"fmt"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

const benchFloats = 16 << 20

func benchBuf(b *testing.B, dev *vk.Device, n int) *vk.Buffer {
	b.Helper()
	buf, err := dev.NewBufferF32(n)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(buf.Free)
	return buf
}

// BenchmarkAXPBYPCZ: y = a x + b g + c z over 16M floats; bytes are the
// three streams read plus the one written. groups=0 is the simple (GPU)
// variant; the others are shapes of the CPU-type variant.
func BenchmarkAXPBYPCZ(b *testing.B) {
	l := New(vktest.Open(b, vk.Options{}))
	x, g, z, y := benchBuf(b, l.Dev, benchFloats), benchBuf(b, l.Dev, benchFloats), benchBuf(b, l.Dev, benchFloats), benchBuf(b, l.Dev, benchFloats)
	benchOnce(b, l.Dev, func(seq *vk.Sequence) error {
		for _, buf := range []*vk.Buffer{x, g, z} {
			seq.Fill(buf, 0x3f800000)
		}
		return nil
	})
	for _, v := range []struct{ groups, local, unroll int }{
		{0, 0, 0}, {2, 8, 4}, {16, 8, 1}, {16, 8, 8}, {64, 8, 4},
	} {
		b.Run(fmt.Sprintf("groups=%d/local=%d/unroll=%d", v.groups, v.local, v.unroll), func(b *testing.B) {
			l.Tuning.Fused = Chunking{Groups: v.groups, Local: v.local, Unroll: v.unroll}
			benchReplay(b, l.Dev, 0, 4*4*benchFloats, func(seq *vk.Sequence) error {
				return l.AXPBYPCZ(seq, y, x, g, z, benchFloats, 0.5, -0.25, 2)
			})
		})
	}
}

// BenchmarkCopyBuffer: vkCmdCopyBuffer of 16M floats, the memory reference;
// bytes are the stream read plus the one written.
func BenchmarkCopyBuffer(b *testing.B) {
	dev := vktest.Open(b, vk.Options{})
	src, dst := benchBuf(b, dev, benchFloats), benchBuf(b, dev, benchFloats)
	benchOnce(b, dev, func(seq *vk.Sequence) error {
		seq.Fill(src, 0x3f800000)
		return nil
	})
	benchReplay(b, dev, 0, 2*4*benchFloats, func(seq *vk.Sequence) error {
		seq.Copy(dst, src)
		return nil
	})
}
