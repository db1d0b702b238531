package main

import (
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/sde/sampling"
)

// controlFlags are sample's controllable-generation flags (score_sde's
// conditional sampling and inpainting): classes with the oracle classifier
// or a trained one, known coordinates.
type controlFlags struct {
	class      string
	classifier string
	scale      float64
	known      string
}

func (f *controlFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.class, "class", "", "sample class K (0-based), a list \"0,1,2\" or all: --n samples per class, class-major in the .npy (images: one grid row per class); with the oracle classifier a class is a component of the config's Gaussian mixture")
	fs.StringVar(&f.classifier, "classifier", "", "classifier of --class: oracle (a Gaussian-mixture config's exact posterior over components; the default there), or a run directory / checkpoint of a noise-conditional classifier trained by sdevk train (required for a network score; with --score oracle it steers the exact score)")
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

// classRuns are the score models of a sampling run: src alone without
// --class, else src guided towards each asked class in turn.
type classRuns struct {
	classes []int // nil without --class
	models  []sampling.ScoreModel
}

// apply returns src steered as the flags ask; modelSDE is the SDE src
// samples, im the geometry of an image model's samples (nil for points).
func (f *controlFlags) apply(src sampling.ScoreModel, modelSDE config.SDEConfig, im *sampling.Images, given map[string]bool) (classRuns, error) {
	if !given["class"] {
		for _, name := range []string{"classifier", "scale"} {
			if given[name] {
				return classRuns{}, usagef("--%s: only used with --class", name)
			}
		}
		return classRuns{models: []sampling.ScoreModel{src}}, nil
	}
	if math.IsNaN(f.scale) || math.IsInf(f.scale, 0) {
		return classRuns{}, usagef("--scale: must be a finite number, got %g", f.scale)
	}
	guide, count, err := f.guide(src, modelSDE, im)
	if err != nil {
		return classRuns{}, err
	}
	classes, err := parseClasses(f.class, count)
	if err != nil {
		return classRuns{}, err
	}
	runs := classRuns{classes: classes}
	for _, k := range classes {
		m, err := guide(k)
		if err != nil {
			return classRuns{}, usagef("--class: %v", err)
		}
		runs.models = append(runs.models, m)
	}
	return runs, nil
}

// guide resolves --classifier for src: it returns the function guiding src
// towards a class, and the number of classes.
func (f *controlFlags) guide(src sampling.ScoreModel, modelSDE config.SDEConfig, im *sampling.Images) (func(k int) (sampling.ScoreModel, error), int, error) {
	name := f.classifier
	switch {
	case name == "" && src.IsNet():
		return nil, 0, usagef("--class: the network score %s needs --classifier RUN, a noise-conditional classifier trained by sdevk train", src.Name)
	case name == "" || name == "oracle":
		if src.IsNet() {
			return nil, 0, usagef("--classifier oracle: the exact classifier is a Gaussian mixture's (--score oracle); for the network %s give --classifier RUN", src.Name)
		}
		guide := func(k int) (sampling.ScoreModel, error) { return src.WithClass(k, f.scale) }
		return guide, src.ClassCount(nil), nil
	}
	cls, err := sampling.LoadClassifier(name)
	if err != nil {
		return nil, 0, usagef("--classifier: %v", err)
	}
	if err := cls.CheckSDE(modelSDE); err != nil {
		return nil, 0, usagef("--classifier: %v", err)
	}
	// Every classifier has a class 0: this checks that it fits the model.
	if _, err := src.WithClassifier(cls, im, 0, f.scale); err != nil {
		return nil, 0, usagef("--classifier: %v", err)
	}
	guide := func(k int) (sampling.ScoreModel, error) { return src.WithClassifier(cls, im, k, f.scale) }
	return guide, src.ClassCount(&cls), nil
}

// parseClasses reads --class: "all" (0..count-1), or class numbers
// separated by commas.
func parseClasses(s string, count int) ([]int, error) {
	if strings.TrimSpace(s) == "all" {
		classes := make([]int, count)
		for i := range classes {
			classes[i] = i
		}
		return classes, nil
	}
	var classes []int
	for _, part := range strings.Split(s, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return nil, usagef("--class: %q is not a class number (want K, a list \"0,1,2\" or all)", part)
		}
		classes = append(classes, k)
	}
	return classes, nil
}

// requests splits o into one request per class, class-major: class i's
// samples are o.First + i*o.N .. of the run, so scale 0 reproduces the
// unguided run of all of them.
func (r classRuns) requests(o sampling.Request) []sampling.Request {
	out := make([]sampling.Request, len(r.models))
	for i, m := range r.models {
		out[i] = o
		out[i].Score, out[i].First = m, o.First+i*o.N
	}
	return out
}

// layout describes the class-major rows for the output line and sidecar;
// "" for a run without a class list.
func (r classRuns) layout(perClass int) string {
	if len(r.classes) < 2 {
		return ""
	}
	s := make([]string, len(r.classes))
	for i, k := range r.classes {
		s[i] = strconv.Itoa(k)
	}
	return fmt.Sprintf("class-major: classes %s, %d samples each", strings.Join(s, ","), perClass)
}

// layoutShard is the sidecar of the run o (all its classes) with the given
// shape, naming a class list's class-major layout in its sampler and
// settings.
func layoutShard(o sampling.Request, shape []int, im *sampling.Images, layout string) data.Shard {
	shard := o.Shard(shape, im)
	if layout != "" {
		shard.Sampler += "; " + layout
		shard.Settings += "; " + layout
	}
	return shard
}
