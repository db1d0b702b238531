package quality

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// BenchmarkExtractAcrossTimes runs the shipped MNIST classifier on 64
// images at the six times `sdevk train` measures a classifier's accuracy
// at: "fresh" builds an extractor (and its program) per time, as every
// Extract did before extractors kept their program; "reused" is one
// extractor.
func BenchmarkExtractAcrossTimes(b *testing.B) {
	net, w, err := LoadClassifier("../pretrained/mnist_classifier")
	if err != nil {
		b.Skip(err)
	}
	dev := vktest.Open(b, vk.Options{})
	const n = 64
	r := rand.New(rand.NewPCG(1, 1))
	x := make([]float32, n*net.Dim())
	for i := range x {
		x[i] = r.Float32()
	}
	times := []float64{0, 0.1, 0.25, 0.5, 0.75, 1}
	b.Run("fresh", func(b *testing.B) {
		for range b.N {
			for _, t := range times {
				e := &Extractor{Net: net, Weights: w, Dev: dev, T: t}
				if _, err := e.Extract(x, n); err != nil {
					b.Fatal(err)
				}
				e.Close()
			}
		}
	})
	b.Run("reused", func(b *testing.B) {
		for range b.N {
			e := &Extractor{Net: net, Weights: w, Dev: dev}
			for _, t := range times {
				if _, err := e.extract(x, n, t, false); err != nil {
					b.Fatal(err)
				}
			}
			e.Close()
		}
	})
}
