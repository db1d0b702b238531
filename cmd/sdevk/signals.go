package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sdevk/sdevk/internal/atomicfile"
)

// Stop signals: SIGINT (Ctrl-C), SIGTERM (what Kubernetes, Slurm and systemd
// send) and SIGHUP (a closed terminal) all ask a command to stop. The first
// cancels cmdContext: train finishes its step and writes a checkpoint,
// sample and likelihood stop their backend at its next check, and nothing is
// written after that. A second signal, or a command that does not stop
// within its grace period, ends the process at once, after removing the
// temporaries of writes in progress (every output is written through one, so
// the earlier files stay whole). The exit status is 128 + the signal number:
// 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.
var stopSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// cmdContext is cancelled by the first stop signal; commands pass it to the
// library.
var cmdContext = context.Background()

// stopGrace is how long a command may take to stop after the first signal.
// train has no limit: its checkpoint must be allowed to finish. Commands
// not listed do not watch cmdContext and end at once.
var stopGrace = map[string]time.Duration{
	"train":      -1,
	"sample":     5 * time.Second,
	"likelihood": 5 * time.Second,
}

// signalWatch turns stop signals into a cancelled context and an exit status.
type signalWatch struct {
	ctx      context.Context
	got      chan syscall.Signal // the first signal, once received
	signals  chan os.Signal
	done     chan struct{}
	stopOnce func()
}

// watchSignals starts watching for stop signals on behalf of command name.
func watchSignals(name string, stderr io.Writer) *signalWatch {
	ctx, cancel := context.WithCancel(context.Background())
	w := &signalWatch{ctx: ctx, got: make(chan syscall.Signal, 1), signals: make(chan os.Signal, 2), done: make(chan struct{})}
	grace, watched := stopGrace[name]
	signal.Notify(w.signals, stopSignals...)
	go func() {
		var first os.Signal
		select {
		case first = <-w.signals:
		case <-w.done:
			return
		}
		sig := first.(syscall.Signal)
		w.got <- sig
		cancel()
		if !watched || grace == 0 {
			exitNow(stderr, sig, "stopping")
		}
		fmt.Fprintf(stderr, "\nsdevk %s: %s: stopping (send it again to stop at once)\n", name, signalName(sig))
		var timeout <-chan time.Time
		if grace > 0 {
			timeout = time.After(grace)
		}
		select {
		case again := <-w.signals:
			exitNow(stderr, again.(syscall.Signal), "stopping at once")
		case <-timeout:
			exitNow(stderr, sig, fmt.Sprintf("not stopped within %v; stopping at once", grace))
		case <-w.done:
		}
	}()
	w.stopOnce = func() { signal.Stop(w.signals); close(w.done) }
	return w
}

// exitNow removes the temporaries of writes in progress and exits.
func exitNow(stderr io.Writer, sig syscall.Signal, why string) {
	atomicfile.RemoveTemporaries()
	fmt.Fprintf(stderr, "\nsdevk: %s: %s\n", signalName(sig), why)
	os.Exit(128 + int(sig))
}

// signalName names a stop signal as job schedulers' documentation does.
func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return sig.String()
}

// received returns the first stop signal, if one came.
func (w *signalWatch) received() (syscall.Signal, bool) {
	select {
	case sig := <-w.got:
		w.got <- sig
		return sig, true
	default:
		return 0, false
	}
}

func (w *signalWatch) stop() { w.stopOnce() }

// runWatched runs a command with the stop signals watched, and exits with
// 128 + the signal number when one stopped it.
func runWatched(args []string, stdout, stderr io.Writer) int {
	name := ""
	if len(args) > 0 {
		name = args[0]
	}
	w := watchSignals(name, stderr)
	defer w.stop()
	cmdContext = w.ctx
	code := run(args, stdout, stderr)
	if sig, ok := w.received(); ok {
		return 128 + int(sig)
	}
	return code
}

// interruptedError is the error of a command stopped by a signal.
type interruptedError struct{ msg string }

func (e interruptedError) Error() string { return e.msg }
