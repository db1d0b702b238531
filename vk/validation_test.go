package vk

import (
	"testing"

	vk "github.com/vulkan-go/vulkan"
)

// With SDEVK_VALIDATE=1 the layer must really be listening: an invalid call
// (a zero-sized buffer) has to reach ValidationMessages.
func TestValidationLayerReports(t *testing.T) {
	if !ValidationRequested() {
		t.Skip("SDEVK_VALIDATE is not set")
	}
	d, err := Open(Options{CacheDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	before := len(ValidationMessages())
	info := vk.BufferCreateInfo{SType: vk.StructureTypeBufferCreateInfo, Size: 0,
		Usage: vk.BufferUsageFlags(vk.BufferUsageStorageBufferBit), SharingMode: vk.SharingModeExclusive}
	var b vk.Buffer
	if vk.CreateBuffer(d.handle, &info, nil, &b) == vk.Success {
		vk.DestroyBuffer(d.handle, b, nil)
	}
	msgs := ValidationMessages()
	if len(msgs) == before {
		t.Fatal("the validation layer reported nothing for a zero-sized buffer")
	}
	// Forget the deliberate error so that other tests' checks stay clean.
	validation.Lock()
	validation.messages = validation.messages[:before]
	validation.Unlock()
}
