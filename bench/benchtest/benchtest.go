// Package benchtest runs bench's kernel cases as `go test -bench`
// benchmarks: the same cases, the same harness (prepared once, replayed,
// GPU time from timestamps) and the same same-run references as
// `sdevk bench`, so a kernel is measured in one place.
//
//	func BenchmarkGemm(b *testing.B) {
//		benchtest.Run(b, vktest.Open(b, vk.Options{}), "sgemm")
//	}
package benchtest

import (
	"strings"
	"testing"

	"github.com/sdevk/sdevk/bench"
	"github.com/sdevk/sdevk/vk"
)

// Run runs the cases of each group (see bench.Ops) as sub-benchmarks of b,
// named op/shape/variant, each after its reference. A sub-benchmark replays
// its case b.N times after one warm-up and reports the median time
// (ms/op: GPU time where the case is timestamped, else wall time),
// GFLOP/s and GB/s where the case counts work, and vs-ref, its throughput
// over its reference's (see bench.Row.VsRef).
func Run(b *testing.B, dev *vk.Device, groups ...string) {
	done := map[string]bench.Row{}
	for _, g := range groups {
		cases, err := bench.Cases(dev, g, bench.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range cases {
			runCase(b, dev, c, done)
		}
	}
}

func runCase(b *testing.B, dev *vk.Device, c *bench.Case, done map[string]bench.Row) {
	if _, ok := done[c.Key()]; ok {
		return
	}
	if c.Ref != nil {
		runCase(b, dev, c.Ref, done)
	}
	name := strings.Join([]string{c.Op, c.Shape, c.Variant}, "/")
	b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
		p, err := c.Prepare()
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		if _, err := p.Once(); err != nil { // warm-up
			b.Fatal(err)
		}
		ms := make([]float64, b.N)
		b.ResetTimer()
		for i := range ms {
			if ms[i], err = p.Once(); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		row := c.Row(dev.Info.Name, ms)
		b.ReportMetric(row.MedianMs, "ms/op")
		if row.GFLOPS > 0 {
			b.ReportMetric(row.GFLOPS, "GFLOP/s")
		}
		if row.GBps > 0 {
			b.ReportMetric(row.GBps, "GB/s")
		}
		if c.Ref != nil {
			if ref, ok := done[c.Ref.Key()]; ok {
				row.CompareWith(ref)
				b.ReportMetric(row.VsRef, "vs-ref")
			}
		}
		done[c.Key()] = row
	})
}
