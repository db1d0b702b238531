package main

import (
	"flag"

	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/sde/sampling"
)

// controlFlags are sample's controllable-generation flags (score_sde's
// conditional sampling and inpainting): a class with the oracle classifier,
// known coordinates.
type controlFlags struct {
	class      int
	classifier string
	scale      float64
	known      string
}

func (f *controlFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.class, "class", 0, "sample class K: with the oracle classifier, component K (0-based) of the config's Gaussian mixture")
	fs.StringVar(&f.classifier, "classifier", "oracle", "classifier of --class: oracle (the exact posterior over the mixture's components)")
	fs.Float64Var(&f.scale, "scale", 1, "classifier scale of --class: score + scale * grad log p_t(class | x)")
	fs.StringVar(&f.known, "known", "", "inpaint points: fixed coordinates \"0=1.5,3=-2\" (0-based), the others sampled (pc or em)")
}

// inpaint sets r's known coordinates from --known.
func (f *controlFlags) inpaint(r *sampling.Request, given map[string]bool) error {
	if !given["known"] {
		return nil
	}
	k, err := sde.ParseKnown(f.known, r.Dim)
	if err != nil {
		return usagef("--known: %v", err)
	}
	r.Known = &k
	return nil
}

// apply returns src steered as the flags ask.
func (f *controlFlags) apply(src sampling.ScoreModel, given map[string]bool) (sampling.ScoreModel, error) {
	if !given["class"] {
		for _, name := range []string{"classifier", "scale"} {
			if given[name] {
				return src, usagef("--%s: only used with --class", name)
			}
		}
		return src, nil
	}
	if f.classifier != "oracle" {
		return src, usagef("--classifier: %q is not available; only oracle (a Gaussian-mixture config's exact classifier)", f.classifier)
	}
	out, err := src.WithClass(f.class, f.scale)
	if err != nil {
		return src, usagef("--class: %v", err)
	}
	return out, nil
}
