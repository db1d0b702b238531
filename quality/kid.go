package quality

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// KIDOptions are the subset sampling of KID, clean-fid's and
// torch-fidelity's defaults when zero.
type KIDOptions struct {
	Subsets    int    // number of random subsets (0: 100)
	SubsetSize int    // rows drawn from each set per subset, at most the smaller set (0: 1000)
	Seed       uint64 // seeds the subset draws
}

// KIDResult is KID's mean and standard deviation (torch-fidelity's
// kernel_inception_distance_mean and _std) over the subsets.
type KIDResult struct {
	Mean, Std           float64
	Subsets, SubsetSize int
}

// KID is the Kernel Inception Distance between feature sets a and b: the
// unbiased estimate of MMD^2 with the kernel k(x, y) = (x.y / D + 1)^3, on
// Subsets pairs of random subsets of SubsetSize rows drawn without
// replacement. It is near zero, and may be slightly negative, when a and b
// come from the same distribution.
func KID(a, b Matrix, o KIDOptions) (KIDResult, error) {
	if err := a.check("KID features", 2); err != nil {
		return KIDResult{}, err
	}
	if err := b.check("KID features", 2); err != nil {
		return KIDResult{}, err
	}
	if a.D != b.D {
		return KIDResult{}, fmt.Errorf("quality: KID of %d- and %d-dimensional features", a.D, b.D)
	}
	if o.Subsets == 0 {
		o.Subsets = 100
	}
	if o.SubsetSize == 0 {
		o.SubsetSize = 1000
	}
	if o.Subsets < 1 || o.SubsetSize < 2 {
		return KIDResult{}, fmt.Errorf("quality: KID needs at least one subset of at least 2 rows, got %d of %d", o.Subsets, o.SubsetSize)
	}
	m := min(o.SubsetSize, a.N, b.N)
	r := rand.New(rand.NewPCG(o.Seed, 0x6b6964)) // "kid"
	mmd := make([]float64, o.Subsets)
	for s := range mmd {
		x, y := subset(a, m, r), subset(b, m, r)
		kxx, kyy, kxy := polyKernelSum(x, x, a.D), polyKernelSum(y, y, a.D), polyKernelSum(x, y, a.D)
		// The diagonals of k(x, x) and k(y, y) are left out: the unbiased
		// estimate.
		kxx.sum -= kxx.trace
		kyy.sum -= kyy.trace
		fm := float64(m)
		mmd[s] = (kxx.sum+kyy.sum)/(fm*(fm-1)) - 2*kxy.sum/(fm*fm)
	}
	res := KIDResult{Subsets: o.Subsets, SubsetSize: m}
	for _, v := range mmd {
		res.Mean += v
	}
	res.Mean /= float64(len(mmd))
	for _, v := range mmd {
		res.Std += (v - res.Mean) * (v - res.Mean)
	}
	res.Std = math.Sqrt(res.Std / float64(len(mmd)))
	return res, nil
}

// subset draws m distinct rows of f as an m x D matrix.
func subset(f Matrix, m int, r *rand.Rand) *mat.Dense {
	out := mat.NewDense(m, f.D, nil)
	for i, row := range r.Perm(f.N)[:m] {
		out.SetRow(i, f.Row(row))
	}
	return out
}

// kernelSum is the sum and the trace of a kernel matrix.
type kernelSum struct{ sum, trace float64 }

// polyKernelSum sums (x_i.y_j / d + 1)^3 over all pairs of rows.
func polyKernelSum(x, y *mat.Dense, d int) kernelSum {
	var gram mat.Dense
	gram.Mul(x, y.T())
	raw := gram.RawMatrix()
	inv := 1 / float64(d)
	var k kernelSum
	for i := range raw.Rows {
		for j, g := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
			v := g*inv + 1
			v = v * v * v
			k.sum += v
			if i == j {
				k.trace += v
			}
		}
	}
	return k
}
