package optest

// upFirDnRef is score_sde's upfirdn2d on planes of h x w written as a
// scatter: input sample (r, c) sits at (r*up + pad0, c*up + pad0) of the
// upsampled, padded plane, and reaches output i wherever a kernel tap a of
// the flipped kernel at i*down lands on it (i*down + a = r*up + pad0).
func upFirDnRef(planes, h, w int, kernel []float64, k, up, down, pad0, pad1 int) func(x [][]float64) []float64 {
	return func(x [][]float64) []float64 {
		oh := (h*up+pad0+pad1-k)/down + 1
		ow := (w*up+pad0+pad1-k)/down + 1
		y := make([]float64, planes*oh*ow)
		// outs returns the (output index, tap) pairs that padded position q reaches.
		outs := func(q, n int) [][2]int {
			var r [][2]int
			for a := 0; a < k; a++ {
				if d := q - a; d >= 0 && d%down == 0 && d/down < n {
					r = append(r, [2]int{d / down, a})
				}
			}
			return r
		}
		for p := 0; p < planes; p++ {
			for r := 0; r < h; r++ {
				for c := 0; c < w; c++ {
					v := x[0][(p*h+r)*w+c]
					for _, i := range outs(r*up+pad0, oh) {
						for _, j := range outs(c*up+pad0, ow) {
							y[(p*oh+i[0])*ow+j[0]] += v * kernel[(k-1-i[1])*k+k-1-j[1]]
						}
					}
				}
			}
		}
		return y
	}
}

// firKernel is score_sde's _setup_kernel(k1d) * scale, row-major.
func firKernel(k1d []float64, scale float64) []float64 {
	var sum float64
	for _, a := range k1d {
		sum += a
	}
	var k []float64
	for _, a := range k1d {
		for _, b := range k1d {
			k = append(k, a*b/(sum*sum)*scale)
		}
	}
	return k
}
