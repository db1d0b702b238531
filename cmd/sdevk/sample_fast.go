package main

import (
	"flag"
	"math"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/sde"
)

// fastFlags are the options of the few-step samplers.
type fastFlags struct {
	schedule         string
	eta, rho, sChurn float64
	sNoise, sTMin    float64
	sTMax            float64
	order            int
}

func (f *fastFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.schedule, "schedule", "", "few-step samplers' time grid: default | uniform | quadratic | logsnr | karras (default sampling.schedule; the default is quadratic for the DPM-Solvers and UniPC on VP and sub-VP, log-SNR on VE)")
	fs.Float64Var(&f.eta, "eta", 0, "ddim noise, 0 (deterministic) .. 1 (default sampling.eta)")
	fs.Float64Var(&f.rho, "rho", 0, "karras schedule exponent (default sampling.rho, 7)")
	fs.IntVar(&f.order, "order", 0, "dpm order, 2 or 3 (default sampling.order)")
	fs.Float64Var(&f.sChurn, "s-churn", 0, "edm-sde churn S_churn (default sampling.s_churn)")
	fs.Float64Var(&f.sNoise, "s-noise", 0, "edm-sde noise inflation S_noise (default sampling.s_noise)")
	fs.Float64Var(&f.sTMin, "s-tmin", 0, "edm-sde: churn only where sigma >= s-tmin (default sampling.s_tmin)")
	fs.Float64Var(&f.sTMax, "s-tmax", 0, "edm-sde: churn only where sigma <= s-tmax, 0 for no bound (default sampling.s_tmax)")
}

// apply puts the given flags into c's [sampling], checking that the
// sampler uses them; the values are checked by c.Validate.
func (f *fastFlags) apply(c *config.Config, method string, given map[string]bool) error {
	fm, err := sde.ParseFastMethod(method)
	fast := err == nil
	edm := fast && fm == sde.FastEDMSDE
	fs := &c.Sampling.FastSampling
	for _, o := range []struct {
		name string
		ok   bool
		user string
		set  func()
	}{
		{"schedule", fast, "the few-step samplers (ddim, dpmpp2m, dpmpp3s, dpm, unipc, euler, heun, edm-sde)", func() { fs.Schedule = f.schedule }},
		{"eta", fast && fm == sde.FastDDIM, "--sampler ddim", func() { fs.Eta = f.eta }},
		{"rho", fast, "the karras schedule of the few-step samplers", func() { fs.Rho = f.rho }},
		{"order", fast && fm == sde.FastDPM, "--sampler dpm", func() { fs.Order = f.order }},
		{"s-churn", edm, "--sampler edm-sde", func() { fs.SChurn = f.sChurn }},
		{"s-noise", edm, "--sampler edm-sde", func() { fs.SNoise = f.sNoise }},
		{"s-tmin", edm, "--sampler edm-sde", func() { fs.STMin = f.sTMin }},
		{"s-tmax", edm, "--sampler edm-sde", func() { fs.STMax = f.sTMax }},
	} {
		if !given[o.name] {
			continue
		}
		if !o.ok {
			return usagef("--%s: only used by %s (sampler is %s)", o.name, o.user, method)
		}
		o.set()
	}
	for _, v := range []struct {
		name string
		v    float64
	}{{"eta", f.eta}, {"rho", f.rho}, {"s-churn", f.sChurn}, {"s-noise", f.sNoise}, {"s-tmin", f.sTMin}, {"s-tmax", f.sTMax}} {
		if given[v.name] && (math.IsNaN(v.v) || math.IsInf(v.v, 0)) {
			return usagef("--%s: must be finite, got %g", v.name, v.v)
		}
	}
	return nil
}
