package model

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// TestSummary: the summary lists every module with its parameters, the
// last one producing an image, and its activations grow with the batch.
func TestSummary(t *testing.T) {
	u := tinyUNet(t, testVP(t), "ncsnpp")
	s1, err := u.Summarise(1)
	if err != nil {
		t.Fatal(err)
	}
	s4, err := u.Summarise(4)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, p := range u.Params() {
		total += p.Size()
	}
	if s4.Params != total || len(s4.Blocks) != len(u.modules) {
		t.Errorf("summary: %d parameters in %d blocks, the network %d in %d", s4.Params, len(s4.Blocks), total, len(u.modules))
	}
	last := s4.Blocks[len(s4.Blocks)-1]
	if !slices.Equal(last.Out, s4.Input) || last.Kind != "Conv2d" {
		t.Errorf("last block %+v, want a Conv2d giving %v", last, s4.Input)
	}
	if s4.ActivationBytes <= 3*s1.ActivationBytes {
		t.Errorf("activations %d bytes at batch 4, %d at batch 1", s4.ActivationBytes, s1.ActivationBytes)
	}
	var b bytes.Buffer
	if err := s4.Write(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "ResnetBlockBigGANpp") || !strings.Contains(b.String(), "AttnBlockpp") {
		t.Errorf("summary table:\n%s", b.String())
	}
	if _, err := u.Summarise(0); err == nil {
		t.Error("a batch of 0 is accepted")
	}
}
