package kernels

import (
	"fmt"

	"github.com/sdevk/sdevk/vk"
)

// resample records upsample2x.comp or pool2x.comp.
func (l *Lib) resample(seq *vk.Sequence, name string, x, y *vk.Buffer, planes, h, w int, scale float32) error {
	if planes < 0 || h < 0 || w < 0 {
		return fmt.Errorf("kernels: %s: negative size %d x %d x %d", name, planes, h, w)
	}
	nx, ny := planes*h*w, planes*h*w*4
	if name == "pool2x" {
		if h%2 != 0 || w%2 != 0 {
			return fmt.Errorf("kernels: 2x pooling of %d x %d: odd size", h, w)
		}
		ny = nx / 4
	}
	if err := checkLen(name, "x", x, nx); err != nil {
		return err
	}
	if err := checkLen(name, "y", y, ny); err != nil {
		return err
	}
	// upsample2x runs one invocation per element of x, pool2x one per
	// element of y; h and w are specialization constants of both.
	n := ny
	if name == "upsample2x" {
		n = nx
	}
	if n == 0 {
		return nil
	}
	k, err := l.kernel1D(name, uint32(h), uint32(w))
	if err != nil {
		return err
	}
	return seq.Dispatch(k, k.Groups(n), vk.Push(uint32(n), scale), x, y)
}

// Upsample2x records nearest-neighbour 2x upsampling, as graph.Upsample2x:
// x holds planes (the product of all leading dimensions) of h x w, y
// planes of 2h x 2w.
func (l *Lib) Upsample2x(seq *vk.Sequence, x, y *vk.Buffer, planes, h, w int) error {
	return l.resample(seq, "upsample2x", x, y, planes, h, w, 1)
}

// Upsample2xBackward records the gradient of Upsample2x: gx (planes of
// h x w) gets the sum of each 2x2 block of gy (planes of 2h x 2w).
func (l *Lib) Upsample2xBackward(seq *vk.Sequence, gy, gx *vk.Buffer, planes, h, w int) error {
	return l.resample(seq, "pool2x", gy, gx, planes, 2*h, 2*w, 1)
}

// AvgPool2x records 2x2 average pooling, as graph.AvgPool2x: x holds
// planes of h x w (both even), y planes of h/2 x w/2.
func (l *Lib) AvgPool2x(seq *vk.Sequence, x, y *vk.Buffer, planes, h, w int) error {
	return l.resample(seq, "pool2x", x, y, planes, h, w, 0.25)
}

// AvgPool2xBackward records the gradient of AvgPool2x: gx (planes of h x w)
// is gy (planes of h/2 x w/2) upsampled and divided by 4.
func (l *Lib) AvgPool2xBackward(seq *vk.Sequence, gy, gx *vk.Buffer, planes, h, w int) error {
	if h%2 != 0 || w%2 != 0 {
		return fmt.Errorf("kernels: 2x pooling gradient of %d x %d: odd size", h, w)
	}
	return l.resample(seq, "upsample2x", gy, gx, planes, h/2, w/2, 0.25)
}
