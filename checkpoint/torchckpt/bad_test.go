package torchckpt

import (
	"archive/zip"
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const tinyPath = "testdata/tiny.pth" // written by testdata/gen_tiny.py

func readTiny(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(tinyPath)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestReadScoreSDETiny(t *testing.T) {
	c, err := Read(tinyPath)
	if err != nil {
		t.Fatal(err)
	}
	if c.Step != 7 || len(c.State) != 4 || len(c.EMA) != 2 || c.EMADecay != 0.999 {
		t.Fatalf("step %d, %d entries, %d shadow params, decay %v; want 7, 4, 2, 0.999", c.Step, len(c.State), len(c.EMA), c.EMADecay)
	}
	w, _ := c.Lookup("all_modules.1.weight")
	if !slices.Equal(w.Shape, []int{2, 3}) || !slices.Equal(w.Data, []float32{0.5, -1, 2, 0.25, 3, -0.5}) {
		t.Errorf("weight %v %v", w.Shape, w.Data)
	}
	specs := []Spec{
		{Name: "all_modules.1.bias", Shape: []int{2}}, // any order
		{Name: "all_modules.0.W", Shape: []int{1}, Frozen: true},
		{Name: "all_modules.1.weight", Shape: []int{2, 3}},
	}
	raw, ema, err := c.Weights(specs)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ema["all_modules.1.bias"].Data, []float32{0.11, 0.19}) || !slices.Equal(raw["all_modules.1.bias"].Data, []float32{0.1, 0.2}) {
		t.Errorf("bias: raw %v, ema %v", raw["all_modules.1.bias"].Data, ema["all_modules.1.bias"].Data)
	}
	if !slices.Equal(ema["all_modules.0.W"].Data, []float32{1.5}) {
		t.Errorf("the frozen W's EMA is %v, want its value 1.5", ema["all_modules.0.W"].Data)
	}
	if len(raw) != 3 || len(ema) != 3 {
		t.Errorf("%d raw and %d EMA weights, want 3 each (no sigmas)", len(raw), len(ema))
	}
}

// A config that does not match: the error names the first parameter and both shapes.
func TestScoreSDEWeightsShapeMismatch(t *testing.T) {
	c, err := Read(tinyPath)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		specs []Spec
		want  string
	}{
		{[]Spec{{Name: "all_modules.0.W", Shape: []int{1}, Frozen: true}, {Name: "all_modules.1.weight", Shape: []int{3, 2}}, {Name: "all_modules.1.bias", Shape: []int{3}}},
			"parameter all_modules.1.weight has shape [2 3] in the checkpoint, [3 2] in the config's model"},
		{[]Spec{{Name: "all_modules.0.W", Shape: []int{1}, Frozen: true}, {Name: "all_modules.1.weight", Shape: []int{2, 3}}},
			"the checkpoint's parameter all_modules.1.bias (shape [2]) is not in the config's model"},
		{[]Spec{{Name: "all_modules.2.weight", Shape: []int{4}}},
			"the checkpoint has no parameter all_modules.2.weight (shape [4] in the config's model)"},
		{[]Spec{{Name: "all_modules.0.W", Shape: []int{1}}, {Name: "all_modules.1.weight", Shape: []int{2, 3}}, {Name: "all_modules.1.bias", Shape: []int{2}}},
			"ema has 2 shadow parameters, the model 3 trainable parameters"},
	}
	for _, tc := range cases {
		_, _, err := c.Weights(tc.specs)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Weights(%v) = %v, want %q", tc.specs, err, tc.want)
		}
	}
	if _, err := c.EMAState([]string{"all_modules.1.bias", "all_modules.1.weight"}); err == nil || !strings.Contains(err.Error(), "shadow_params[0] has shape [2 3], parameter all_modules.1.bias [2]") {
		t.Errorf("EMAState in the wrong order: %v", err)
	}
}

// zipEntries returns the contents of a zip archive's entries by name.
func zipEntries(t testing.TB, raw []byte) map[string][]byte {
	t.Helper()
	r, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range r.File {
		data, err := readEntry(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = data
	}
	return out
}

// writeZip writes entries, in name order, as a stored zip with valid CRCs.
func writeZip(t testing.TB, entries map[string][]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(entries[name])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// rezip rewrites a zip archive, replacing entries' contents (with valid
// CRCs), so a test can change the pickle or a storage.
func rezip(t *testing.T, raw []byte, replace map[string][]byte) []byte {
	t.Helper()
	entries := zipEntries(t, raw)
	for name, data := range replace {
		entries[name] = data
	}
	return writeZip(t, entries)
}

func TestReadScoreSDEBadInput(t *testing.T) {
	raw := readTiny(t)
	pkl := zipEntries(t, raw)["archive/data.pkl"]
	flipped := append([]byte{}, raw...)
	i := bytes.Index(flipped, []byte{0, 0, 0, 0x3f}) // a float32 0.5 of the weight
	flipped[i+3] ^= 0x40
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":            {nil, "not a torch.save zip archive"},
		"text":             {[]byte("hello, world, this is not a checkpoint"), "not a torch.save zip archive"},
		"truncated":        {raw[:len(raw)-40], "not a torch.save zip archive"},
		"truncated entry":  {raw[:200], "not a torch.save zip archive"},
		"flipped data bit": {flipped, "CRC mismatch"},
		"pickle of a list": {rezip(t, raw, map[string][]byte{"archive/data.pkl": []byte("\x80\x02]q\x00.")}), "holds a list, not score_sde's dict"},
		"cut pickle":       {rezip(t, raw, map[string][]byte{"archive/data.pkl": pkl[:len(pkl)-1]}), "data.pkl: pickle has no STOP opcode (truncated)"},
		"huge string":      {rezip(t, raw, map[string][]byte{"archive/data.pkl": []byte("\x80\x02X\xff\xff\xff\x7fab.")}), "data.pkl: pickle opcode at byte 2 declares 2147483647 bytes, 3 remain"},
		"huge frame":       {rezip(t, raw, map[string][]byte{"archive/data.pkl": []byte("\x80\x04\x95\x00\x00\x00\x00\x00\x01\x00\x00N.")}), "declares 1099511627776 bytes"},
		"unknown opcode":   {rezip(t, raw, map[string][]byte{"archive/data.pkl": []byte("\x80\x02\xffN.")}), "unknown pickle opcode 0xff at byte 2"},
		"no data.pkl entry": {func() []byte {
			e := zipEntries(t, raw)
			delete(e, "archive/data.pkl")
			return writeZip(t, e)
		}(), "no data.pkl entry"},
		"short storage":  {rezip(t, raw, map[string][]byte{"archive/data/0": {1, 2, 3, 4}}), `storage "0" declares 6 elements of 4 bytes, its entry holds 4 bytes`},
		"other global":   {rezip(t, raw, map[string][]byte{"archive/data.pkl": bytes.Replace(pkl, []byte("FloatStorage"), []byte("FloatStorags"), 1)}), "unexpected global torch.FloatStorags"},
		"no step":        {rezip(t, raw, map[string][]byte{"archive/data.pkl": bytes.Replace(pkl, []byte("step"), []byte("stap"), 1)}), `has no "step" entry`},
		"unknown buffer": {rezip(t, raw, map[string][]byte{"archive/data.pkl": bytes.Replace(pkl, []byte("module.sigmas"), []byte("module.sigmaz"), 1)}), "model has 4 parameters besides its buffers, the optimizer 3 (a buffer other than sigmas?)"},
		"no prefix":      {rezip(t, raw, map[string][]byte{"archive/data.pkl": bytes.ReplaceAll(pkl, []byte("module."), []byte("modulex"))}), `lacks the "module." prefix`},
	}
	dir := t.TempDir()
	for name, tc := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		os.WriteFile(p, tc.data, 0o644)
		_, err := Read(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), p+": ") {
			t.Errorf("%s: Read = %v, want one line naming the file and containing %q", name, err, tc.want)
		}
	}
	if _, err := Read(filepath.Join(dir, "absent.pth")); err == nil {
		t.Error("a missing file was read")
	}
}
