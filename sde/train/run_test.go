package train

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
)

// TestRun: checkpoints every Snapshot steps and at the end, one metric per
// step (appended by a resumed run), and a cancelled run saves where it is.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	tr, err := NewReference(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	steps := 0
	res, err := Run(context.Background(), tr, RunOptions{Dir: dir, Total: 6, Snapshot: 4,
		OnStep: func(step int, loss float64) error { steps++; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 6 || steps != 6 || len(res.Losses) != 6 || res.Interrupted || res.Checkpoint != checkpoint.Name(dir, 6) {
		t.Errorf("result %+v after %d OnStep calls", res, steps)
	}
	for _, s := range []int{4, 6} {
		if _, err := os.Stat(checkpoint.Name(dir, s)); err != nil {
			t.Errorf("no checkpoint at step %d: %v", s, err)
		}
	}
	if !HasCheckpoints(dir) || HasCheckpoints(t.TempDir()) {
		t.Errorf("HasCheckpoints is wrong")
	}

	again, err := NewReference(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if path, err := Resume(again, dir); err != nil || path != checkpoint.Name(dir, 6) || again.Steps() != 6 {
		t.Fatalf("resume: %q at step %d, %v", path, again.Steps(), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	res, err = Run(ctx, again, RunOptions{Dir: dir, Total: 20, OnStep: func(step int, _ float64) error {
		if step == 8 {
			cancel()
		}
		return nil
	}})
	if err != nil || !res.Interrupted || res.Steps != 2 || res.Checkpoint != checkpoint.Name(dir, 8) {
		t.Fatalf("cancelled run: %+v, %v", res, err)
	}
	ms, err := ReadMetrics(dir)
	if err != nil || len(ms) != 8 || ms[7].Step != 8 {
		t.Fatalf("metrics: %d lines, %v", len(ms), err)
	}
}

// TestRunPreemptionCheckpoints: score_sde's snapshot_freq_for_preemption
// saves between snapshots, keeping only the latest such checkpoint, which
// the next snapshot or the end replaces; snapshots alone call OnSnapshot.
func TestRunPreemptionCheckpoints(t *testing.T) {
	dir := t.TempDir()
	tr, err := NewReference(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var kept [][]int // the checkpoints present after each step
	snapshots := 0
	_, err = Run(context.Background(), tr, RunOptions{Dir: dir, Total: 11, Snapshot: 6, Preempt: 2,
		OnSnapshot: func() error { snapshots++; return nil },
		OnStep: func(step int, _ float64) error {
			var have []int
			for s := 1; s <= step; s++ {
				if _, err := os.Stat(checkpoint.Name(dir, s)); err == nil {
					have = append(have, s)
				}
			}
			kept = append(kept, have)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	// OnStep runs before the step's save: at step k it sees the saves of
	// steps before k.
	want := map[int][]int{3: {2}, 5: {4}, 7: {6}, 9: {6, 8}, 11: {6, 10}}
	for step, w := range want {
		if got := kept[step-1]; fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("at step %d the checkpoints are %v, want %v", step, got, w)
		}
	}
	for s, present := range map[int]bool{6: true, 10: false, 11: true} {
		if _, err := os.Stat(checkpoint.Name(dir, s)); (err == nil) != present {
			t.Errorf("after the run, checkpoint %d present %v, want %v", s, err == nil, present)
		}
	}
	if snapshots != 1 {
		t.Errorf("OnSnapshot ran %d times, want once (step 6)", snapshots)
	}
}
