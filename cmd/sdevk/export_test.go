package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An imported checkpoint exported to a model directory samples as it did,
// and bad input exits 2 with one line and writes nothing.
func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "m.safetensors")
	mustRun(t, "import", "--from", "score_sde", "--checkpoint", mlpTorch, "--config", mlpTOML, "--out", ckpt)
	model := filepath.Join(dir, "pretrained")
	if err := os.Mkdir(model, 0o755); err != nil {
		t.Fatal(err)
	}
	got := mustRun(t, "export", "--checkpoint", ckpt, "--out", model)
	if !strings.Contains(got, "step 42: 9 tensors (220 values, ema weights)") {
		t.Errorf("export printed %q", got)
	}
	a, b := filepath.Join(dir, "a.npy"), filepath.Join(dir, "b.npy")
	mustRun(t, "sample", "--checkpoint", ckpt, "--n", "7", "--steps", "30", "--out", a)
	mustRun(t, "sample", "--checkpoint", model, "--n", "7", "--steps", "30", "--out", b)
	ra, _ := os.ReadFile(a)
	rb, _ := os.ReadFile(b)
	if len(ra) == 0 || string(ra) != string(rb) {
		t.Error("samples of the exported model differ from the checkpoint's")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--checkpoint", ckpt}, "--checkpoint and --out are required"},
		{[]string{"--checkpoint", ckpt, "--weights", "best", "--out", filepath.Join(dir, "x.safetensors")}, `weights "best"`},
		{[]string{"--checkpoint", filepath.Join(dir, "none"), "--out", filepath.Join(dir, "x.safetensors")}, "no such file"},
	} {
		code, _, errs := runCmd(t, append([]string{"export"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("sdevk export %v: exit %d, stderr %q; want 2 and one line containing %q", tc.args, code, errs, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.safetensors")); !os.IsNotExist(err) {
		t.Error("a failed export wrote its output")
	}
}
