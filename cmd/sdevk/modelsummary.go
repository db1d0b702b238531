package main

import (
	"fmt"
	"io"

	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/quality"
)

func init() {
	register("model", "build the [model] of a config and print its parameter count and a per-block summary (shapes, parameters, activation memory at the batch size)", runModel)
}

func runModel(args []string, stdout io.Writer) error {
	fs := newFlags("model")
	cfgPath := fs.String("config", "", "config file (TOML), e.g. configs/score_sde/vp/cifar10_ddpmpp_continuous.toml")
	batch := fs.Int("batch", 0, "batch size of the activation memory (default training.batch_size)")
	var sets setList
	fs.Var(&sets, "set", "override a config key, section.key=value (repeatable)")
	classifier := fs.String("classifier", "", "instead of a config, a classifier run directory or checkpoint: print its network and parameter count")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *classifier != "" {
		return printClassifier(stdout, *classifier, *cfgPath)
	}
	c, err := loadConfig(*cfgPath, sets)
	if err != nil {
		return err
	}
	if *batch < 0 {
		return usagef("--batch: %d must be >= 1 (or 0 for training.batch_size)", *batch)
	}
	if *batch == 0 {
		*batch = c.Training.BatchSize
	}
	s, err := c.NewSDE(0)
	if err != nil {
		return usagef("%s: %v", c.File, err)
	}
	if c.IsClassifier() {
		cc, classes := c.ClassifierConfig(10), "the data set's 10 classes, as MNIST, Fashion-MNIST and CIFAR-10 have"
		if !c.IsImages() {
			gmm, err := c.GMM()
			if err != nil {
				return usagef("%s: %v", c.File, err)
			}
			cc, classes = c.PointClassifierConfig(gmm.K(), gmm.Dim()), "one per mixture component"
		}
		net, err := model.NewClassifier(cc)
		if err != nil {
			return usagef("%s: %v", c.File, err)
		}
		if c.Model.NumClasses > 0 {
			classes = "model.num_classes"
		}
		fmt.Fprintf(stdout, "model %v (%s), %d-D features\nparameters %d\n", net.Config(), classes, net.FeatureDim(), net.NumParams())
		return nil
	}
	if !c.IsUNet() {
		ds, err := configDataset(c)
		if err != nil {
			return err
		}
		net, err := c.NewScoreNet(s, ds.Dim())
		if err != nil {
			return usagef("%s: %v", c.File, err)
		}
		n := 0
		for _, p := range net.Params() {
			n += p.Size()
		}
		fmt.Fprintf(stdout, "model mlp on %d-dimensional data\nparameters %d\n", ds.Dim(), n)
		return nil
	}
	net, err := c.NewUNet(s)
	if err != nil {
		return usagef("%s: %v", c.File, err)
	}
	sum, err := net.Summarise(*batch)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model %s with the %s SDE, input %v\nparameters %d\n", c.Model.Name, c.SDE.Kind, sum.Input, sum.Params)
	return sum.Write(stdout)
}

// printClassifier prints a classifier run's network and parameter count.
func printClassifier(w io.Writer, path, cfgPath string) error {
	if cfgPath != "" {
		return usagef("model: give either --config or --classifier, not both")
	}
	net, _, err := quality.LoadClassifier(path)
	if err != nil {
		return usagef("--classifier: %v", err)
	}
	fmt.Fprintf(w, "model %v, %d-D features\nparameters %d\n", net.Config(), net.FeatureDim(), net.NumParams())
	return nil
}
