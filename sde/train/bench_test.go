package train

import (
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// BenchmarkTrainStep replays the recorded MLP training step (batch 512,
// width 32 here; `sdevk bench --op trainstep` runs the 128-wide one) and
// reports the host time per step beside the wall time.
func BenchmarkTrainStep(b *testing.B) {
	dev := vktest.Open(b, vk.Options{})
	cfg := testConfig(b)
	cfg.Batch = 512
	tr, err := New(dev, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Next(); err != nil {
		b.Fatal(err)
	}
	host0, _ := tr.Times()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Next(); err != nil {
			b.Fatal(err)
		}
	}
	host, _ := tr.Times()
	b.ReportMetric(float64((host-host0).Microseconds())/float64(b.N), "host-us/step")
}
