package vk_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/internal/atomicfile"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// TestFaultsAllocation: the chosen allocation fails with an error that
// names it and wraps the result; the ones around it succeed.
func TestFaultsAllocation(t *testing.T) {
	d := vktest.Open(t, vk.Options{Faults: &vk.Faults{Alloc: 3, Result: vk.OutOfDeviceMemory}})
	for i := 1; i <= 4; i++ {
		b, err := d.NewBufferF32(100)
		if i != 3 {
			if err != nil {
				t.Fatalf("allocation %d: %v", i, err)
			}
			b.Free()
			continue
		}
		if !errors.Is(err, vk.ErrOutOfDeviceMemory) || err.Error() != "vulkan: allocating 400 bytes: out of device memory" {
			t.Errorf("allocation 3 returned %v", err)
		}
	}
}

// TestFaultsSubmit: the chosen submit fails as a lost device, and so does
// every later one, as on a real lost device.
func TestFaultsSubmit(t *testing.T) {
	for _, staging := range []bool{false, true} {
		d := vktest.Open(t, vk.Options{ForceStaging: staging, Faults: &vk.Faults{Submit: 2, Result: vk.DeviceLost}})
		k := fillKernel(t, d, 64)
		b, err := d.NewBufferF32(100)
		if err != nil {
			t.Fatal(err)
		}
		seq, err := d.NewSequence(false)
		if err != nil {
			t.Fatal(err)
		}
		if err := seq.Begin(); err != nil {
			t.Fatal(err)
		}
		if err := seq.Dispatch(k, k.Groups(100), vk.Push(uint32(100), float32(1)), b); err != nil {
			t.Fatal(err)
		}
		if err := seq.End(); err != nil {
			t.Fatal(err)
		}
		if err := seq.Submit(); err != nil {
			t.Fatalf("submit 1: %v", err)
		}
		for i := 2; i <= 3; i++ {
			err := seq.Submit()
			if !errors.Is(err, vk.ErrDeviceLost) || !strings.Contains(err.Error(), "vkQueueSubmit: device lost") {
				t.Errorf("staging=%v: submit %d returned %v", staging, i, err)
			}
		}
		if staging {
			if err := b.Download(make([]float32, 100)); !errors.Is(err, vk.ErrDeviceLost) {
				t.Errorf("a staged download on a lost device returned %v", err)
			}
		}
		seq.Destroy()
		b.Free()
	}
}

func TestParseFaults(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want vk.Faults
	}{
		{"submit:30:device-lost", vk.Faults{Submit: 30, Result: vk.DeviceLost}},
		{"alloc:2:out-of-memory", vk.Faults{Alloc: 2, Result: vk.OutOfDeviceMemory}},
	} {
		if got, err := vk.ParseFaults(tc.in); err != nil || *got != tc.want {
			t.Errorf("%q: %+v, %v", tc.in, got, err)
		}
	}
	for _, bad := range []string{"", "submit:0:device-lost", "submit:x:device-lost", "copy:1:device-lost", "submit:1:timeout", "submit:1"} {
		if _, err := vk.ParseFaults(bad); err == nil || !strings.Contains(err.Error(), "SDEVK_FAULTS") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestPipelineCacheOnFullDisk: a pipeline cache that cannot be saved keeps
// the earlier file whole and leaves no temporary (it only costs the next
// start its speed-up).
func TestPipelineCacheOnFullDisk(t *testing.T) {
	dir := t.TempDir()
	d, err := vk.Open(vk.Options{CacheDir: dir})
	if err != nil {
		t.Skipf("no Vulkan: %v", err)
	}
	fillKernel(t, d, 64)
	path := d.PipelineCache().Path
	d.Close()
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	d = vktest.Open(t, vk.Options{CacheDir: dir})
	fillKernel(t, d, 32) // a new pipeline, so the cache is saved again
	restore := atomicfile.SimulateFullDisk(10)
	defer restore()
	d.Close()
	if after, err := os.Stat(path); err != nil || !os.SameFile(before, after) {
		t.Errorf("the cache file was replaced on a full disk (%v)", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries in the cache directory", len(entries))
	}
}
