package quality

import (
	"testing"
	"time"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/vk"
)

func TestZZTiming(t *testing.T) {
	test, err := data.LoadImageSet("mnist", "test", "")
	if err != nil {
		t.Skip(err)
	}
	train, err := data.LoadImageSet("mnist", "train", "")
	if err != nil {
		t.Fatal(err)
	}
	net, _ := model.NewClassifier(model.DefaultClassifierConfig())
	w, _ := model.InitParams32(net.Params(), 1)
	dev := vktest.Open(t, vk.Options{})
	ex := &Extractor{Net: net, Weights: w, Dev: dev, Batch: 256}
	samples := Unit(pickImages(train, 1000, 9))
	start := time.Now()
	r, err := EvaluateImages(ex, ImageSets{Samples: samples, Shape: []int{1000, 1, 28, 28}, Test: test, Train: train, Floor: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d params; %v for 1000 samples + 10000 test + 1000 floor: FID %.4g floor %.4g KID %.3g conf %.3f dev %.2f",
		net.NumParams(), time.Since(start), r.FID, *r.FloorFID, r.KID.Mean, r.Classes.MeanConfidence, r.Classes.MaxDeviationPP)
}
