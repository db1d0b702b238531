package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestInfoShowsTuning: info prints the selected device's kernel tuning,
// in words and as JSON.
func TestInfoShowsTuning(t *testing.T) {
	out := mustRun(t, "info")
	if !strings.Contains(out, "kernel tuning:") || !strings.Contains(out, "preset ") || !strings.Contains(out, "SGEMM: auto is ") {
		t.Errorf("info prints no tuning:\n%s", out)
	}
	var got struct {
		Tuning struct {
			Preset   string `json:"preset"`
			Local1D  uint32 `json:"local_1d"`
			GemmAuto string `json:"gemm_auto"`
		} `json:"tuning"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "info", "--json")), &got); err != nil {
		t.Fatal(err)
	}
	if tu := got.Tuning; (tu.Preset != "cpu" && tu.Preset != "gpu") || tu.Local1D == 0 || tu.GemmAuto == "" {
		t.Errorf("info --json tuning: %+v", tu)
	}
}
