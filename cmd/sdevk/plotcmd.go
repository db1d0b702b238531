package main

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/viewer/plot"
)

func init() {
	register("plot", "PNG figures of 2-D models: `plot score` draws the score field (quiver) and sampling trajectories over the density", runPlot)
}

// plotCommands are the subcommands of `sdevk plot`.
var plotCommands = map[string]func(args []string, stdout io.Writer) error{
	"score": runPlotScore,
}

func runPlot(args []string, stdout io.Writer) error {
	var names []string
	for k := range plotCommands {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(args) == 0 {
		return usagef("plot: want a figure: sdevk plot %s ...", strings.Join(names, " | "))
	}
	f, ok := plotCommands[args[0]]
	if !ok {
		return usagef("plot: unknown figure %q (want %s)", args[0], strings.Join(names, " | "))
	}
	return f(args[1:], stdout)
}

const panelPx = 480

var (
	densityColor = color.NRGBA{50, 95, 170, 255}
	sampleColor  = color.NRGBA{200, 55, 25, 255}
	arrowColor   = color.NRGBA{30, 30, 30, 220}
)

// plotExtent is a square data rectangle holding the central 99% of each of
// the point sets (2-D, row-major), padded by 8%.
func plotExtent(sets ...[]float64) plot.Rect {
	lo := [2]float64{math.Inf(1), math.Inf(1)}
	hi := [2]float64{math.Inf(-1), math.Inf(-1)}
	for _, xy := range sets {
		n := len(xy) / 2
		if n == 0 {
			continue
		}
		for a := 0; a < 2; a++ {
			v := make([]float64, 0, n)
			for i := 0; i < n; i++ {
				if f := xy[2*i+a]; !math.IsNaN(f) && !math.IsInf(f, 0) {
					v = append(v, f)
				}
			}
			if len(v) == 0 {
				continue
			}
			sort.Float64s(v)
			lo[a] = math.Min(lo[a], v[int(0.005*float64(len(v)-1))])
			hi[a] = math.Max(hi[a], v[int(math.Ceil(0.995*float64(len(v)-1)))])
		}
	}
	if math.IsInf(lo[0], 0) || math.IsInf(lo[1], 0) {
		return plot.Rect{XMin: -1, XMax: 1, YMin: -1, YMax: 1}
	}
	half := math.Max(hi[0]-lo[0], hi[1]-lo[1])/2*1.08 + 1e-6
	cx, cy := (lo[0]+hi[0])/2, (lo[1]+hi[1])/2
	return plot.Rect{XMin: cx - half, XMax: cx + half, YMin: cy - half, YMax: cy + half}
}

// exactPoints draws n points of ds with a fixed seed (plot extents).
func exactPoints(ds data.Dataset, n int) []float64 {
	return ds.Sample(n, rand.New(rand.NewPCG(1, 2)))
}

// samplesPNG plots 2-D samples x over the true density of ds when ds is a
// mixture (else over nothing).
func samplesPNG(path string, ds data.Dataset, x []float64, title string) error {
	ref := exactPoints(ds, 2000)
	p := plot.NewPanel(panelPx, panelPx, plotExtent(ref, x), title)
	if m, ok := ds.(data.Mixture); ok {
		g := m.GMM()
		p.Density(g.LogProb, densityColor, 0.55, 0.5)
	}
	n := len(x) / 2
	c := sampleColor
	c.A = uint8(255 * math.Max(0.15, math.Min(0.85, 1500/float64(n))))
	p.Points(x, 1.4, c)
	p.Frame()
	if err := plot.SavePNG(path, p.Img); err != nil {
		return fmt.Errorf("--png %v", err)
	}
	return nil
}

// scorePanel is one panel of `plot score`: a score source and its title.
// The true (oracle) score is one; a checkpoint's learned score is added
// next to it when checkpoints exist.
type scorePanel struct {
	title string
	src   sampling.ScoreModel
}

func runPlotScore(args []string, stdout io.Writer) error {
	fs := newFlags("plot score")
	cfgPath := fs.String("config", "", "TOML config (see configs/)")
	var sets setList
	fs.Var(&sets, "set", "override a config key, section.key=value (repeatable)")
	score := fs.String("score", "", "oracle: the exact score of the config's Gaussian mixture")
	checkpoint := fs.String("checkpoint", "", "run directory or checkpoint file: adds the learned score next to the true one")
	out := fs.String("out", "", "output PNG file")
	tq := fs.Float64("t", -1, "time of the score field in [0, T] (default sampling.eps)")
	grid := fs.Int("grid", 21, "arrows per side of the quiver grid")
	traj := fs.Int("trajectories", 0, "draw K sampling trajectories (with the configured or --sampler sampler)")
	var sf samplerFlags
	sf.register(fs)
	seed := fs.Uint64("seed", 0, "random seed of the trajectories (default the config's seed)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	given := flagsSet(fs)
	sf.sets = sets
	c, src, err := loadScoreModel("plot score", *cfgPath, *score, *checkpoint, sets)
	if err != nil {
		return err
	}
	method, err := sf.apply(c, given)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out: an output PNG file is required")
	}
	if err := checkOutPath("--out", *out); err != nil {
		return err
	}
	if *grid < 2 || *grid > 200 {
		return usagef("--grid: must be in [2, 200], got %d", *grid)
	}
	if *traj < 0 || *traj > 1000 {
		return usagef("--trajectories: must be in [0, 1000], got %d", *traj)
	}
	if !given["seed"] {
		*seed = c.Seed
	}
	ds, err := configDataset(c)
	if err != nil {
		return err
	}
	if ds.Dim() != 2 {
		return usagef("plot score: plots are for 2-D data; %s's data is %d-dimensional", c.File, ds.Dim())
	}
	s, err := c.NewSDE(c.SamplingSteps())
	if err != nil {
		return usagef("%s: sde: %v", c.File, err)
	}
	t := *tq
	if !given["t"] {
		t = c.Sampling.Eps
	}
	if !(t >= 0 && t <= s.T()) {
		return usagef("--t: must be in [0, %g], got %g", s.T(), t)
	}
	panels := []scorePanel{{title: "true score", src: src}}
	if src.Net != nil {
		// The learned score beside the true one, when the data has one.
		panels = []scorePanel{{title: "learned score", src: src}}
		if g, err := c.GMM(); err == nil {
			panels = append([]scorePanel{{title: "true score", src: sampling.OracleModel(g)}}, panels...)
		}
	}
	var imgs []*plot.Panel
	rect := plotExtent(exactPoints(ds, 2000))
	for _, sp := range panels {
		mean, std := s.Marginal(t)
		p := plot.NewPanel(panelPx, panelPx, rect, fmt.Sprintf("%s, %s, t = %.3g (std %.3g)", sp.title, ds.Name(), t, std))
		if sp.src.GMM != nil {
			g := sp.src.GMM
			p.Density(func(xy, o []float64) { g.LogProbAt(xy, mean, std, o) }, densityColor, 0.45, 0.5)
		}
		f := sp.src.TimeScore(s)
		if sp.src.IsNet() {
			ev, err := sampling.NewHostNetScore(sp.src)
			if err != nil {
				return err
			}
			defer ev.Close()
			quiver(p, ev.Score, t, *grid)
			if err := ev.Err(); err != nil {
				return fmt.Errorf("evaluating %s: %w", sp.src.Name, err)
			}
		} else {
			quiver(p, f, t, *grid)
		}
		if *traj > 0 && sp.src.Net == nil {
			o, err := sf.request(c, method, *traj, 2, *seed, sp.src, given)
			if err != nil {
				return err
			}
			paths, err := trajectories(o)
			if err != nil {
				return fmt.Errorf("%s: %w", o.Describe(), backendErr(err))
			}
			for k, path := range paths {
				col := plot.Palette[k%len(plot.Palette)]
				col.A = 170
				p.Polyline(thinPath(path, 150), 1, col)
				col.A = 255
				p.Disc(path[len(path)-2], path[len(path)-1], 3, col)
			}
			p.Title += fmt.Sprintf(", %d %s paths", *traj, method)
		}
		p.Frame()
		imgs = append(imgs, p)
	}
	if err := plot.SavePNG(*out, plot.Row(imgs...)); err != nil {
		return fmt.Errorf("--out %v", err)
	}
	fmt.Fprintf(stdout, "wrote %s (score field at t = %g on a %dx%d grid", *out, t, *grid, *grid)
	if *traj > 0 {
		fmt.Fprintf(stdout, ", %d trajectories of %s", *traj, method)
	}
	fmt.Fprintln(stdout, ")")
	return nil
}

// quiver draws the score field at time t on a grid x grid lattice: arrow
// length grows as the square root of |score|, the longest filling 90% of a
// cell, so that directions stay visible where the score is small.
func quiver(p *plot.Panel, score sde.ScoreFunc, t float64, grid int) {
	r := p.R
	xy := make([]float64, 0, 2*grid*grid)
	for j := 0; j < grid; j++ {
		for i := 0; i < grid; i++ {
			x := r.XMin + (float64(i)+0.5)/float64(grid)*(r.XMax-r.XMin)
			y := r.YMin + (float64(j)+0.5)/float64(grid)*(r.YMax-r.YMin)
			xy = append(xy, x, y)
		}
	}
	sc := make([]float64, len(xy))
	score(xy, t, sc)
	mx := 0.0
	for i := 0; i < len(sc); i += 2 {
		if m := math.Hypot(sc[i], sc[i+1]); m > mx && !math.IsInf(m, 0) {
			mx = m
		}
	}
	if !(mx > 0) {
		return
	}
	cell := float64(p.W) / float64(grid)
	for i := 0; i < len(sc); i += 2 {
		m := math.Hypot(sc[i], sc[i+1])
		if !(m > 0) || math.IsInf(m, 0) {
			continue
		}
		l := 0.9 * cell * math.Sqrt(m/mx)
		p.Arrow(xy[i], xy[i+1], l*sc[i]/m, l*sc[i+1]/m, 1.1, arrowColor)
	}
}

// trajectories runs the reference sampler on o.N points and returns each
// point's path: the positions where the score was evaluated, then the
// final sample (x, y pairs).
func trajectories(o sampling.Request) ([][]float64, error) {
	paths := make([][]float64, o.N)
	o.Trace = func(x []float64, t float64) {
		for k := range paths {
			paths[k] = append(paths[k], x[2*k], x[2*k+1])
		}
	}
	if _, _, err := (sampling.Reference{}).Sample(context.Background(), o); err != nil {
		return nil, err
	}
	return paths, nil
}

// thinPath reduces an (x, y) path to at most about max vertices, each the
// mean of a window of consecutive points (the last point kept exactly), so
// that noisy samplers' paths show their drift rather than each step's noise.
func thinPath(path []float64, max int) []float64 {
	n := len(path) / 2
	if n <= max {
		return path
	}
	w := (n + max - 1) / max
	var out []float64
	for i := 0; i < n; i += w {
		sx, sy, k := 0.0, 0.0, 0
		for j := i; j < i+w && j < n; j++ {
			sx, sy, k = sx+path[2*j], sy+path[2*j+1], k+1
		}
		out = append(out, sx/float64(k), sy/float64(k))
	}
	return append(out, path[2*(n-1)], path[2*(n-1)+1])
}
