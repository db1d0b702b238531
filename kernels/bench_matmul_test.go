package kernels

import (
	"fmt"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// BenchmarkGemm times one SGEMM per submit for each variant at 512 and 1024
// (wall time of submit and wait; `sdevk bench` reports GPU time).
func BenchmarkGemm(b *testing.B) {
	l := New(vktest.Open(b, vk.Options{}))
	for _, n := range []int{512, 1024} {
		bufs := make([]*vk.Buffer, 3)
		for i := range bufs {
			buf, err := l.Dev.NewBufferF32(n * n)
			if err != nil {
				b.Fatal(err)
			}
			defer buf.Free()
			bufs[i] = buf
		}
		seq, err := l.Dev.NewSequence(false)
		if err != nil {
			b.Fatal(err)
		}
		defer seq.Destroy()
		if err := seq.Begin(); err != nil {
			b.Fatal(err)
		}
		for i, buf := range bufs {
			if err := l.Fill(seq, buf, n*n, float32(i+1)*0.01); err != nil {
				b.Fatal(err)
			}
		}
		if err := seq.End(); err != nil {
			b.Fatal(err)
		}
		if err := seq.Submit(); err != nil {
			b.Fatal(err)
		}
		for _, v := range []GemmVariant{GemmReg, GemmTiled, GemmNaive} {
			b.Run(fmt.Sprintf("%v/%d", v, n), func(b *testing.B) {
				if err := seq.Begin(); err != nil {
					b.Fatal(err)
				}
				if err := l.Gemm(seq, v, false, false, n, n, n, 1, bufs[0], bufs[1], 0, bufs[2], 1, 0, 0, 0); err != nil {
					b.Fatal(err)
				}
				if err := seq.End(); err != nil {
					b.Fatal(err)
				}
				if err := seq.Submit(); err != nil { // compile and warm up
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := seq.Submit(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
