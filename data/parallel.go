package data

import (
	"runtime"
	"sync"
)

// parallelFor splits [0, n) into contiguous chunks run on up to GOMAXPROCS
// goroutines; small n runs inline. fn must only write to its own range.
func parallelFor(n, minChunk int, fn func(lo, hi int)) {
	p := runtime.GOMAXPROCS(0)
	if p <= 1 || n < 2*minChunk {
		fn(0, n)
		return
	}
	chunks := min(p, n/minChunk)
	var wg sync.WaitGroup
	for c := 0; c < chunks; c++ {
		lo, hi := c*n/chunks, (c+1)*n/chunks
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}
