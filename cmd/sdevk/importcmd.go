package main

import (
	"fmt"
	"io"

	"github.com/sdevk/sdevk/checkpoint/scoresde"
	"github.com/sdevk/sdevk/sde/sampling"
)

func init() {
	register("import", "convert another code's checkpoint into an sdevk checkpoint (--from score_sde)", runImport)
}

func runImport(args []string, stdout io.Writer) error {
	fs := newFlags("import")
	from := fs.String("from", "", "the checkpoint's code: score_sde (yang-song/score_sde_pytorch)")
	ckpt := fs.String("checkpoint", "", "score_sde checkpoint (checkpoint_N.pth)")
	cfg := fs.String("config", "", "sdevk TOML config, or score_sde's config dumped as JSON (.json)")
	out := fs.String("out", "", "sdevk checkpoint to write (.safetensors); a JSON config's TOML goes beside it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *from != "score_sde":
		return usagef("import: --from %q: the only source is score_sde", *from)
	case *ckpt == "" || *cfg == "" || *out == "":
		return usagef("import: --checkpoint, --config and --out are required")
	}
	res, err := scoresde.Import(scoresde.Options{Checkpoint: *ckpt, Config: *cfg, Out: *out}, sampling.NetworkFromConfig)
	if err != nil {
		return usagef("import: %v", err)
	}
	fmt.Fprintf(stdout, "step %d: %d parameters (%d values), %d with an EMA -> %s\n", res.Step, res.Params, res.Values, res.Trainable, *out)
	if res.ConfigPath != "" {
		fmt.Fprintf(stdout, "config as TOML -> %s\n", res.ConfigPath)
	}
	return nil
}
