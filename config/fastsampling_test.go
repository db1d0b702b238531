package config

import (
	"strings"
	"testing"
)

// TestFastSamplingKeys reads the few-step sampler keys from a file and
// --set, and names the key of a bad value.
func TestFastSamplingKeys(t *testing.T) {
	c, err := Parse("f.toml", []byte("[sampling]\nmethod = \"ddim\"\neta = 0.5\nschedule = \"karras\"\n"), []string{"sampling.fast_steps=12", "sampling.s_churn=5"})
	if err != nil {
		t.Fatal(err)
	}
	f := c.Sampling.FastSampling
	if c.Sampling.Method != "ddim" || f.Eta != 0.5 || f.Schedule != "karras" || f.FastSteps != 12 || f.SChurn != 5 || f.Rho != 7 {
		t.Errorf("sampling %+v", c.Sampling)
	}
	for _, bad := range []string{"sampling.eta=2", "sampling.order=4", "sampling.schedule=cosine", "sampling.adaptive_rtol=0", "sampling.fast_steps=0"} {
		_, err := Parse("f.toml", nil, []string{bad})
		key, _, _ := strings.Cut(bad, "=")
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: error %v, want one naming %s", bad, err, key)
		}
	}
}
