package sde

import (
	"fmt"
	"math"
	"strings"
)

// TimeGrid selects how a few-step sampler spaces its times between T and eps.
type TimeGrid int

// The time grids. GridDefault is the sampler's own: uniform in t for DDIM,
// time-quadratic for DPM-Solver(++) and UniPC on VP and sub-VP (log-SNR on
// VE), Karras for the EDM samplers.
const (
	GridDefault   TimeGrid = iota
	GridUniform            // uniform in t
	GridLogSNR             // uniform in lambda = log(mean / std)
	GridKarras             // Karras et al. 2022: uniform in sigma^(1/rho), sigma = std / mean
	GridQuadratic          // uniform in sqrt(t): DDIM's quadratic skip for low-resolution data
)

// TimeGridNames lists the accepted --schedule names.
var TimeGridNames = []string{"default", "uniform", "logsnr", "karras", "quadratic"}

func (g TimeGrid) String() string {
	if g >= 0 && int(g) < len(TimeGridNames) {
		return TimeGridNames[g]
	}
	return fmt.Sprintf("TimeGrid(%d)", int(g))
}

// ParseTimeGrid accepts the names of TimeGridNames ("" is default; also
// "log-snr", "rho", "time-quadratic").
func ParseTimeGrid(s string) (TimeGrid, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "default":
		return GridDefault, nil
	case "uniform", "linear":
		return GridUniform, nil
	case "logsnr", "log-snr", "log_snr":
		return GridLogSNR, nil
	case "karras", "rho":
		return GridKarras, nil
	case "quadratic", "time-quadratic", "time_quadratic":
		return GridQuadratic, nil
	}
	return 0, fmt.Errorf("sde: unknown schedule %q (want %s)", s, strings.Join(TimeGridNames, ", "))
}

// LogSNR is lambda(t) = log(mean(t) / std(t)), decreasing in t.
func LogSNR(s SDE, t float64) float64 {
	m, std := s.Marginal(t)
	return math.Log(m / std)
}

// SigmaView is the EDM noise level sigma(t) = std(t) / mean(t), increasing
// in t: x / mean(t) is the data plus N(0, sigma^2 I) noise.
func SigmaView(s SDE, t float64) float64 {
	m, std := s.Marginal(t)
	return std / m
}

// Times returns n >= 2 times from s.T() down to eps spaced by g (rho is
// Karras's exponent, 7 in the paper).
func Times(s SDE, g TimeGrid, n int, eps, rho float64) ([]float64, error) {
	if n < 2 {
		return nil, fmt.Errorf("sde: a time grid needs at least 2 points, got %d", n)
	}
	if !(eps > 0 && eps < s.T()) {
		return nil, fmt.Errorf("sde: end time eps %g is not in (0, %g)", eps, s.T())
	}
	T := s.T()
	switch g {
	case GridUniform, GridDefault:
		return Linspace(T, eps, n), nil
	case GridQuadratic:
		ts := Linspace(math.Sqrt(T), math.Sqrt(eps), n)
		for i, v := range ts {
			ts[i] = v * v
		}
		ts[0], ts[n-1] = T, eps
		return ts, nil
	case GridLogSNR:
		l0, l1 := LogSNR(s, T), LogSNR(s, eps)
		return mapGrid(Linspace(l0, l1, n), func(t float64) float64 { return LogSNR(s, t) }, eps, T), nil
	case GridKarras:
		if !(rho > 0) {
			return nil, fmt.Errorf("sde: karras schedule needs rho > 0, got %g", rho)
		}
		hi, lo := math.Pow(SigmaView(s, T), 1/rho), math.Pow(SigmaView(s, eps), 1/rho)
		sig := Linspace(hi, lo, n)
		for i, v := range sig {
			sig[i] = math.Pow(v, rho)
		}
		return mapGrid(sig, func(t float64) float64 { return SigmaView(s, t) }, eps, T), nil
	}
	return nil, fmt.Errorf("sde: unknown time grid %v", g)
}

// mapGrid returns the times at which the monotone f takes the values vs,
// the ends pinned to T and eps.
func mapGrid(vs []float64, f func(float64) float64, eps, T float64) []float64 {
	ts := make([]float64, len(vs))
	for i, v := range vs {
		ts[i] = invert(f, v, eps, T)
	}
	ts[0], ts[len(ts)-1] = T, eps
	return ts
}

// invert finds t in [lo, hi] with f(t) = v for a monotone f, by bisection
// (to float64 resolution; a target outside the range gives an end).
func invert(f func(float64) float64, v, lo, hi float64) float64 {
	up := f(hi) > f(lo)
	for k := 0; k < 200 && hi-lo > 1e-15*hi; k++ {
		mid := 0.5 * (lo + hi)
		if (f(mid) < v) == up {
			lo = mid
		} else {
			hi = mid
		}
	}
	return 0.5 * (lo + hi)
}
