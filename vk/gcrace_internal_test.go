package vk

import (
	"maps"
	"os"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// TestEnumerateGCRace runs the enumerations (enumerate.go) while another
// goroutine forces GC cycles. Through vulkan-go's own wrappers, whose C
// arrays a finaliser frees during the call, this aborted glibc within
// 0.3 s. Two seconds in the suite; SDEVK_GCRACE=1 runs it for 20.
func TestEnumerateGCRace(t *testing.T) {
	run := 2 * time.Second
	if os.Getenv("SDEVK_GCRACE") != "" {
		run = 20 * time.Second
	}
	if err := loadVulkan(); err != nil {
		t.Skip(err)
	}
	in, err := newInstance(false, nil)
	if err != nil {
		t.Skip(err)
	}
	defer in.destroy()
	devs, err := enumerate(in)
	if err != nil {
		t.Skip(err)
	}
	pd := devs[0].handle
	// Every call must give the first call's answer: a use-after-free reads
	// garbage names or counts.
	instExts, devExts, fams := instanceExtensions(), deviceExtensions(in.handle, pd), queueFamilies(in.handle, pd)
	if len(instExts) == 0 || len(devExts) == 0 || len(fams) == 0 {
		t.Fatalf("empty enumerations: %d instance extensions, %d device extensions, %d queue families", len(instExts), len(devExts), len(fams))
	}
	var stop atomic.Bool
	go func() {
		for !stop.Load() {
			runtime.GC()
		}
	}()
	defer stop.Store(true)
	deadline := time.Now().Add(run)
	bad, i := 0, 0
	for ; time.Now().Before(deadline); i++ {
		// The validation layer need not be installed; asking for it is
		// the call that matters.
		hasLayer(validationLayer)
		if !maps.Equal(instanceExtensions(), instExts) {
			bad++
		}
		if !maps.Equal(deviceExtensions(in.handle, pd), devExts) {
			bad++
		}
		if !slices.Equal(queueFamilies(in.handle, pd), fams) {
			bad++
		}
	}
	t.Logf("%d iterations, %d wrong answers (use-after-free reads)", i, bad)
	if bad > 0 {
		t.Errorf("%d wrong answers", bad)
	}
}
