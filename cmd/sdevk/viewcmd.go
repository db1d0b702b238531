package main

import "io"

func init() {
	register("view", "open a window that samples on demand (--checkpoint PATH, or --config FILE --score oracle)", runView)
}

// runView is `sample --view` without output files: R samples again with a
// new seed, Esc closes.
func runView(args []string, stdout io.Writer) error {
	return runSample(append([]string{"--view", "--out", ""}, args...), stdout)
}
