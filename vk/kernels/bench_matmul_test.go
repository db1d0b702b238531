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
			bufs[i] = benchBuf(b, l.Dev, n*n)
		}
		benchOnce(b, l.Dev, func(seq *vk.Sequence) error {
			for i, buf := range bufs {
				if err := l.Fill(seq, buf, n*n, float32(i+1)*0.01); err != nil {
					return err
				}
			}
			return nil
		})
		for _, v := range []GemmVariant{GemmReg, GemmTiled, GemmNaive} {
			b.Run(fmt.Sprintf("%v/%d", v, n), func(b *testing.B) {
				benchReplay(b, l.Dev, 2*float64(n)*float64(n)*float64(n), 0, func(seq *vk.Sequence) error {
					return l.Gemm(seq, v, false, false, n, n, n, 1, bufs[0], bufs[1], 0, bufs[2], 1, 0, 0, 0)
				})
			})
		}
	}
}
