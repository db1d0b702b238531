package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde/train"
)

var built struct {
	once sync.Once
	path string
	err  error
}

// sdevkBinary builds the command once per test run, so signals reach a
// process of its own.
func sdevkBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "sdevk-bin")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "sdevk")
		out, err := exec.Command("go", "build", "-o", built.path, ".").CombinedOutput()
		if err != nil {
			built.err = &exec.ExitError{Stderr: out}
		}
	})
	if built.err != nil {
		t.Fatalf("go build: %v", built.err)
	}
	return built.path
}

// lockedBuffer collects a child's stderr while the test polls it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// signalRun starts sdevk with args, waits until ready reports true, sends
// the signals and returns the exit status, how long the process took to
// exit after the first signal, and its stderr.
func signalRun(t *testing.T, ready func(pid int) bool, sigs []syscall.Signal, args ...string) (int, time.Duration, string) {
	t.Helper()
	cmd := exec.Command(sdevkBinary(t), args...)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "SDEVK_VALIDATE=0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(60 * time.Second)
	for !ready(cmd.Process.Pid) {
		select {
		case err := <-done:
			t.Fatalf("sdevk %s exited before the signal (%v): %s", args[0], err, stderr.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("sdevk %s: not ready within 60 s: %s", args[0], stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	sent := time.Now()
	for _, s := range sigs {
		cmd.Process.Signal(s)
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("sdevk %s: still running 30 s after %v", args[0], sigs)
	}
	return cmd.ProcessState.ExitCode(), time.Since(sent), stderr.String()
}

// temporaries lists the files under dir whose names start with a dot.
func temporaries(dir string) []string {
	var names []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && p != dir && strings.HasPrefix(info.Name(), ".") {
			names = append(names, p)
		}
		return nil
	})
	return names
}

// cpuTime is the user and system time process pid used (Linux's /proc;
// elsewhere it grows with the wall time).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return time.Since(processStart)
	}
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.Atoi(fields[11]) // fields 14 and 15 of stat, in ticks
	stime, _ := strconv.Atoi(fields[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

var processStart = time.Now()

func metricLines(dir string) int {
	b, _ := os.ReadFile(filepath.Join(dir, train.MetricsFile))
	return bytes.Count(b, []byte("\n"))
}

// TestTrainStopSignals: SIGINT, SIGTERM and SIGHUP stop sdevk train after
// the step in progress with a loadable checkpoint of that step, no samples
// and the status 128 + the signal; a second signal stops it at once.
func TestTrainStopSignals(t *testing.T) {
	cfg := writeConfig(t, strings.Replace(tinyConfig, "n_iters = 20\nsnapshot_freq = 10", "n_iters = 1000000\nsnapshot_freq = 1000000", 1))
	for _, tc := range []struct {
		name   string
		sigs   []syscall.Signal
		device string
	}{
		{"SIGINT", []syscall.Signal{syscall.SIGINT}, "cpu-reference"},
		{"SIGTERM", []syscall.Signal{syscall.SIGTERM}, "cpu-reference"},
		{"SIGHUP", []syscall.Signal{syscall.SIGHUP}, "cpu-reference"},
		{"SIGTERM on the device", []syscall.Signal{syscall.SIGTERM}, ""},
		{"SIGTERM twice", []syscall.Signal{syscall.SIGTERM, syscall.SIGTERM}, "cpu-reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			args := []string{"train", "--config", cfg, "--out", dir}
			if tc.device != "" {
				args = append(args, "--device", tc.device)
			}
			code, took, stderr := signalRun(t, func(int) bool { return metricLines(dir) >= 5 }, tc.sigs, args...)
			if want := 128 + int(tc.sigs[0]); code != want {
				t.Errorf("exit status %d, want %d; stderr: %s", code, want, stderr)
			}
			if took > 10*time.Second {
				t.Errorf("took %v to stop", took)
			}
			if l := temporaries(dir); len(l) > 0 {
				t.Errorf("temporaries left behind: %v", l)
			}
			if _, err := os.Stat(filepath.Join(dir, "samples.npy")); err == nil {
				t.Errorf("a stopped training drew samples")
			}
			ckpts, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*"))
			for _, p := range ckpts {
				if _, err := checkpoint.Load(p); err != nil {
					t.Errorf("checkpoint %s: %v", p, err)
				}
			}
			if len(tc.sigs) > 1 {
				return // stopped at once: a checkpoint may or may not have been made
			}
			if len(ckpts) != 1 || ckpts[0] != checkpoint.Name(dir, metricLines(dir)) {
				t.Errorf("checkpoints %v after %d steps", ckpts, metricLines(dir))
			}
			if !strings.Contains(stderr, "interrupted at step") {
				t.Errorf("stderr does not say where it stopped: %s", stderr)
			}
		})
	}
}

// TestSampleLikelihoodEvalStopSignals: on a signal, sample, likelihood and
// eval stop within seconds with 128 + the signal and write no output and
// no temporary.
func TestSampleLikelihoodEvalStopSignals(t *testing.T) {
	sdevkBinary(t) // built before the clocks below start
	cfg := writeConfig(t, tinyConfig)
	dir := t.TempDir()
	points := filepath.Join(dir, "points.npy")
	const n = 20000
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = 2 * r.NormFloat64()
	}
	if err := data.SaveNPY(points, x, n, 2); err != nil {
		t.Fatal(err)
	}
	// Ready once the child has run for a while on the CPU: its handlers
	// are installed first thing, and it is then in the middle of its work.
	started := func(pid int) bool { return cpuTime(pid) >= 300*time.Millisecond }
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		args []string
	}{
		{"sample", syscall.SIGTERM, []string{"sample", "--config", cfg, "--score", "oracle", "--device", "cpu-reference", "--n", "1000000", "--steps", "1000", "--out", filepath.Join(dir, "out", "s.npy")}},
		{"sample on the device", syscall.SIGINT, []string{"sample", "--config", cfg, "--score", "oracle", "--n", "20000", "--steps", "100000", "--out", filepath.Join(dir, "out", "s.npy")}},
		{"likelihood", syscall.SIGINT, []string{"likelihood", "--config", cfg, "--score", "oracle", "--device", "cpu-reference", "--data", points, "--out", filepath.Join(dir, "out", "l.json")}},
		{"eval", syscall.SIGTERM, []string{"eval", "--config", cfg, "--samples", points, "--out", filepath.Join(dir, "out", "e.json")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out")
			if err := os.MkdirAll(out, 0o755); err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(out)
			code, took, stderr := signalRun(t, started, []syscall.Signal{tc.sig}, tc.args...)
			if code != 128+int(tc.sig) {
				t.Errorf("exit status %d, want %d; stderr: %s", code, 128+int(tc.sig), stderr)
			}
			if took > 10*time.Second || strings.Contains(stderr, "not stopped within") {
				t.Errorf("took %v to stop: %s", took, stderr)
			}
			if entries, _ := os.ReadDir(out); len(entries) > 0 {
				t.Errorf("%d files left in the output directory, the first %s", len(entries), entries[0].Name())
			}
		})
	}
}
