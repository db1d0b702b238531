package main

import "io"

func init() {
	register("colorize", "colour grey versions of RGB images with a checkpoint's score (score_sde's colourisation: the grey level kept, the colour sampled): --checkpoint R --data X.npy|DIR|test --out OUT.npy", runColorize)
}

func runColorize(args []string, stdout io.Writer) error {
	return runImageControl("colorize", args, stdout)
}
