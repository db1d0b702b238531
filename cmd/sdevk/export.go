package main

import (
	"fmt"
	"io"
	"os"

	"github.com/sdevk/sdevk/checkpoint"
)

func init() {
	register("export", "write a sampling-only copy of a checkpoint (one weight set, no optimiser state), e.g. for pretrained/", runExport)
}

func runExport(args []string, stdout io.Writer) error {
	fs := newFlags("export")
	ckpt := fs.String("checkpoint", "", "run directory (its latest checkpoint) or checkpoint file")
	weights := fs.String("weights", "ema", "the weights to keep: ema | model")
	out := fs.String("out", "", "file to write (.safetensors), or a directory to hold "+checkpoint.ModelFile)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *ckpt == "" || *out == "" {
		return usagef("export: --checkpoint and --out are required")
	}
	path, err := checkpoint.Resolve(*ckpt)
	if err != nil {
		return usagef("export: %v", err)
	}
	c, err := checkpoint.Load(path)
	if err != nil {
		return usagef("export: %v", err)
	}
	e, err := checkpoint.Export(c, checkpoint.Weights(*weights))
	if err != nil {
		return usagef("export: %s: %v", path, err)
	}
	dst := *out
	if st, err := os.Stat(dst); err == nil && st.IsDir() {
		dst = dst + string(os.PathSeparator) + checkpoint.ModelFile
	}
	if err := checkpoint.Save(dst, e); err != nil {
		return err
	}
	values := 0
	for _, t := range e.Tensors {
		values += len(t.Data)
	}
	fmt.Fprintf(stdout, "step %s: %d tensors (%d values, %s weights) from %s -> %s\n", e.Meta["step"], len(e.Tensors), values, *weights, path, dst)
	return nil
}
