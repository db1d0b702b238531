package atomicfile

import (
	"io"
	"sync"
	"syscall"
)

// fullDisk, when armed, is the number of bytes that may still be written
// before every write fails as on a full disk.
var fullDisk = struct {
	sync.Mutex
	armed bool
	left  int64
}{}

// SimulateFullDisk makes the writes of this package (Write and Appender)
// fail with "no space left on device" after n more bytes, until the returned
// function is called. It is the seam through which the tests of every
// writer check their error paths; it is not for concurrent tests.
func SimulateFullDisk(n int64) (restore func()) {
	fullDisk.Lock()
	fullDisk.armed, fullDisk.left = true, n
	fullDisk.Unlock()
	return func() {
		fullDisk.Lock()
		fullDisk.armed = false
		fullDisk.Unlock()
	}
}

// limit returns w, or a writer that fails as a full disk does when
// SimulateFullDisk is armed.
func limit(w io.Writer) io.Writer { return limitedWriter{w} }

type limitedWriter struct{ w io.Writer }

func (l limitedWriter) Write(p []byte) (int, error) {
	fullDisk.Lock()
	if !fullDisk.armed {
		fullDisk.Unlock()
		return l.w.Write(p)
	}
	n := int64(len(p))
	short := n > fullDisk.left
	if short {
		n = fullDisk.left
	}
	fullDisk.left -= n
	fullDisk.Unlock()
	written, err := l.w.Write(p[:n])
	if err == nil && short {
		err = syscall.ENOSPC
	}
	return written, err
}
