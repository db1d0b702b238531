package kernels

import (
	"testing"
	"time"

	"github.com/sdevk/sdevk/vk"
)

// The benchmarks' harness: commands are recorded once and replayed, as the
// graph executor and the samplers do.

// benchRecord records rec into a new sequence, ended; the caller destroys
// it.
func benchRecord(b *testing.B, dev *vk.Device, rec func(seq *vk.Sequence) error) *vk.Sequence {
	b.Helper()
	seq, err := dev.NewSequence(false)
	if err != nil {
		b.Fatal(err)
	}
	if err := seq.Begin(); err != nil {
		b.Fatal(err)
	}
	if err := rec(seq); err != nil {
		b.Fatal(err)
	}
	if err := seq.End(); err != nil {
		b.Fatal(err)
	}
	return seq
}

// benchOnce records rec and submits it once (to set up inputs).
func benchOnce(b *testing.B, dev *vk.Device, rec func(seq *vk.Sequence) error) {
	b.Helper()
	seq := benchRecord(b, dev, rec)
	defer seq.Destroy()
	if err := seq.Submit(); err != nil {
		b.Fatal(err)
	}
}

// benchReplay records rec, submits it once to warm up, then b.N times
// timed (wall time of submit and wait). It reports ms/op, and GFLOP/s
// when flops > 0; bytes > 0 gives MB/s and GB/s.
func benchReplay(b *testing.B, dev *vk.Device, flops float64, bytes int64, rec func(seq *vk.Sequence) error) {
	b.Helper()
	seq := benchRecord(b, dev, rec)
	defer seq.Destroy()
	if err := seq.Submit(); err != nil { // warm-up
		b.Fatal(err)
	}
	if bytes > 0 {
		b.SetBytes(bytes)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := seq.Submit(); err != nil {
			b.Fatal(err)
		}
	}
	per := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(per*1e3, "ms/op")
	if flops > 0 {
		b.ReportMetric(flops/per/1e9, "GFLOP/s")
	}
	if bytes > 0 {
		b.ReportMetric(float64(bytes)/per/1e9, "GB/s")
	}
}
