package data

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTestShard writes a (n, 2) shard of samples first.. with its sidecar.
func writeTestShard(t *testing.T, dir, name string, s Shard) string {
	t.Helper()
	path := filepath.Join(dir, name)
	x := make([]float64, 2*s.N)
	for i := range x {
		x[i] = float64(2*s.First + i)
	}
	if err := SaveNPY(path, x, s.N, 2); err != nil {
		t.Fatal(err)
	}
	s.Shape = []int{s.N, 2}
	if err := WriteShard(path, s); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPlanMergeRefuses: shards join in index order, byte for byte; each
// thing that makes shards not one run is refused with one line naming the
// files, and nothing is written.
func TestPlanMergeRefuses(t *testing.T) {
	dir := t.TempDir()
	run := Shard{Model: "sha256:aa", Seed: 7, Sampler: "em", Settings: "s1"}
	at := func(first, n int) Shard { s := run; s.First, s.N = first, n; return s }
	a := writeTestShard(t, dir, "a.npy", at(0, 2))
	b := writeTestShard(t, dir, "b.npy", at(2, 3))
	whole := writeTestShard(t, dir, "whole.npy", at(0, 5))
	out := filepath.Join(dir, "out.npy")
	m, err := PlanMerge(out, []string{b, a})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Write(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile(whole)
	if !bytes.Equal(got, want) {
		t.Errorf("merged a.npy and b.npy differ from whole.npy")
	}

	other := func(name string, edit func(*Shard)) string {
		s := at(2, 3)
		edit(&s)
		return writeTestShard(t, dir, name, s)
	}
	noSidecar := filepath.Join(dir, "bare.npy")
	if err := SaveNPY(noSidecar, make([]float64, 6), 3, 2); err != nil {
		t.Fatal(err)
	}
	lying := other("lying.npy", func(*Shard) {})
	if err := WriteShard(lying, Shard{Model: run.Model, Seed: 7, Settings: "s1", First: 2, N: 4, Shape: []int{4, 2}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		shards []string
		want   string
	}{
		{[]string{a, writeTestShard(t, dir, "c.npy", at(3, 1))}, "samples 2..2 are missing between"},
		{[]string{a, writeTestShard(t, dir, "d.npy", at(1, 2))}, "overlap"},
		{[]string{a, other("m.npy", func(s *Shard) { s.Model = "sha256:bb" })}, "different models"},
		{[]string{a, other("s.npy", func(s *Shard) { s.Seed = 8 })}, "different seeds (7 vs 8)"},
		{[]string{a, other("t.npy", func(s *Shard) { s.Settings = "s2" })}, "different sampler settings"},
		{[]string{a, noSidecar}, "no sidecar"},
		{[]string{a, lying}, "its sidecar says"},
		{nil, "no shards"},
	} {
		refused := filepath.Join(dir, "refused.npy")
		_, err := PlanMerge(refused, c.shards)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("merge %v: %v, want one line with %q", c.shards, err, c.want)
		}
		if _, err := os.Stat(refused); !os.IsNotExist(err) {
			t.Errorf("merge %v wrote its output", c.shards)
		}
	}
	if _, err := PlanMerge(b, []string{a, b}); err == nil || !strings.Contains(err.Error(), "is one of the shards") {
		t.Errorf("merge into one of its shards: %v", err)
	}
}
