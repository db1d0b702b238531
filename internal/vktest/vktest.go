// Package vktest opens Vulkan devices for tests: it skips a test only when the
// machine has no Vulkan at all, and fails it when the validation layer
// (SDEVK_VALIDATE=1) reported anything while it ran.
package vktest

import (
	"strings"
	"testing"

	"github.com/sdevk/sdevk/vk"
)

// Open opens a device for t and closes it when t ends.
func Open(t testing.TB, opts vk.Options) *vk.Device {
	t.Helper()
	if opts.CacheDir == "" {
		opts.CacheDir = t.TempDir()
	}
	before := len(vk.ValidationMessages())
	d, err := vk.Open(opts)
	if err != nil {
		if strings.Contains(err.Error(), "libvulkan.so.1") || strings.Contains(err.Error(), "no Vulkan") {
			t.Skipf("no Vulkan on this machine: %v", err)
		}
		t.Fatalf("opening a Vulkan device: %v", err)
	}
	t.Cleanup(func() {
		d.Close()
		if msgs := vk.ValidationMessages()[before:]; len(msgs) > 0 {
			t.Errorf("%d validation messages, the first: %s", len(msgs), msgs[0])
		}
	})
	return d
}

// Close compares got with want (relative-or-absolute) and reports the
// first mismatches.
func Close(t testing.TB, name string, got []float32, want []float64, rel, abs float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	bad := 0
	for i := range got {
		g, w := float64(got[i]), want[i]
		d := g - w
		if d < 0 {
			d = -d
		}
		m := w
		if m < 0 {
			m = -m
		}
		if !(d <= abs || d <= rel*m) {
			if bad < 5 {
				t.Errorf("%s[%d] = %g, want %g (|diff| %.3g)", name, i, g, w, d)
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d values differ", name, bad, len(got))
	}
}
