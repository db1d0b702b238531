package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sdevk/sdevk/bench"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

func init() {
	register("bench", "shader and model benchmarks on the selected device, with same-run references", runBench)
}

func runBench(args []string, stdout io.Writer) error {
	fs := newFlags("bench")
	asJSON := fs.Bool("json", false, "print one JSON row per line")
	ops := fs.String("op", "", "comma-separated groups: "+strings.Join(bench.Ops, ",")+" (default: the first five)")
	quick := fs.Bool("quick", false, "small sizes and few repeats")
	profile := fs.Bool("profile", false, "after each training-step and sampling row, each kernel's GPU time in one step (one chunk of sampling steps)")
	device := fs.String("device", "", "Vulkan device index or name part")
	var tunings setList
	fs.Var(&tunings, "tuning", "override the kernel tuning, field=value as in `sdevk info --json`'s tuning, or preset=cpu|gpu (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opt := bench.Options{Quick: *quick, Profile: *profile}
	if *ops != "" {
		opt.Ops = strings.Split(*ops, ",")
		for _, op := range opt.Ops {
			if !contains(bench.Ops, op) {
				return usagef("--op: unknown group %q (known: %s)", op, strings.Join(bench.Ops, ", "))
			}
		}
	}
	dev, err := vk.Open(vk.Options{Device: *device, Profile: *profile, Tuning: tunings})
	if err != nil {
		return err
	}
	defer dev.Close()
	if _, err := kernels.TuningFor(&dev.Info, tunings); err != nil {
		return usagef("--tuning: %v", err)
	}
	rows, err := bench.Run(dev, opt)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "op\tshape\tvariant\tmedian ms\tmin ms\tmax ms\tGFLOP/s\tGB/s\thost us\tplanned/unplanned\tnote")
		for _, r := range rows {
			mem := ""
			if r.UnplannedBytes > 0 {
				mem = fmt.Sprintf("%d/%d (%.0f%%)", r.PlannedBytes, r.UnplannedBytes, 100*float64(r.PlannedBytes)/float64(r.UnplannedBytes))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%s\t%s\t%s\t%s\t%s\n", r.Op, r.Shape, r.Variant, r.MedianMs, r.MinMs, r.MaxMs,
				blankZero(r.GFLOPS), blankZero(r.GBps), blankZero(r.HostUs), mem, r.Note)
		}
		tw.Flush()
	}
	return err
}

func blankZero(v float64) string {
	if v == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f", v)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
