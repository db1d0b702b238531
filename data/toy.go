package data

import (
	"math"
	"math/rand/v2"
)

// The built-in 2-D sets follow the conventions of the FFJORD / WGAN-GP toy
// generators that the score-based literature reuses, with random (not
// evenly spaced) positions along curves.

func sqrtPos(v float64) float64 { return math.Sqrt(v) }

func mustGMM(c []Component) *GMM {
	g, err := NewGMM(c)
	if err != nil {
		panic(err)
	}
	return g
}

// NCSNToy is the NCSN paper's two-mode mixture: weights 0.8 / 0.2 at (5, 5)
// and (-5, -5), std 1.
func NCSNToy() *GMM {
	return mustGMM([]Component{
		{Weight: 0.8, Mean: []float64{5, 5}, Std: 1},
		{Weight: 0.2, Mean: []float64{-5, -5}, Std: 1},
	})
}

// EightGaussians: eight equal modes on a circle of radius 4/1.414 (~2.83),
// std 0.5/1.414.
func EightGaussians() *GMM {
	s := 1 / math.Sqrt2
	centers := [][2]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {s, s}, {s, -s}, {-s, s}, {-s, -s}}
	var c []Component
	for _, ce := range centers {
		c = append(c, Component{Weight: 1, Mean: []float64{4 * ce[0] / 1.414, 4 * ce[1] / 1.414}, Std: 0.5 / 1.414})
	}
	return mustGMM(c)
}

// TwentyFiveGaussians: a 5x5 grid of equal modes at 2 (i, j) / 2.828 for
// i, j in -2..2, std 0.05/2.828 (WGAN-GP).
func TwentyFiveGaussians() *GMM {
	var c []Component
	for i := -2; i <= 2; i++ {
		for j := -2; j <= 2; j++ {
			c = append(c, Component{Weight: 1, Mean: []float64{2 * float64(i) / 2.828, 2 * float64(j) / 2.828}, Std: 0.05 / 2.828})
		}
	}
	return mustGMM(c)
}

// swissRoll: t = 1.5 pi (1 + 2u), (t cos t, t sin t) + N(0, 1), scaled by 1/5.
func swissRoll(n int, r *rand.Rand) []float64 {
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		t := 1.5 * math.Pi * (1 + 2*r.Float64())
		x[2*i] = (t*math.Cos(t) + r.NormFloat64()) / 5
		x[2*i+1] = (t*math.Sin(t) + r.NormFloat64()) / 5
	}
	return x
}

// moons: two interleaved half circles with noise 0.1, then 2 x + (-1, -0.2).
func moons(n int, r *rand.Rand) []float64 {
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		th := math.Pi * r.Float64()
		var a, b float64
		if i%2 == 0 {
			a, b = math.Cos(th), math.Sin(th)
		} else {
			a, b = 1-math.Cos(th), 1-math.Sin(th)-0.5
		}
		a += 0.1 * r.NormFloat64()
		b += 0.1 * r.NormFloat64()
		x[2*i] = 2*a - 1
		x[2*i+1] = 2*b - 0.2
	}
	return x
}

// checkerboard: uniform on the dark squares of a 4x4 board over [-4, 4]^2.
func checkerboard(n int, r *rand.Rand) []float64 {
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		x1 := r.Float64()*4 - 2
		x2 := r.Float64() - float64(r.IntN(2))*2
		m := math.Mod(math.Floor(x1), 2) // numpy's % is non-negative, Go's Mod keeps the sign
		if m < 0 {
			m += 2
		}
		x2 += m
		x[2*i] = 2 * x1
		x[2*i+1] = 2 * x2
	}
	return x
}

// rings: four concentric circles of radii 3, 2.25, 1.5, 0.75 with N(0, 0.08^2) noise.
func rings(n int, r *rand.Rand) []float64 {
	radii := []float64{3, 2.25, 1.5, 0.75}
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		rad := radii[i%4]
		th := 2 * math.Pi * r.Float64()
		x[2*i] = rad*math.Cos(th) + 0.08*r.NormFloat64()
		x[2*i+1] = rad*math.Sin(th) + 0.08*r.NormFloat64()
	}
	return x
}
