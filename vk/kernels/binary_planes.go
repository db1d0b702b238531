package kernels

import "github.com/sdevk/sdevk/vk"

// planeBroadcast reports whether b, broadcast against a (which has all n
// elements), is contiguous in a's dimensions [lo, hi) and 1 elsewhere, as a
// channel bias [C, 1, 1] or [N, C, 1, 1] against [N, C, H, W]: then
// element i of the output reads b[(i / div) % mod], with div the size of
// a's dimensions after hi and mod that of [lo, hi).
func planeBroadcast(aShape, bShape []int) (div, mod int, ok bool) {
	if len(bShape) > len(aShape) || prod(bShape) == 0 {
		return 0, 0, false
	}
	b := make([]int, len(aShape))
	for i := range b {
		b[i] = 1
	}
	copy(b[len(aShape)-len(bShape):], bShape)
	lo, hi := -1, -1
	for i, d := range b {
		switch {
		case d == aShape[i] && d != 1:
			if hi >= 0 {
				return 0, 0, false // a second range
			}
			if lo < 0 {
				lo = i
			}
		case d == 1:
			if lo >= 0 && hi < 0 {
				hi = i
			}
		default:
			return 0, 0, false
		}
	}
	if lo < 0 {
		return 0, 0, false // a scalar: the repeat modes take it
	}
	if hi < 0 {
		hi = len(b)
	}
	return prod(aShape[hi:]), prod(aShape[lo:hi]), true
}

// binaryPlanes records out = a op b with b broadcast as planeBroadcast
// found (binary_planes.comp): the GPU-type path, one vec4 per invocation;
// CPU-type devices stream the same indexing in chunks (binary_chunk's mode
// binaryBPlanes), since there a workgroup per 256 values spent most of the
// pass starting workgroups. n is a's length.
func (l *Lib) binaryPlanes(seq *vk.Sequence, op BinaryOp, a, b, out *vk.Buffer, n, div, mod int) error {
	vec4 := div%4 == 0 && n%4 == 0
	k, err := l.kernel1D("binary_planes", uint32(op), uint32(div), uint32(mod), b2u(vec4))
	if err != nil {
		return err
	}
	return seq.Dispatch(k, k.Groups(ceilDiv(n, 4)), vk.Push(uint32(n)), a, b, out)
}
