package config

import (
	"strings"
	"testing"
)

// TestPointClassifierObjective: the classifier objective trains on a
// Gaussian mixture with the MLP keys, and bad settings name their key.
func TestPointClassifierObjective(t *testing.T) {
	const base = "[data]\nkind = \"8gaussians\"\n[training]\nobjective = \"classifier\"\n[model]\nname = \"classifier\"\nhidden = 32\n"
	c, err := Parse("p.toml", []byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	if pc := c.PointClassifierConfig(8, 2); pc.PointDim != 2 || pc.Hidden != 32 || pc.NumClasses != 8 || !pc.Conditional {
		t.Errorf("point classifier %+v", pc)
	}
	for _, tc := range []struct{ src, want string }{
		{strings.Replace(base, "8gaussians", "swiss_roll", 1), `p.toml:2: data.kind: the classifier objective trains on labelled images (data.kind = "images") or a Gaussian mixture`},
		{base + "conditional = false\n", "p.toml:8: model.conditional: a point classifier is noise-conditional"},
		{base + "activation = \"relu\"\n", `p.toml:8: model.activation: "relu" unknown`},
		{"[data]\nkind = \"images\"\ndataset = \"MNIST\"\n[training]\nobjective = \"classifier\"\n[model]\nname = \"classifier\"\nnf = 3\n",
			"p.toml:8: model.nf: must be even"},
	} {
		_, err := Parse("p.toml", []byte(tc.src), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config\n%s\nerror %v, want it to contain %q", tc.src, err, tc.want)
		}
	}
}
