package data

import (
	"context"
	"math"
	"slices"
	"testing"
)

// idImages are n one-channel h x w images whose label is their index and
// whose pixel (y, x) is (7*index + 3*x + y) mod 256: content and label
// identify the image, and no row reads the same backwards.
func idImages(n, h, w int) *Images {
	im := &Images{N: n, C: 1, H: h, W: w, Pixels: make([]uint8, n*h*w), Labels: make([]int, n), Classes: make([]string, n)}
	for i := range n {
		im.Labels[i] = i
		for y := range h {
			for x := range w {
				im.Pixels[(i*h+y)*w+x] = uint8((7*i + 3*x + y) % 256)
			}
		}
	}
	return im
}

func TestPipelineShuffleIsReproduciblePermutation(t *testing.T) {
	p := &Pipeline{Images: idImages(103, 2, 3), Batch: 10, Seed: 42}
	if p.BatchesPerEpoch() != 10 {
		t.Fatalf("%d batches per epoch, want 10 (the 3 left over dropped)", p.BatchesPerEpoch())
	}
	a, b := p.Permutation(5), p.Permutation(5)
	if !slices.Equal(a, b) {
		t.Fatal("the same (seed, epoch) gave two orders")
	}
	if slices.Equal(a, p.Permutation(6)) {
		t.Fatal("epochs 5 and 6 have the same order")
	}
	sorted := slices.Sorted(slices.Values(a))
	for i, v := range sorted {
		if v != i {
			t.Fatalf("epoch 5's order is not a permutation of 0..102: %v", sorted)
		}
	}
	// One epoch's batches visit 100 distinct images, labels kept with them.
	seen := map[int]bool{}
	for s := 10; s < 20; s++ {
		bt, err := p.Make(s)
		if err != nil {
			t.Fatal(err)
		}
		if bt.Epoch != 1 {
			t.Fatalf("step %d in epoch %d, want 1", s, bt.Epoch)
		}
		for k, l := range bt.Labels {
			seen[l] = true
			if want := float32(p.Images.Image(l)[0]) / 255; bt.X[k*6] != want {
				t.Fatalf("step %d image %d: label %d but first pixel %v, want %v", s, k, l, bt.X[k*6], want)
			}
		}
	}
	if len(seen) != 100 {
		t.Fatalf("epoch 1 visited %d distinct images, want 100", len(seen))
	}
}

func TestPipelineRangeAndDequantisation(t *testing.T) {
	im := idImages(64, 4, 5)
	for _, centered := range []bool{false, true} {
		for _, deq := range []bool{false, true} {
			p := &Pipeline{Images: im, Batch: 64, Centered: centered, Dequantize: deq, Seed: 1}
			b, err := p.Make(0)
			if err != nil {
				t.Fatal(err)
			}
			noise := 0.0
			for k, l := range b.Labels {
				src := im.Image(l)
				for i, v := range b.X[k*20 : (k+1)*20] {
					x := float64(v)
					if centered {
						x = (x + 1) / 2
					}
					if x < 0 || x > 1 {
						t.Fatalf("centered %v dequantised %v: value %v out of range", centered, deq, v)
					}
					if !deq {
						if math.Abs(x*255-float64(src[i])) > 1e-4 {
							t.Fatalf("value %v is not level %d / 255", x, src[i])
						}
						continue
					}
					u := x*256 - float64(src[i])
					if u < -1e-4 || u > 1+1e-4 {
						t.Fatalf("dequantised value %v is %v levels from %d, want within one level above", x, u, src[i])
					}
					noise += u
				}
			}
			// The noise is uniform on [0, 1): mean 1/2, standard error
			// sqrt(1/12 / 1280) = 0.008.
			if mean := noise / float64(len(b.X)); deq && math.Abs(mean-0.5) > 0.04 {
				t.Fatalf("mean dequantisation noise %v levels, want 0.5", mean)
			}
		}
	}
}

func TestPipelineFlipsHalfLeftRight(t *testing.T) {
	im := idImages(2000, 1, 4)
	p := &Pipeline{Images: im, Batch: 2000, Flip: true, Seed: 9}
	b, err := p.Make(0)
	if err != nil {
		t.Fatal(err)
	}
	flipped := 0
	for k, l := range b.Labels {
		src, got := im.Image(l), b.X[k*4:(k+1)*4]
		same, mirror := true, true
		for x := range 4 {
			same = same && got[x] == float32(src[x])/255
			mirror = mirror && got[x] == float32(src[3-x])/255
		}
		if same == mirror {
			t.Fatalf("image %d is neither itself nor its mirror: %v from %v", l, got, src)
		}
		if mirror {
			flipped++
		}
	}
	// Binomial(2000, 1/2): standard deviation 22.
	if flipped < 1000-110 || flipped > 1000+110 {
		t.Fatalf("%d of 2000 images flipped, want about 1000", flipped)
	}
}

// TestPipelineStreamMatchesMake: the goroutine's batches from a resumed
// step are bit-identical to making them directly, across an epoch boundary.
func TestPipelineStreamMatchesMake(t *testing.T) {
	p := &Pipeline{Images: idImages(30, 3, 3), Batch: 7, Centered: true, Dequantize: true, Flip: true, Seed: 3}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := p.Stream(ctx, 6, 2)
	if err != nil {
		t.Fatal(err)
	}
	for s := 6; s < 14; s++ {
		got := <-ch
		want, _ := p.Make(s)
		if got.Step != s || !slices.Equal(got.X, want.X) || !slices.Equal(got.Labels, want.Labels) {
			t.Fatalf("streamed step %d differs from Make(%d)", got.Step, s)
		}
	}
	cancel()
	for range ch { // the producer stops and closes the channel
	}
	if _, err := (&Pipeline{Images: idImages(3, 1, 1), Batch: 4}).Stream(ctx, 0, 1); err == nil {
		t.Fatal("a batch larger than the set was accepted")
	}
}

// BenchmarkPipelineCIFARBatch makes one 128-image CIFAR-sized batch with
// every option on: the per-step cost the batching goroutine hides.
func BenchmarkPipelineCIFARBatch(b *testing.B) {
	im := idImages(1024, 32, 96) // 3072 values an image, as CIFAR-10's 3x32x32
	p := &Pipeline{Images: im, Batch: 128, Centered: true, Dequantize: true, Flip: true, Seed: 1}
	perm := p.Permutation(0)
	for i := 0; b.Loop(); i++ {
		p.fill(i%p.BatchesPerEpoch(), perm)
	}
}
