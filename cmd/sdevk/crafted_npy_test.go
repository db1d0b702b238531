package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCraftedNPYExit2: the crafted .npy files of data/testdata/crafted (a
// header running past the end, a 4 GiB header, data cut short) are bad
// input: exit 2 and one line naming the file, wherever a .npy is read.
func TestCraftedNPYExit2(t *testing.T) {
	files, _ := filepath.Glob("../../data/testdata/crafted/*.npy")
	if len(files) < 3 {
		t.Fatalf("found %d crafted files, want the 3 of data/testdata/crafted", len(files))
	}
	for _, f := range files {
		for _, args := range [][]string{
			{"eval", "--config", "../../configs/vp_dsm.toml", "--samples", f},
			{"eval", "--config", "../../configs/vp_dsm.toml", "--set", "data.kind=npy", "--set", "data.path=" + f, "--samples", f},
		} {
			code, _, stderr := runCmd(t, args...)
			if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, f+": ") {
				t.Errorf("%v: exit %d, stderr %q: want exit 2 and one line naming the file", args, code, stderr)
			}
		}
	}
}
