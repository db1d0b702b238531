package vk

import "testing"

// TestLocalHeapBytes: the largest device-local heap counts; host heaps, however
// large, do not; no local heap reads as 0 (unknown).
func TestLocalHeapBytes(t *testing.T) {
	for _, c := range []struct {
		heaps []MemoryHeap
		want  uint64
	}{
		{[]MemoryHeap{{Bytes: 8 << 30, DeviceLocal: true}, {Bytes: 64 << 30}}, 8 << 30},
		{[]MemoryHeap{{Bytes: 1 << 30, DeviceLocal: true}, {Bytes: 3 << 30, DeviceLocal: true}}, 3 << 30},
		{[]MemoryHeap{{Bytes: 64 << 30}}, 0},
		{nil, 0},
	} {
		d := DeviceInfo{Heaps: c.heaps}
		if got := d.LocalHeapBytes(); got != c.want {
			t.Errorf("heaps %+v: LocalHeapBytes %d, want %d", c.heaps, got, c.want)
		}
	}
}
