package vk

import vk "github.com/vulkan-go/vulkan"

// Raw returns the VkBuffer that backs b and b's byte offset in it, for
// commands recorded outside a Sequence: the viewer copies its rendered frame
// into a swapchain image with vkCmdCopyBufferToImage. Buffers are created with
// TRANSFER_SRC and TRANSFER_DST usage.
func (b *Buffer) Raw() (vk.Buffer, uint64) { return b.blk.buffer, b.offset }
