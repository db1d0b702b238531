package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports a training run's steps: a redrawn bar on a terminal, or
// one plain line every plainEvery in a log (a bar's carriage-return redraws
// would fill a log file with a line per refresh).
type progress interface {
	// update reports that step of total is done with the given loss.
	update(step int, loss float64)
	finish()
}

// plainEvery spaces the plain progress lines.
var plainEvery = 5 * time.Second

func newProgress(w io.Writer, first, total int) progress {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("train"),
			progressbar.OptionShowIts(), progressbar.OptionSetItsString("steps"),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
		bar.Set(first)
		return barProgress{bar}
	}
	now := time.Now()
	return &plainProgress{w: w, total: total, start: now, last: now, first: first, step: first, printed: first}
}

type barProgress struct{ bar *progressbar.ProgressBar }

func (b barProgress) update(step int, loss float64) {
	b.bar.Describe(fmt.Sprintf("train loss %.4f", loss))
	b.bar.Set(step)
}

func (b barProgress) finish() { b.bar.Finish() }

// plainProgress writes "train: step S/T, loss L, R steps/s" lines.
type plainProgress struct {
	w                  io.Writer
	total, first, step int
	printed            int // the step of the last line
	loss               float64
	start, last        time.Time
}

func (p *plainProgress) update(step int, loss float64) {
	p.step, p.loss = step, loss
	if time.Since(p.last) >= plainEvery {
		p.print()
	}
}

func (p *plainProgress) print() {
	p.last, p.printed = time.Now(), p.step
	rate := float64(p.step-p.first) / max(p.last.Sub(p.start).Seconds(), 1e-9)
	fmt.Fprintf(p.w, "train: step %d/%d, loss %.4f, %.1f steps/s\n", p.step, p.total, p.loss, rate)
}

// finish prints the last step, unless the last line already showed it.
func (p *plainProgress) finish() {
	if p.step > max(p.first, p.printed) {
		p.print()
	}
}
