package sampling

import (
	"context"
	"testing"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// classConfig is the 8-Gaussians mixture under the VP SDE, with a
// reverse-diffusion predictor and a Langevin corrector for PC.
const classConfig = `seed = 3
[data]
kind = "8gaussians"
[sde]
kind = "vp"
num_scales = 300
[sampling]
method = "pc"
predictor = "reverse_diffusion"
corrector = "langevin"
snr = 0.16
n_steps_each = 1
noise_removal = true
`

func classRequest(t *testing.T, m Method, n int, k int, scale float64, set ...string) Request {
	t.Helper()
	c, err := config.Parse("class.toml", []byte(classConfig), set)
	if err != nil {
		t.Fatal(err)
	}
	sm, err := OracleModel(data.EightGaussians()).WithClass(k, scale)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRequest(c, m, n, 2, 17, sm)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestClassBackendsAgree (Acceptance 2): the class-guided PC, EM, ODE and
// few-step samplers on the device follow their float64 reference with the same
// Philox draws. (The Reference backend's Langevin corrector draws its noise
// differently from the device's, so PC runs here without a corrector.)
func TestClassBackendsAgree(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	for _, tc := range []struct {
		m   Method
		set []string
	}{
		{PC, []string{"sde.beta_max=10", "sampling.n_steps=20", "sampling.corrector=none"}},
		{EM, []string{"sde.beta_max=10", "sampling.n_steps=20", "sampling.corrector=none"}},
		{ODE, []string{"sampling.ode_solver=euler", "sde.beta_max=10", "sampling.n_steps=20"}},
	} {
		r := classRequest(t, tc.m, 29, 5, 2.5, tc.set...)
		want, got := sampleBoth(t, dev, r)
		vktest.Close(t, r.Describe(), float32s(got), want, 2e-3, 2e-3)
	}
}

// TestClassConditionalSamples (Acceptance 1): at scale 1, class-conditional
// PC and ODE samples of class k match component k within 2x the
// exact-vs-exact floor of the energy distance, with under 1% assigned to
// other components.
func TestClassConditionalSamples(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	g := data.EightGaussians()
	const n, k = 1000, 2
	for _, m := range []Method{PC, ODE} {
		r := classRequest(t, m, n, k, 1)
		x, _, err := (&Device{Dev: dev}).Sample(context.Background(), r)
		if err != nil {
			t.Fatalf("%s: %v", r.Describe(), err)
		}
		ev, err := data.Evaluate(g.Component(k), x, 9, 8)
		if err != nil {
			t.Fatal(err)
		}
		other := 0
		for _, a := range g.Assign(x) {
			if a != k {
				other++
			}
		}
		t.Logf("%s: energy distance %.3g, floor %.3g (ratio %.2f), %d of %d from other components",
			r.Describe(), ev.EnergyDistance, ev.NoiseFloor, ev.Ratio, other, n)
		if ev.Ratio > 2 {
			t.Errorf("%s: energy distance to component %d is %.2f x the noise floor, want <= 2", r.Describe(), k, ev.Ratio)
		}
		if float64(other) >= 0.01*n {
			t.Errorf("%s: %d of %d samples belong to other components", r.Describe(), other, n)
		}
	}
}

func TestWithClassErrors(t *testing.T) {
	if _, err := OracleModel(data.EightGaussians()).WithClass(8, 1); err == nil {
		t.Error("class 8 of 8 components accepted")
	}
	guided, err := OracleModel(data.EightGaussians()).WithClass(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := config.Parse("class.toml", []byte(classConfig), nil)
	s, _ := c.NewSDE(0)
	lr := LikelihoodRequest{SDE: s, Dim: 2, X: make([]float64, 4), Score: guided}
	if _, err := (Reference{}).LogLikelihood(context.Background(), lr); err == nil {
		t.Error("the likelihood accepted a class-guided score")
	}
	if _, err := (ScoreModel{Name: "points"}).WithClass(0, 1); err == nil {
		t.Error("a score without a mixture accepted the oracle classifier")
	}
}
