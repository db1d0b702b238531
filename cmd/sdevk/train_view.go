package main

import (
	"fmt"
	"time"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/sde/train"
)

// trainView shows a training run: the loss curve, and samples drawn with
// the EMA weights at each snapshot. Its methods do nothing on a nil receiver,
// so the loop calls them unconditionally.
type trainView struct {
	vs    *viewSession
	c     *config.Config
	net   model.ScoreNet
	tr    train.Runner
	d     int
	n     int // samples a snapshot draws: points, or images shown as a grid
	shown time.Time
}

// snapshotPoints is the number of points a snapshot of point data draws.
const snapshotPoints = 2000

// snapshot samples with the current EMA weights and keeps them for display.
func (v *trainView) snapshot() error {
	if v == nil || v.vs.closed {
		return nil
	}
	x, o, _, err := emaSample(&sampling.Device{Dev: v.vs.dev}, v.c, v.net, v.tr, v.d, v.n)
	if err != nil {
		return err
	}
	f := make([]float32, len(x))
	for i, val := range x {
		f[i] = float32(val)
	}
	if v.vs.last == nil || v.vs.last.Len() < len(x) {
		v.vs.last.Free()
		if v.vs.last, err = v.vs.dev.NewBufferF32(len(x)); err != nil {
			return err
		}
	}
	v.vs.frame.Points, v.vs.frame.N, v.vs.frame.D = v.vs.last, v.n, v.d
	v.vs.frame.Label = fmt.Sprintf("step %d: %s", v.tr.Steps(), o.Describe())
	return v.vs.last.Upload(f)
}

// show draws the loss curve and the last snapshot, at most 20 times a second.
func (v *trainView) show(losses []float64, step, total int) error {
	if v == nil || v.vs.closed || time.Since(v.shown) < 50*time.Millisecond && step < total {
		return nil
	}
	v.shown = time.Now()
	f := &v.vs.frame
	from := max(0, len(losses)-2000)
	f.Loss = f.Loss[:0]
	for i := from; i < len(losses); i += max(1, (len(losses)-from)/400) {
		f.Loss = append(f.Loss, float32(losses[i]))
	}
	f.Text = fmt.Sprintf("training step %d/%d", step, total)
	if _, err := v.vs.disp.TryShow(f); err != nil {
		return err
	}
	ev := v.vs.disp.Poll()
	if ev.Paused && !ev.Closed {
		ev = v.vs.disp.WaitWhilePaused(f)
	}
	if ev.Closed {
		v.vs.closed = true // training goes on, headless
	}
	return nil
}
