package main

import "github.com/sdevk/sdevk/viewer/plot"

// saveLossPlot draws the loss curve and its running mean over 1% of the run.
func saveLossPlot(path string, steps, losses []float64) error {
	if len(steps) == 0 {
		return nil
	}
	return plot.SavePNG(path, plot.Loss(2*panelPx, panelPx/2, steps, losses).Img)
}
