package main

import (
	"fmt"
	"io"

	"github.com/sdevk/sdevk/data"
)

func init() {
	register("merge", "join sample shards (sdevk sample --first K --n N) into one .npy in index order: merge --out all.npy shard-*.npy", runMerge)
}

// runMerge checks the shards' sidecars (one run: same model, seed and
// sampler settings; no gap, no overlap) and writes the joined .npy.
func runMerge(args []string, stdout io.Writer) error {
	fs := newFlags("merge")
	out := fs.String("out", "", "output .npy file (its sidecar OUT.json is written beside it)")
	flags, shards := splitShardArgs(args)
	if err := parseFlags(fs, flags); err != nil {
		return err
	}
	if *out == "" {
		return usagef("merge: --out: an output file is required")
	}
	if err := checkOutPath("--out", *out); err != nil {
		return err
	}
	m, err := data.PlanMerge(*out, shards)
	if err != nil {
		return usagef("%v", err)
	}
	if err := m.Write(); err != nil {
		return err
	}
	s := m.Merged
	fmt.Fprintf(stdout, "merged %d shards: samples %d..%d of seed %d, shape %v\n", len(shards), s.First, s.First+s.N-1, s.Seed, s.Shape)
	fmt.Fprintf(stdout, "wrote %s and %s\n", *out, data.SidecarPath(*out))
	return nil
}

// splitShardArgs separates merge's flags (--out PATH, --out=PATH, -h) from
// the shard paths, which may come before or after them.
func splitShardArgs(args []string) (flags, shards []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) < 2 || a[0] != '-' {
			shards = append(shards, a)
			continue
		}
		flags = append(flags, a)
		if (a == "-out" || a == "--out") && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, shards
}
