package sampling

import (
	"fmt"

	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// Columns of a row of the coefficient table.
const (
	colZero  = 0 // always 0: the noise weight when a column is broadcast as a constant
	ColT     = 1 // time t
	ColMean  = 2 // mean coefficient m(t) of the marginal
	ColStd   = 3 // std s(t) of the marginal
	colAlpha = 4 // the Langevin corrector's alpha
	colPred  = 5 // predictor: A, B, noise, const (x, score)
	colCorr  = 9 // fixed-step corrector: A, B, noise, const
	// Stride is the length of a row.
	Stride = 16
)

// Row holds one step's numbers.
type Row struct {
	T, Mean, Std, Alpha float64
	Pred, Corr          [4]float64
}

// Schedule is the coefficient table and the run state on the device.
type Schedule struct {
	Coef  *vk.Buffer // rows, then the dynamic region
	State *vk.Buffer // kernels.SDEStateWords: counter, seed lo, seed hi, noise offset
	Rows  int
	// offset is the noise offset of the batch's first value: First * D for a
	// batch that holds points First.. of a run (setFirst).
	offset uint32
	// dyn is the offset of 4 coefficients that kernels write (the Langevin
	// corrector's), unit that of the constants (1, 0) (a plain noise draw),
	// prior that of (prior std, 0), extra that of the caller's area.
	dyn, unit, prior, extra int
	table                   []float32 // host copy
}

// newSchedule allocates a table of maxRows rows, the constants and extra
// floats that write may fill (adaptive solvers rewrite the table per batch
// of commands).
func newSchedule(dev *vk.Device, maxRows, extra int, priorStd float64, seed uint64) (*Schedule, error) {
	s := &Schedule{Rows: maxRows, dyn: maxRows * Stride}
	s.unit, s.prior, s.extra = s.dyn+4, s.dyn+6, s.dyn+8
	s.table = make([]float32, s.extra+extra)
	s.table[s.unit], s.table[s.prior] = 1, float32(priorStd)
	var err error
	if s.Coef, err = dev.NewBufferF32(len(s.table)); err != nil {
		return nil, err
	}
	if s.State, err = dev.NewBufferF32(kernels.SDEStateWords); err != nil {
		s.Coef.Free()
		return nil, err
	}
	if err := s.Coef.Upload(s.table); err != nil {
		s.Close()
		return nil, err
	}
	return s, s.Reset(seed)
}

// write fills the first len(rows) rows and the extra area, and uploads them.
func (s *Schedule) write(rows []Row, extra []float32) error {
	if len(rows) > s.Rows || s.extra+len(extra) > len(s.table) {
		return fmt.Errorf("sampling: %d rows and %d extra values overflow the table", len(rows), len(extra))
	}
	for i, r := range rows {
		row := s.table[i*Stride : (i+1)*Stride]
		row[ColT], row[ColMean], row[ColStd], row[colAlpha] = float32(r.T), float32(r.Mean), float32(r.Std), float32(r.Alpha)
		for j := 0; j < 4; j++ {
			row[colPred+j], row[colCorr+j] = float32(r.Pred[j]), float32(r.Corr[j])
		}
	}
	copy(s.table[s.extra:], extra)
	return s.Coef.Upload(s.table[:s.extra+len(extra)])
}

// Reset puts the counter back to step 0 with a new seed (and the batch's
// noise offset).
func (s *Schedule) Reset(seed uint64) error {
	return s.State.UploadU32(s.stateWords(0, seed))
}

// stateWords is the run state at step counter with seed and the batch's
// noise offset.
func (s *Schedule) stateWords(counter uint32, seed uint64) []uint32 {
	return []uint32{counter, uint32(seed), uint32(seed >> 32), s.offset}
}

// maxNoiseElements is how many noise elements a seed addresses per step and
// stream (the run state's 32-bit offset): (first + b) * d must not pass it.
const maxNoiseElements = 1 << 32

// setFirst makes the batch of b points of dimension d draw the noise of
// points first .. first+b-1 of a run.
func (s *Schedule) setFirst(first, b, d int) error {
	if first < 0 {
		return requestErrorf("the first sample index is %d; it must be >= 0", first)
	}
	if end := uint64(first+b) * uint64(d); end > maxNoiseElements {
		return requestErrorf("samples up to index %d of dimension %d need %d noise values per step, more than the %d one seed addresses: use another seed for later samples", first+b-1, d, end, uint64(maxNoiseElements))
	}
	s.offset = uint32(first * d)
	return nil
}

// Counter reads the step counter back (for tests and progress).
func (s *Schedule) Counter() (int, error) {
	v := make([]uint32, 1)
	err := s.State.DownloadU32(v)
	return int(v[0]), err
}

// Close frees the table and the state.
func (s *Schedule) Close() {
	s.Coef.Free()
	s.State.Free()
}

// column returns the LinComb coefficient location of a table column
// broadcast as a constant (NV = 0: the zero column weighs the noise).
func (s *Schedule) column(col int) (kernels.Coef, error) {
	if col < 1 || col >= Stride {
		return kernels.Coef{}, fmt.Errorf("sampling: column %d", col)
	}
	return kernels.Coef{Buf: s.Coef, Col: col - 1, Stride: Stride}, nil
}

// FillColumn records y[i] = the current row's value of col for i < n (the
// time input of a score network).
func (s *Schedule) FillColumn(lib *kernels.Lib, seq *vk.Sequence, y *vk.Buffer, n, col int) error {
	c, err := s.column(col)
	if err != nil {
		return err
	}
	return lib.LinComb(seq, y, n, c, s.State, kernels.NoNoise, 0)
}

// affine reads the coefficients (A, B, C) of an update that is affine in
// (x, score, z) with scalar weights by applying it to unit inputs; const is
// the update of all zeros and must be 0.
func affine(update func(x, score, z []float64) error) ([4]float64, error) {
	var c [4]float64
	eval := func(x, s, z float64) (float64, error) {
		xs := []float64{x}
		err := update(xs, []float64{s}, []float64{z})
		return xs[0], err
	}
	base, err := eval(0, 0, 0)
	if err != nil {
		return c, err
	}
	for i, in := range [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}} {
		v, err := eval(in[0], in[1], in[2])
		if err != nil {
			return c, err
		}
		c[i] = v - base
	}
	c[3] = base
	return c, nil
}
