package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/atomicfile"
)

// errorLines are the lines of stderr that report an error of a command
// (notes and progress start otherwise).
func errorLines(stderr string) []string {
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "sdevk ") { // "sdevk CMD: error"
			lines = append(lines, l)
		}
	}
	return lines
}

// checkRunDir checks that every checkpoint of dir loads and that no
// temporary is left; it returns the checkpoints.
func checkRunDir(t *testing.T, dir string) []string {
	t.Helper()
	ckpts, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*"))
	for _, p := range ckpts {
		if _, err := checkpoint.Load(p); err != nil {
			t.Errorf("checkpoint %s: %v", p, err)
		}
	}
	if l := temporaries(dir); len(l) > 0 {
		t.Errorf("temporaries left behind: %v", l)
	}
	return ckpts
}

// TestFullDisk: train, sample and eval on a full disk stop with one line
// naming the file, keep the earlier checkpoint and write no partial file.
func TestFullDisk(t *testing.T) {
	cfg := writeConfig(t, tinyConfig)
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	mustRun(t, "train", "--config", cfg, "--out", run, "--steps", "10", "--device", "cpu-reference", "--samples", "0")
	good, _ := os.ReadFile(checkpoint.Name(run, 10))
	pts := filepath.Join(dir, "pts.npy")
	if err := data.SaveNPY(pts, make([]float64, 200), 100, 2); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		bytes int64 // written before the disk is full
		args  []string
		file  string // must not appear
	}{
		{"train metrics", 100, []string{"train", "--config", cfg, "--out", run, "--resume", "--device", "cpu-reference"}, ""},
		{"train checkpoint", 1500, []string{"train", "--config", cfg, "--out", run, "--resume", "--device", "cpu-reference"}, checkpoint.Name(run, 20)},
		{"sample", 100, []string{"sample", "--config", cfg, "--score", "oracle", "--n", "1000", "--out", filepath.Join(dir, "s.npy")}, filepath.Join(dir, "s.npy")},
		{"eval", 10, []string{"eval", "--config", cfg, "--samples", pts, "--reps", "1", "--out", filepath.Join(dir, "e.json")}, filepath.Join(dir, "e.json")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			restore := atomicfile.SimulateFullDisk(tc.bytes)
			code, _, stderr := runCmd(t, tc.args...)
			restore()
			lines := errorLines(stderr)
			if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], "no space left on device") {
				t.Errorf("exit %d, error lines %q", code, lines)
			}
			if strings.HasPrefix(tc.name, "train") && !strings.Contains(stderr, "the last good checkpoint is kept") {
				t.Errorf("train does not say the checkpoint is kept: %s", stderr)
			}
			if tc.file != "" {
				if _, err := os.Stat(tc.file); err == nil {
					t.Errorf("%s was written", tc.file)
				}
			}
			if after, _ := os.ReadFile(checkpoint.Name(run, 10)); string(after) != string(good) {
				t.Errorf("the checkpoint of step 10 changed")
			}
			checkRunDir(t, run)
			if l := temporaries(dir); len(l) > 0 {
				t.Errorf("temporaries left behind: %v", l)
			}
		})
	}
}

// TestTrainDeviceLost: a device lost in the middle of training (injected by
// SDEVK_FAULTS) stops sdevk train with one line that names it and the kept
// checkpoint; nothing is written after it.
func TestTrainDeviceLost(t *testing.T) {
	cfg := writeConfig(t, strings.Replace(tinyConfig, "n_iters = 20", "n_iters = 40", 1))
	dir := filepath.Join(t.TempDir(), "run")
	cmd := exec.Command(sdevkBinary(t), "train", "--config", cfg, "--out", dir)
	cmd.Env = append(os.Environ(), "SDEVK_FAULTS=submit:25:device-lost")
	out, err := cmd.CombinedOutput()
	lines := errorLines(string(out))
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 || len(lines) != 1 ||
		!strings.Contains(lines[0], "device lost") || !strings.Contains(lines[0], "last good checkpoint") {
		t.Fatalf("exit %d, error lines %q; output %s", cmd.ProcessState.ExitCode(), lines, out)
	}
	ckpts := checkRunDir(t, dir)
	if len(ckpts) == 0 || len(ckpts) > 2 {
		t.Errorf("checkpoints %v", ckpts)
	}
	if _, err := os.Stat(filepath.Join(dir, "samples.npy")); err == nil {
		t.Errorf("samples drawn after a lost device")
	}
}
