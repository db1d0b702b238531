package train

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/internal/atomicfile"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// lostAt fails its Runner's step number at as a lost device would.
type lostAt struct {
	Runner
	at int
}

var errLost = errors.New("vulkan: vkQueueSubmit: device lost")

func (l lostAt) Next() (float64, error) {
	if l.Steps()+1 == l.at {
		return 0, errLost
	}
	return l.Runner.Next()
}

// leftovers lists the run directory's temporaries (names starting with a dot).
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if strings.HasPrefix(d.Name(), ".") && path != dir {
			names = append(names, path)
		}
		return nil
	})
	return names
}

// TestRunFaults: a full disk while writing a metric line or a checkpoint,
// and a step that fails, stop Run with an error naming the cause, leave the
// previous checkpoint loadable, metrics.jsonl whole lines and no temporary.
func TestRunFaults(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fullDisk int64 // bytes written before the disk is full; -1: never
		lostStep int   // the step that fails; 0: none
		want     string
	}{
		{"metrics line", 50, 0, "no space left on device"},
		{"checkpoint", 2000, 0, "no space left on device"},
		{"device lost", -1, 7, "training step 7: vulkan: vkQueueSubmit: device lost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ref, err := NewReference(testConfig(t))
			if err != nil {
				t.Fatal(err)
			}
			defer ref.Close()
			if _, err := Run(context.Background(), ref, RunOptions{Dir: dir, Total: 4}); err != nil {
				t.Fatal(err)
			}
			good := checkpoint.Name(dir, 4)
			before, err := os.ReadFile(good)
			if err != nil {
				t.Fatal(err)
			}
			var tr Runner = ref
			if tc.lostStep > 0 {
				tr = lostAt{ref, tc.lostStep}
			}
			if tc.fullDisk >= 0 {
				defer atomicfile.SimulateFullDisk(tc.fullDisk)()
			}
			_, err = Run(context.Background(), tr, RunOptions{Dir: dir, Total: 40, Snapshot: 2})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Run returned %v, want one line with %q", err, tc.want)
			}
			if tc.fullDisk >= 0 && !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("%v does not wrap ENOSPC", err)
			}
			if after, _ := os.ReadFile(good); string(after) != string(before) {
				t.Errorf("the checkpoint of step 4 changed")
			}
			ckpts, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*"))
			for _, p := range ckpts {
				if _, err := checkpoint.Load(p); err != nil {
					t.Errorf("a checkpoint left behind does not load: %v", err)
				}
			}
			if l := leftovers(t, dir); len(l) > 0 {
				t.Errorf("temporaries left behind: %v", l)
			}
			raw, _ := os.ReadFile(filepath.Join(dir, MetricsFile))
			if !strings.HasSuffix(string(raw), "\n") {
				t.Errorf("metrics.jsonl ends in a partial line")
			}
			if _, err := ReadMetrics(dir); err != nil {
				t.Errorf("metrics.jsonl: %v", err)
			}
		})
	}
}

// TestRunDeviceFaults: a lost device or exhausted device memory in the
// middle of training (vk.Faults on a real device) stops Run with an error
// that names the step and wraps the cause; the checkpoints written before
// load, and none is written after.
func TestRunDeviceFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults vk.Faults
		cause  error
	}{
		{"submit device lost", vk.Faults{Submit: 30, Result: vk.DeviceLost}, vk.ErrDeviceLost},
		{"submit out of memory", vk.Faults{Submit: 30, Result: vk.OutOfDeviceMemory}, vk.ErrOutOfDeviceMemory},
		{"allocation", vk.Faults{Alloc: 1, Result: vk.OutOfDeviceMemory}, vk.ErrOutOfDeviceMemory},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dev := vktest.Open(t, vk.Options{Faults: &tc.faults})
			tr, err := New(dev, testConfig(t))
			if tc.faults.Alloc > 0 {
				if !errors.Is(err, tc.cause) || !strings.Contains(err.Error(), "allocating") {
					t.Fatalf("New on a failing allocation: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			dir := t.TempDir()
			_, runErr := Run(context.Background(), tr, RunOptions{Dir: dir, Total: 1000, Snapshot: 5})
			if !errors.Is(runErr, tc.cause) || !strings.HasPrefix(runErr.Error(), "training step ") {
				t.Fatalf("Run returned %v", runErr)
			}
			ms, err := ReadMetrics(dir)
			if err != nil {
				t.Fatal(err)
			}
			last := 0
			ckpts, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*"))
			for _, p := range ckpts {
				c, err := checkpoint.Load(p)
				if err != nil {
					t.Fatalf("checkpoint %s: %v", p, err)
				}
				last = max(last, atoi(t, c.Meta["step"]))
			}
			t.Logf("%v after %d steps; last checkpoint at step %d", runErr, len(ms), last)
			if last != len(ms)/5*5 {
				t.Errorf("last checkpoint at step %d after %d good steps", last, len(ms))
			}
			if l := leftovers(t, dir); len(l) > 0 {
				t.Errorf("temporaries left behind: %v", l)
			}
		})
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestResumeTrimsMetrics: steps logged after the last checkpoint (a run
// stopped at once) are dropped on resume, so the resumed run's lines follow
// on without repeats.
func TestResumeTrimsMetrics(t *testing.T) {
	dir := t.TempDir()
	tr, err := NewReference(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := Run(context.Background(), tr, RunOptions{Dir: dir, Total: 6, Snapshot: 4}); err != nil {
		t.Fatal(err)
	}
	os.Remove(checkpoint.Name(dir, 6)) // as if killed before saving step 6
	again, err := NewReference(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := Resume(again, dir); err != nil || again.Steps() != 4 {
		t.Fatalf("resume at step %d: %v", again.Steps(), err)
	}
	if _, err := Run(context.Background(), again, RunOptions{Dir: dir, Total: 8}); err != nil {
		t.Fatal(err)
	}
	ms, err := ReadMetrics(dir)
	if err != nil || len(ms) != 8 {
		t.Fatalf("%d metric lines, %v", len(ms), err)
	}
	for i, m := range ms {
		if m.Step != i+1 {
			t.Fatalf("line %d has step %d", i+1, m.Step)
		}
	}
}
