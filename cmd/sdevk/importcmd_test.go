package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	mlpTorch  = "../../checkpoint/torchckpt/testdata/mlp.pth" // score_sde layout, sdevk's MLP
	mlpTOML   = "../../checkpoint/scoresde/testdata/mlp.toml"
	tinyTorch = "../../checkpoint/torchckpt/testdata/tiny.pth"
)

func TestImportScoreSDECommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.safetensors")
	got := mustRun(t, "import", "--from", "score_sde", "--checkpoint", mlpTorch, "--config", mlpTOML, "--out", out)
	if want := "step 42: 9 parameters (220 values), 8 with an EMA -> " + out; strings.TrimSpace(got) != want {
		t.Errorf("import printed %q, want %q", got, want)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
}

// Bad input: one line on stderr, exit status 2, nothing written.
func TestImportBadInputExits2(t *testing.T) {
	dir := t.TempDir()
	wide := filepath.Join(dir, "wide.toml")
	src, _ := os.ReadFile(mlpTOML)
	os.WriteFile(wide, []byte(strings.Replace(string(src), "hidden = 8", "hidden = 16", 1)), 0o644)
	text := filepath.Join(dir, "text.pth")
	os.WriteFile(text, []byte("hello"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--from", "jax", "--checkpoint", mlpTorch, "--config", mlpTOML}, `--from "jax"`},
		{[]string{"--from", "score_sde", "--config", mlpTOML}, "--checkpoint, --config and --out are required"},
		{[]string{"--from", "score_sde", "--checkpoint", text, "--config", mlpTOML}, "not a torch.save zip archive"},
		{[]string{"--from", "score_sde", "--checkpoint", mlpTorch, "--config", wide}, "parameter score.temb.0.w has shape [4 8] in the checkpoint, [4 16] in the config's model"},
		{[]string{"--from", "score_sde", "--checkpoint", tinyTorch, "--config", mlpTOML}, "has no parameter score.temb.fourier"},
	}
	for _, tc := range cases {
		out := filepath.Join(dir, "out", "m.safetensors")
		args := append([]string{"import"}, tc.args...)
		if tc.want != "--checkpoint, --config and --out are required" {
			args = append(args, "--out", out)
		}
		code, _, errs := runCmd(t, args...)
		if code != 2 || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("sdevk %s: exit %d, stderr %q; want 2 and one line containing %q", strings.Join(args, " "), code, errs, tc.want)
		}
		if _, err := os.Stat(filepath.Dir(out)); !os.IsNotExist(err) {
			t.Errorf("sdevk %s wrote %s", strings.Join(args, " "), filepath.Dir(out))
		}
	}
}

// A TOML already beside --out (the user's own) is never replaced by the
// converted score_sde config: exit 2, nothing written, the file intact.
func TestImportKeepsExistingTOML(t *testing.T) {
	fixture := "../../checkpoint/torchckpt/testdata/score_sde/ddpmpp_vp"
	dir := t.TempDir()
	mine := filepath.Join(dir, "m.toml")
	if err := os.WriteFile(mine, []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "m.safetensors")
	code, _, errs := runCmd(t, "import", "--from", "score_sde", "--checkpoint", filepath.Join(fixture, "checkpoint.pth"),
		"--config", filepath.Join(fixture, "config.json"), "--out", out)
	if code != 2 || !strings.Contains(errs, mine+" already exists") {
		t.Errorf("exit %d, stderr %q; want 2 naming %s", code, errs, mine)
	}
	if b, _ := os.ReadFile(mine); string(b) != "# mine\n" {
		t.Errorf("%s now holds %q", mine, b)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s was written", out)
	}
}
