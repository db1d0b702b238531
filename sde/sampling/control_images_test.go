package sampling

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
)

// tinyUNetConfig is an NCSN++ of nf 8 on 8x8 RGB images in [-1, 1] under
// the VP SDE with few steps: small enough for the float64 reference.
const tinyUNetConfig = `seed = 5
[training]
sde = "vpsde"
continuous = true
[data]
dataset = "CIFAR10"
image_size = 8
num_channels = 3
centered = true
[model]
name = "ncsnpp"
nf = 8
ch_mult = [1, 2]
num_res_blocks = 1
attn_resolutions = [4]
num_scales = 12
beta_max = 10
[sampling]
method = "pc"
predictor = "euler_maruyama"
corrector = "none"
`

// tinyUNet is the model of tinyUNetConfig with random weights.
func tinyUNet(t *testing.T) (*config.Config, ScoreModel) {
	t.Helper()
	c, err := config.Parse("tiny.toml", []byte(tinyUNetConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	net, d, err := NetworkFromConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	w := map[string][]float32{}
	for _, p := range net.Params() {
		n := 1
		for _, s := range p.Shape {
			n *= s
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64() * 0.2)
		}
		w[p.Name] = v
	}
	return c, NetModel("tiny", net, w, d)
}

// TestImageControlUNet: inpainting (a mask per image, two samples of each)
// and colourisation with a U-Net on the device follow the float64
// reference with the same draws; the known pixels and grey levels of the
// finished [0, 1] samples are the inputs'.
func TestImageControlUNet(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	c, m := tinyUNet(t)
	r := rand.New(rand.NewPCG(3, 4))
	images := make([]float64, 2*3*64)
	for i := range images {
		images[i] = r.Float64()
	}
	mask, err := data.ParseMask("random:0.5", data.MaskFor{N: 2, C: 3, H: 8, W: 8, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	for _, job := range []ImageControl{
		{C: 3, H: 8, W: 8, Images: images, Mask: mask, PerImage: 2, Centered: true},
		{C: 3, H: 8, W: 8, Images: images, PerImage: 1, Centered: true},
	} {
		known, err := job.Constraint()
		if err != nil {
			t.Fatal(err)
		}
		req, err := NewRequest(c, PC, job.Samples(), job.Dim(), 17, m)
		if err != nil {
			t.Fatal(err)
		}
		req.Known = known
		want, got := sampleBoth(t, dev, req)
		vktest.Close(t, "u-net "+req.Describe(), float32s(got), want, 1e-3, 1e-3)
		out := job.Finish(got)
		if len(out) != job.Samples()*job.Dim() {
			t.Fatalf("%d values for %d samples", len(out), job.Samples())
		}
		for i, v := range out {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("value %d is %g, out of [0, 1]", i, v)
			}
			n, e := i/job.Dim()/job.PerImage, i%job.Dim()
			if job.Mask != nil && job.Mask.Image(n)[e%64] && math.Abs(float64(v)-images[n*job.Dim()+e]) > 1e-6 {
				t.Fatalf("sample %d: known value %d is %g, the input %g", i/job.Dim(), e, v, images[n*job.Dim()+e])
			}
		}
		if job.Mask == nil {
			in, _ := sde.GreyOf(images, job.Dim())
			res := make([]float64, len(out))
			for i, v := range out {
				res[i] = float64(v)
			}
			g, _ := sde.GreyOf(res, job.Dim())
			for p, v := range g.Level {
				if math.Abs(v-in.Level[p]) > 1e-6 {
					t.Fatalf("pixel %d: grey %g, the input's %g", p, v, in.Level[p])
				}
			}
		}
	}
	one := ImageControl{C: 1, H: 8, W: 8, Images: make([]float64, 64), PerImage: 1}
	if _, err := one.Constraint(); err == nil {
		t.Error("colourisation of 1-channel images accepted")
	}
}
