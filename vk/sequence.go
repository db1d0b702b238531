package vk

import (
	"fmt"
	"runtime"
	"time"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// Sequence records dispatches and copies into one command buffer that can be
// submitted many times without re-recording. It inserts a pipeline barrier
// only where a command touches bytes that an earlier command since the last
// barrier wrote (read-after-write, write-after-write) or read
// (write-after-read).
type Sequence struct {
	dev       *Device
	cmd       vk.CommandBuffer
	fence     vk.Fence
	pools     []vk.DescriptorPool
	poolLeft  int
	sets      map[setKey]vk.DescriptorSet
	recording bool
	recorded  bool
	pending   bool

	written  []*Buffer // ranges written since the last barrier
	read     []*Buffer // ranges read since the last barrier
	rawDirty bool      // a raw copy happened since the last barrier

	// what the command buffer has bound (skipped when unchanged)
	boundPipeline vk.Pipeline
	boundSet      vk.DescriptorSet
	boundLayout   *layout

	profile    bool
	queries    vk.QueryPool
	maxQueries uint32
	labels     []string
	dispatches int
	barriers   int
}

const setsPerPool = 256

// maxSetBindings bounds the bindings of a reusable descriptor set; kernels
// with more get a set of their own per dispatch.
const maxSetBindings = 12

type bindingKey struct {
	blk         *block
	off, length uint64
}

// setKey identifies a descriptor set by its layout and bound ranges.
type setKey struct {
	layout *layout
	n      int
	bufs   [maxSetBindings]bindingKey
	unique int // non-zero: never shared
}

// NewSequence creates an empty sequence. With profile, each dispatch and copy is
// bracketed by timestamps (when the queue supports them) and Timings reports
// GPU time per dispatch after a submit.
func (d *Device) NewSequence(profile bool) (*Sequence, error) {
	s := &Sequence{dev: d, sets: map[setKey]vk.DescriptorSet{}}
	alloc := vk.CommandBufferAllocateInfo{SType: vk.StructureTypeCommandBufferAllocateInfo, CommandPool: d.cmdPool, Level: vk.CommandBufferLevelPrimary, CommandBufferCount: 1}
	cmds := make([]vk.CommandBuffer, 1)
	if r := vk.AllocateCommandBuffers(d.handle, &alloc, cmds); r != vk.Success {
		return nil, fmt.Errorf("vulkan: vkAllocateCommandBuffers: %w", resultErr(r))
	}
	s.cmd = cmds[0]
	fi := vk.FenceCreateInfo{SType: vk.StructureTypeFenceCreateInfo}
	var fence vk.Fence
	if r := vk.CreateFence(d.handle, &fi, nil, &fence); r != vk.Success {
		return nil, fmt.Errorf("vulkan: vkCreateFence: %w", resultErr(r))
	}
	s.fence = fence
	if (profile || d.profileAll) && d.timestampBits > 0 {
		s.profile, s.maxQueries = true, 2*8192
		qi := vk.QueryPoolCreateInfo{SType: vk.StructureTypeQueryPoolCreateInfo, QueryType: vk.QueryTypeTimestamp, QueryCount: s.maxQueries}
		var queries vk.QueryPool
		if r := vk.CreateQueryPool(d.handle, &qi, nil, &queries); r != vk.Success {
			return nil, fmt.Errorf("vulkan: vkCreateQueryPool: %w", resultErr(r))
		}
		s.queries = queries
	}
	return s, nil
}

func (d *Device) oneShotSequence() *Sequence {
	if d.oneShot == nil {
		s, err := d.NewSequence(false)
		if err != nil {
			panic(err) // creating a command buffer and a fence only fails when the device is lost
		}
		d.oneShot = s
	}
	return d.oneShot
}

// Begin starts (re-)recording; earlier commands are discarded.
func (s *Sequence) Begin() error {
	if s.pending {
		if err := s.Wait(); err != nil {
			return err
		}
	}
	vk.ResetCommandBuffer(s.cmd, 0)
	for _, p := range s.pools {
		vk.ResetDescriptorPool(s.dev.handle, p, 0)
	}
	s.poolLeft = 0
	if len(s.pools) > 0 {
		s.poolLeft = setsPerPool * len(s.pools)
	}
	s.sets = map[setKey]vk.DescriptorSet{}
	s.written, s.read, s.rawDirty = nil, nil, false
	s.labels, s.dispatches, s.barriers = nil, 0, 0
	bi := vk.CommandBufferBeginInfo{SType: vk.StructureTypeCommandBufferBeginInfo}
	if r := vk.BeginCommandBuffer(s.cmd, &bi); r != vk.Success {
		return fmt.Errorf("vulkan: vkBeginCommandBuffer: %w", resultErr(r))
	}
	if s.profile {
		vk.CmdResetQueryPool(s.cmd, s.queries, 0, s.maxQueries)
	}
	// Earlier submissions (this sequence's last replay, other sequences)
	// may have written what these commands read: a fence wait on the host
	// does not order device accesses, so each submission starts with a
	// barrier on everything before it in the queue.
	stages := vk.PipelineStageFlags(vk.PipelineStageComputeShaderBit | vk.PipelineStageTransferBit)
	s.dev.fns.barrier(s.cmd, stages, stages,
		vk.AccessFlags(vk.AccessShaderWriteBit|vk.AccessTransferWriteBit),
		vk.AccessFlags(vk.AccessShaderReadBit|vk.AccessShaderWriteBit|vk.AccessTransferReadBit|vk.AccessTransferWriteBit))
	s.recording, s.recorded = true, false
	s.boundPipeline, s.boundSet, s.boundLayout = nil, nil, nil
	return nil
}

// allocSet returns a descriptor set for the kernel's layout bound to bufs,
// reusing an identical one recorded earlier in this sequence.
func (s *Sequence) allocSet(k *Kernel, bufs []*Buffer) (vk.DescriptorSet, error) {
	key := setKey{layout: k.layout, n: len(bufs)}
	if len(bufs) > maxSetBindings {
		key.unique = len(s.sets) + 1
	} else {
		for i, b := range bufs {
			key.bufs[i] = bindingKey{b.blk, b.offset, b.alloc}
		}
	}
	if set, ok := s.sets[key]; ok {
		return set, nil
	}
	views := make([]vk.BufferView, len(bufs))
	for i, b := range bufs {
		if k.Spec.kindOf(i) == TexelsVec4 {
			v, err := s.dev.texelView(k.Spec.Name, i, b)
			if err != nil {
				return nil, err
			}
			views[i] = v
		}
	}
	// Pools are owned by the sequence and reset with it, so steady-state
	// replay allocates nothing; a new pool is added only when one fills up.
	if s.poolLeft == 0 || len(s.pools) == 0 {
		pi := vk.DescriptorPoolCreateInfo{
			SType: vk.StructureTypeDescriptorPoolCreateInfo, MaxSets: setsPerPool, PoolSizeCount: 2,
			PPoolSizes: []vk.DescriptorPoolSize{
				{Type: vk.DescriptorTypeStorageBuffer, DescriptorCount: setsPerPool * 8},
				{Type: vk.DescriptorTypeUniformTexelBuffer, DescriptorCount: setsPerPool * 4},
			},
		}
		var pool vk.DescriptorPool
		var r vk.Result
		withoutGC(func() { r = vk.CreateDescriptorPool(s.dev.handle, &pi, nil, &pool) })
		if r != vk.Success {
			return nil, fmt.Errorf("vulkan: vkCreateDescriptorPool: %w", resultErr(r))
		}
		s.pools = append(s.pools, pool)
		s.poolLeft = setsPerPool
	}
	var set vk.DescriptorSet
	var r vk.Result
	for _, pool := range s.pools {
		ai := vk.DescriptorSetAllocateInfo{SType: vk.StructureTypeDescriptorSetAllocateInfo, DescriptorPool: pool, DescriptorSetCount: 1, PSetLayouts: []vk.DescriptorSetLayout{k.layout.set}}
		r = vk.AllocateDescriptorSets(s.dev.handle, &ai, &set)
		runtime.KeepAlive(ai.PSetLayouts) // the C copy points into it
		if r == vk.Success {
			break
		}
	}
	if r != vk.Success {
		s.poolLeft = 0
		return s.allocSet(k, bufs)
	}
	s.poolLeft--
	s.dev.fns.updateSet(s.dev.handle, set, bufs, views)
	s.sets[key] = set
	return set, nil
}

func anyOverlap(list []*Buffer, b *Buffer) bool {
	for _, x := range list {
		if x.overlaps(b) {
			return true
		}
	}
	return false
}

// hazard reports whether reading reads and writing writes must wait for the
// commands recorded since the last barrier.
func (s *Sequence) hazard(reads, writes []*Buffer) bool {
	if s.rawDirty {
		return true
	}
	for _, b := range reads {
		if anyOverlap(s.written, b) {
			return true
		}
	}
	for _, b := range writes {
		if anyOverlap(s.written, b) || anyOverlap(s.read, b) {
			return true
		}
	}
	return false
}

// Barrier makes every earlier command's writes visible to later commands.
func (s *Sequence) Barrier() {
	stages := vk.PipelineStageFlags(vk.PipelineStageComputeShaderBit | vk.PipelineStageTransferBit)
	s.dev.fns.barrier(s.cmd, stages, stages,
		vk.AccessFlags(vk.AccessShaderWriteBit|vk.AccessTransferWriteBit),
		vk.AccessFlags(vk.AccessShaderReadBit|vk.AccessShaderWriteBit|vk.AccessTransferReadBit|vk.AccessTransferWriteBit))
	s.written, s.read, s.rawDirty = s.written[:0], s.read[:0], false
	s.barriers++
}

func (s *Sequence) track(reads, writes []*Buffer) {
	if s.hazard(reads, writes) {
		s.Barrier()
	}
	s.read = append(s.read, reads...)
	s.written = append(s.written, writes...)
}

// Dispatch records kernel k over the workgroup grid groups with the given
// push constants and buffers (binding i = bufs[i]).
func (s *Sequence) Dispatch(k *Kernel, groups [3]uint32, push []byte, bufs ...*Buffer) error {
	if !s.recording {
		return fmt.Errorf("vulkan: kernel %s: Dispatch outside Begin/End", k.Spec.Name)
	}
	if len(bufs) != k.Spec.Bindings {
		return fmt.Errorf("vulkan: kernel %s takes %d buffers, got %d", k.Spec.Name, k.Spec.Bindings, len(bufs))
	}
	if uint32(len(push)) != k.Spec.PushBytes {
		return fmt.Errorf("vulkan: kernel %s takes %d bytes of push constants, got %d", k.Spec.Name, k.Spec.PushBytes, len(push))
	}
	lim := s.dev.Info.Limits.MaxWorkgroupCount
	for i := range groups {
		if groups[i] > lim[i] {
			return fmt.Errorf("vulkan: kernel %s: grid %v exceeds the workgroup-count limit %v", k.Spec.Name, groups, lim)
		}
	}
	if groups[0] == 0 || groups[1] == 0 || groups[2] == 0 {
		return nil // empty tensors: nothing to do
	}
	for i, b := range bufs {
		if b == nil || b.blk == nil {
			return fmt.Errorf("vulkan: kernel %s: binding %d is a freed or nil buffer", k.Spec.Name, i)
		}
	}
	set, err := s.allocSet(k, bufs)
	if err != nil {
		return err
	}
	var reads, writes []*Buffer
	for i, b := range bufs {
		if k.writes&(1<<uint(i)) != 0 {
			writes = append(writes, b)
		} else {
			reads = append(reads, b)
		}
	}
	s.track(reads, writes)
	// Binds only what changed: lavapipe re-validates the compute state
	// of every bind.
	if k.pipeline != s.boundPipeline {
		vk.CmdBindPipeline(s.cmd, vk.PipelineBindPointCompute, k.pipeline)
		s.boundPipeline = k.pipeline
	}
	if set != s.boundSet || k.layout != s.boundLayout {
		vk.CmdBindDescriptorSets(s.cmd, vk.PipelineBindPointCompute, k.layout.pipeline, 0, 1, []vk.DescriptorSet{set}, 0, nil)
		s.boundSet, s.boundLayout = set, k.layout
	}
	if len(push) > 0 {
		vk.CmdPushConstants(s.cmd, k.layout.pipeline, vk.ShaderStageFlags(vk.ShaderStageComputeBit), 0, uint32(len(push)), unsafe.Pointer(&push[0]))
	}
	s.timed(k.Spec.Name, vk.PipelineStageComputeShaderBit, func() { vk.CmdDispatch(s.cmd, groups[0], groups[1], groups[2]) })
	s.dispatches++
	return nil
}

// timed records a command through record, bracketed by timestamps at stage
// when the sequence profiles (and has queries left).
func (s *Sequence) timed(label string, stage vk.PipelineStageFlagBits, record func()) {
	q := uint32(2 * len(s.labels))
	if !s.profile || q+2 > s.maxQueries {
		record()
		return
	}
	vk.CmdWriteTimestamp(s.cmd, stage, s.queries, q)
	record()
	vk.CmdWriteTimestamp(s.cmd, stage, s.queries, q+1)
	s.labels = append(s.labels, label)
}

// Copy records a copy of src into dst (the shorter length).
func (s *Sequence) Copy(dst, src *Buffer) {
	n := src.size
	if dst.size < n {
		n = dst.size
	}
	if n == 0 {
		return
	}
	s.track([]*Buffer{src}, []*Buffer{dst})
	s.timed("vkCmdCopyBuffer", vk.PipelineStageTransferBit, func() {
		s.dev.fns.copyBuffer(s.cmd, src.blk.buffer, dst.blk.buffer, src.offset, dst.offset, n)
	})
}

// CopyRegion records a copy of bytes [srcOff, srcOff+n) of src to
// [dstOff, dstOff+n) of dst. Offsets need only 4-byte alignment.
func (s *Sequence) CopyRegion(dst *Buffer, dstOff uint64, src *Buffer, srcOff uint64, n uint64) error {
	if srcOff+n > src.size || dstOff+n > dst.size {
		return fmt.Errorf("vulkan: copy of %d bytes from %d (of %d) to %d (of %d) is out of range", n, srcOff, src.size, dstOff, dst.size)
	}
	if n == 0 {
		return nil
	}
	s.track([]*Buffer{src}, []*Buffer{dst})
	s.timed("vkCmdCopyBuffer", vk.PipelineStageTransferBit, func() {
		s.dev.fns.copyBuffer(s.cmd, src.blk.buffer, dst.blk.buffer, src.offset+srcOff, dst.offset+dstOff, n)
	})
	return nil
}

// CopyRange is one range of a CopyRanges: Size bytes from byte SrcOff of
// the source to byte DstOff of the destination.
type CopyRange struct{ SrcOff, DstOff, Size uint64 }

// CopyRanges records the copies of ranges from src to dst as one
// vkCmdCopyBuffer (at least one range; offsets and sizes need 4-byte
// alignment). The destination ranges must not overlap each other or, when
// src and dst share memory, the source ranges.
func (s *Sequence) CopyRanges(dst, src *Buffer, ranges []CopyRange) error {
	if src == nil || src.blk == nil || dst == nil || dst.blk == nil {
		return fmt.Errorf("vulkan: copy ranges: a freed or nil buffer")
	}
	abs := make([]CopyRange, 0, len(ranges))
	for i, r := range ranges {
		if r.SrcOff > src.size || r.Size > src.size-r.SrcOff || r.DstOff > dst.size || r.Size > dst.size-r.DstOff {
			return fmt.Errorf("vulkan: copy range %d (%d bytes from %d to %d) is outside a %d-byte source or %d-byte destination", i, r.Size, r.SrcOff, r.DstOff, src.size, dst.size)
		}
		if r.Size > 0 {
			abs = append(abs, CopyRange{src.offset + r.SrcOff, dst.offset + r.DstOff, r.Size})
		}
	}
	if len(abs) == 0 {
		return nil
	}
	s.track([]*Buffer{src}, []*Buffer{dst})
	s.timed("vkCmdCopyBuffer", vk.PipelineStageTransferBit, func() {
		s.dev.fns.copyRegions(s.cmd, src.blk.buffer, dst.blk.buffer, abs)
	})
	return nil
}

// Gather records copies of each of srcs, whole, into dst at the byte
// offsets dstOffs: one vkCmdCopyBuffer per memory block the sources lie in
// (a program's arena holds all of a training step's gradients).
func (s *Sequence) Gather(dst *Buffer, dstOffs []uint64, srcs []*Buffer) error {
	if len(dstOffs) != len(srcs) {
		return fmt.Errorf("vulkan: gather of %d buffers to %d offsets", len(srcs), len(dstOffs))
	}
	if dst == nil || dst.blk == nil {
		return fmt.Errorf("vulkan: gather: the destination is a freed or nil buffer")
	}
	var blocks []*block
	groups := map[*block][]CopyRange{}
	for i, b := range srcs {
		if b == nil || b.blk == nil {
			return fmt.Errorf("vulkan: gather: source %d is a freed or nil buffer", i)
		}
		if dstOffs[i] > dst.size || b.size > dst.size-dstOffs[i] {
			return fmt.Errorf("vulkan: gather: source %d (%d bytes) at %d is outside a %d-byte destination", i, b.size, dstOffs[i], dst.size)
		}
		if b.size == 0 {
			continue
		}
		if _, ok := groups[b.blk]; !ok {
			blocks = append(blocks, b.blk)
		}
		groups[b.blk] = append(groups[b.blk], CopyRange{b.offset, dst.offset + dstOffs[i], b.size})
	}
	if len(blocks) == 0 {
		return nil
	}
	s.track(srcs, []*Buffer{dst})
	for _, blk := range blocks {
		s.timed("vkCmdCopyBuffer", vk.PipelineStageTransferBit, func() {
			s.dev.fns.copyRegions(s.cmd, blk.buffer, dst.blk.buffer, groups[blk])
		})
	}
	return nil
}

// Fill records setting every 32-bit word of b to value.
func (s *Sequence) Fill(b *Buffer, value uint32) {
	if b.size < 4 {
		return
	}
	s.track(nil, []*Buffer{b})
	vk.CmdFillBuffer(s.cmd, b.blk.buffer, vk.DeviceSize(b.offset), vk.DeviceSize(b.size&^3), value)
}

// copyRaw copies between raw VkBuffers (staging), fenced by full barriers.
func (s *Sequence) copyRaw(src, dst vk.Buffer, srcOff, dstOff, n uint64) {
	s.dev.fns.copyBuffer(s.cmd, src, dst, srcOff, dstOff, n)
	s.rawDirty = true
}

// End finishes recording. The sequence can then be submitted any number of times.
func (s *Sequence) End() error {
	if !s.recording {
		return fmt.Errorf("vulkan: End without Begin")
	}
	// Make the last writes visible to the host (mapped reads after the fence).
	s.dev.fns.barrier(s.cmd, vk.PipelineStageFlags(vk.PipelineStageComputeShaderBit|vk.PipelineStageTransferBit),
		vk.PipelineStageFlags(vk.PipelineStageHostBit),
		vk.AccessFlags(vk.AccessShaderWriteBit|vk.AccessTransferWriteBit), vk.AccessFlags(vk.AccessHostReadBit))
	if r := vk.EndCommandBuffer(s.cmd); r != vk.Success {
		return fmt.Errorf("vulkan: vkEndCommandBuffer: %w", resultErr(r))
	}
	s.recording, s.recorded = false, true
	return nil
}

// SubmitAsync queues the recorded commands; Wait blocks until they finish.
func (s *Sequence) SubmitAsync() error {
	if !s.recorded {
		return fmt.Errorf("vulkan: submitting a sequence that was not recorded (Begin/End)")
	}
	if s.pending {
		if err := s.Wait(); err != nil {
			return err
		}
	}
	vk.ResetFences(s.dev.handle, 1, []vk.Fence{s.fence})
	s.dev.queueMu.Lock()
	r := s.dev.faults.submit()
	if r == vk.Success {
		r = s.dev.fns.submit(s.dev.queue, s.cmd, s.fence)
	}
	s.dev.queueMu.Unlock()
	if r != vk.Success {
		return fmt.Errorf("vulkan: vkQueueSubmit: %w", resultErr(r))
	}
	s.pending = true
	return nil
}

// Wait blocks until the last submit finished.
func (s *Sequence) Wait() error {
	if !s.pending {
		return nil
	}
	r := vk.WaitForFences(s.dev.handle, 1, []vk.Fence{s.fence}, vk.True, uint64(s.dev.timeout.Nanoseconds()))
	if r == vk.Timeout {
		return fmt.Errorf("vulkan: the device did not finish within %v", s.dev.timeout)
	}
	s.pending = false
	if r != vk.Success {
		return fmt.Errorf("vulkan: vkWaitForFences: %w", resultErr(r))
	}
	return nil
}

// Submit runs the recorded commands and waits for them.
func (s *Sequence) Submit() error {
	if err := s.SubmitAsync(); err != nil {
		return err
	}
	return s.Wait()
}

// Stats reports how many dispatches and barriers were recorded.
func (s *Sequence) Stats() (dispatches, barriers int) { return s.dispatches, s.barriers }

// Timing is the GPU time of one recorded dispatch or copy.
type Timing struct {
	Kernel string
	GPU    time.Duration
}

// Timings returns the GPU time of each timed dispatch and copy of the last
// submit.
func (s *Sequence) Timings() ([]Timing, error) {
	if !s.profile || len(s.labels) == 0 {
		return nil, nil
	}
	if err := s.Wait(); err != nil {
		return nil, err
	}
	n := 2 * len(s.labels)
	raw := make([]uint64, n)
	r := vk.GetQueryPoolResults(s.dev.handle, s.queries, 0, uint32(n), uint(8*n), unsafe.Pointer(&raw[0]), 8,
		vk.QueryResultFlags(vk.QueryResult64Bit|vk.QueryResultWaitBit))
	if r != vk.Success {
		return nil, fmt.Errorf("vulkan: vkGetQueryPoolResults: %w", resultErr(r))
	}
	mask := ^uint64(0)
	if b := s.dev.timestampBits; b < 64 {
		mask = (1 << b) - 1
	}
	period := float64(s.dev.Info.Limits.TimestampPeriodNs)
	out := make([]Timing, len(s.labels))
	for i, l := range s.labels {
		ticks := (raw[2*i+1] - raw[2*i]) & mask
		out[i] = Timing{Kernel: l, GPU: time.Duration(float64(ticks) * period)}
	}
	return out, nil
}

// Destroy frees the sequence's Vulkan objects.
func (s *Sequence) Destroy() {
	if s == nil || s.cmd == nil {
		return
	}
	_ = s.Wait()
	h := s.dev.handle
	for _, p := range s.pools {
		vk.DestroyDescriptorPool(h, p, nil)
	}
	if s.profile {
		vk.DestroyQueryPool(h, s.queries, nil)
	}
	vk.DestroyFence(h, s.fence, nil)
	vk.FreeCommandBuffers(h, s.dev.cmdPool, 1, []vk.CommandBuffer{s.cmd})
	s.cmd = nil
}
