//go:build viewer

package viewer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/go-gl/glfw/v3.3/glfw"
	vkc "github.com/vulkan-go/vulkan"

	"github.com/sdevk/sdevk/vk"
)

// Available reports whether this build can open windows (built with -tags viewer).
func Available() bool { return true }

// OpenWindow opens a window (see Open) behind the Display interface, so that
// callers compile with and without the viewer tag.
func OpenWindow(title string, w, h int, opts WindowOptions) (Display, *vk.Device, error) {
	win, dev, err := Open(title, w, h, opts)
	if err != nil {
		return nil, nil, err
	}
	return win, dev, nil
}

// Window is a GLFW window presenting the frames of a Renderer through a
// Vulkan swapchain on the device that computes. All its methods, like
// GLFW's, must be called from the goroutine that called Open, locked to its
// OS thread (the main thread on macOS).
type Window struct {
	win      *glfw.Window
	dev      *vk.Device
	r        *Renderer
	opts     WindowOptions
	instance vkc.Instance
	pd       vkc.PhysicalDevice
	device   vkc.Device
	queue    vkc.Queue
	family   uint32
	surface  vkc.Surface

	pool      vkc.CommandPool
	acquired  vkc.Semaphore
	fence     vkc.Fence
	inFlight  bool
	swapchain vkc.Swapchain
	format    vkc.Format
	mode      vkc.PresentMode
	extent    vkc.Extent2D
	images    []vkc.Image
	cmds      []vkc.CommandBuffer
	done      []vkc.Semaphore // per image: the copy finished, present may start
	stale     bool            // recreate the swapchain before the next frame

	paused, toggled, restart, closed bool
	saved                            string
	saveErr                          error
	frames                           int
}

// Open creates a window of w x h pixels, a Vulkan device that can present to
// it (opts.Device plus the surface and swapchain extensions) and the
// swapchain. The device computes as usual; Window.Close closes it too.
func Open(title string, w, h int, opts WindowOptions) (*Window, *vk.Device, error) {
	if err := CheckDisplay(); err != nil {
		return nil, nil, err
	}
	runtime.LockOSThread()
	if err := glfw.Init(); err != nil {
		return nil, nil, fmt.Errorf("viewer: cannot open the display: %s", oneLine(err))
	}
	if !glfw.VulkanSupported() {
		glfw.Terminate()
		return nil, nil, errors.New("viewer: GLFW found no Vulkan loader (libvulkan.so.1)")
	}
	glfw.WindowHint(glfw.ClientAPI, glfw.NoAPI)
	glfw.WindowHint(glfw.Resizable, glfw.True)
	win, err := glfw.CreateWindow(w, h, title, nil, nil)
	if err != nil {
		glfw.Terminate()
		return nil, nil, fmt.Errorf("viewer: cannot create a window: %s", oneLine(err))
	}
	exts := win.GetRequiredInstanceExtensions()
	if len(exts) == 0 {
		win.Destroy()
		glfw.Terminate()
		return nil, nil, errors.New("viewer: the Vulkan loader offers no surface extensions for this display")
	}
	o := opts.Device
	o.InstanceExtensions = append(append([]string(nil), o.InstanceExtensions...), exts...)
	o.DeviceExtensions = append(append([]string(nil), o.DeviceExtensions...), "VK_KHR_swapchain")
	o.Surface = func(instance vkc.Instance) (vkc.Surface, error) {
		ptr, err := win.CreateWindowSurface(instance, nil)
		if err != nil {
			return vkc.NullSurface, fmt.Errorf("viewer: %v", err)
		}
		return vkc.SurfaceFromPointer(ptr), nil
	}
	dev, err := vk.Open(o)
	if err != nil {
		win.Destroy()
		glfw.Terminate()
		return nil, nil, err
	}
	v := &Window{win: win, dev: dev, opts: opts}
	v.instance, v.pd, v.device, v.queue, v.family = dev.Handles()
	v.surface = dev.Surface()
	if err := v.init(w, h); err != nil {
		v.Close()
		return nil, nil, err
	}
	return v, dev, nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func (v *Window) init(w, h int) error {
	pi := vkc.CommandPoolCreateInfo{SType: vkc.StructureTypeCommandPoolCreateInfo,
		Flags: vkc.CommandPoolCreateFlags(vkc.CommandPoolCreateResetCommandBufferBit), QueueFamilyIndex: v.family}
	var pool vkc.CommandPool
	if r := vkc.CreateCommandPool(v.device, &pi, nil, &pool); r != vkc.Success {
		return fmt.Errorf("viewer: vkCreateCommandPool: %v", vkc.Error(r))
	}
	v.pool = pool
	var sem vkc.Semaphore
	if r := vkc.CreateSemaphore(v.device, &vkc.SemaphoreCreateInfo{SType: vkc.StructureTypeSemaphoreCreateInfo}, nil, &sem); r != vkc.Success {
		return fmt.Errorf("viewer: vkCreateSemaphore: %v", vkc.Error(r))
	}
	v.acquired = sem
	var fence vkc.Fence
	if r := vkc.CreateFence(v.device, &vkc.FenceCreateInfo{SType: vkc.StructureTypeFenceCreateInfo}, nil, &fence); r != vkc.Success {
		return fmt.Errorf("viewer: vkCreateFence: %v", vkc.Error(r))
	}
	v.fence = fence
	r, err := NewRenderer(v.dev, w, h, v.opts.Render)
	if err != nil {
		return err
	}
	v.r = r
	v.win.SetKeyCallback(v.onKey)
	v.win.SetFramebufferSizeCallback(func(*glfw.Window, int, int) { v.stale = true })
	return v.recreate()
}

func (v *Window) onKey(_ *glfw.Window, key glfw.Key, _ int, action glfw.Action, _ glfw.ModifierKey) {
	if action != glfw.Press {
		return
	}
	switch key {
	case glfw.KeySpace:
		v.paused, v.toggled = !v.paused, true
	case glfw.KeyS:
		v.saved, v.saveErr = v.saveNext()
	case glfw.KeyR:
		v.restart = true
	case glfw.KeyEscape:
		v.win.SetShouldClose(true)
	}
}

// saveNext writes the last frame to the first free sdevk-view-NNN.png.
func (v *Window) saveNext() (string, error) {
	dir := v.opts.SaveDir
	if dir == "" {
		dir = "."
	}
	for i := 1; i < 10000; i++ {
		p := filepath.Join(dir, fmt.Sprintf("sdevk-view-%03d.png", i))
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			return p, v.SavePNG(p)
		}
	}
	return "", errors.New("viewer: no free file name for the screenshot")
}

// Renderer returns the window's renderer.
func (v *Window) Renderer() *Renderer { return v.r }

// Device returns the device the window presents from.
func (v *Window) Device() *vk.Device { return v.dev }

// Frames counts the frames presented.
func (v *Window) Frames() int { return v.frames }

// PresentMode names the swapchain's present mode.
func (v *Window) PresentMode() string {
	switch v.mode {
	case vkc.PresentModeMailbox:
		return "mailbox"
	case vkc.PresentModeImmediate:
		return "immediate"
	}
	return "fifo"
}

// SavePNG writes the last rendered frame to path.
func (v *Window) SavePNG(path string) error { return v.r.SavePNG(path) }

// waitFrame waits for the previous frame's copy (and so its rendering).
func (v *Window) waitFrame() error {
	if !v.inFlight {
		return nil
	}
	r := vkc.WaitForFences(v.device, 1, []vkc.Fence{v.fence}, vkc.True, uint64(time.Minute))
	if r != vkc.Success {
		return fmt.Errorf("viewer: waiting for the last frame: %v", vkc.Error(r))
	}
	v.inFlight = false
	return nil
}

// destroySwapchain frees the per-swapchain objects, keeping the swapchain
// handle when keep (to pass as oldSwapchain).
func (v *Window) destroySwapchain(keep bool) {
	if len(v.cmds) > 0 {
		vkc.FreeCommandBuffers(v.device, v.pool, uint32(len(v.cmds)), v.cmds)
	}
	for _, s := range v.done {
		vkc.DestroySemaphore(v.device, s, nil)
	}
	v.cmds, v.done, v.images = nil, nil, nil
	if !keep && v.swapchain != vkc.NullSwapchain {
		vkc.DestroySwapchain(v.device, v.swapchain, nil)
		v.swapchain = vkc.NullSwapchain
	}
}

// recreate (re)builds the swapchain for the surface's current size. A zero
// size (minimised) leaves no swapchain: frames are skipped until it grows.
func (v *Window) recreate() error {
	if err := v.waitFrame(); err != nil {
		return err
	}
	v.dev.WaitIdle()
	v.stale = false
	var caps vkc.SurfaceCapabilities
	if r := vkc.GetPhysicalDeviceSurfaceCapabilities(v.pd, v.surface, &caps); r != vkc.Success {
		return fmt.Errorf("viewer: vkGetPhysicalDeviceSurfaceCapabilitiesKHR: %v", vkc.Error(r))
	}
	caps.Deref()
	caps.CurrentExtent.Deref()
	caps.MinImageExtent.Deref()
	caps.MaxImageExtent.Deref()
	ext := caps.CurrentExtent
	if ext.Width == 0xFFFFFFFF {
		fw, fh := v.win.GetFramebufferSize()
		ext.Width = clampU(uint32(fw), caps.MinImageExtent.Width, caps.MaxImageExtent.Width)
		ext.Height = clampU(uint32(fh), caps.MinImageExtent.Height, caps.MaxImageExtent.Height)
	}
	old := v.swapchain
	v.destroySwapchain(true)
	if ext.Width == 0 || ext.Height == 0 {
		if old != vkc.NullSwapchain {
			vkc.DestroySwapchain(v.device, old, nil)
		}
		v.swapchain, v.extent = vkc.NullSwapchain, vkc.Extent2D{}
		return nil
	}
	if caps.SupportedUsageFlags&vkc.ImageUsageFlags(vkc.ImageUsageTransferDstBit) == 0 {
		return errors.New("viewer: the surface's images cannot be transfer destinations")
	}
	format, space, bgra, err := v.chooseFormat()
	if err != nil {
		return err
	}
	v.format, v.mode = format, v.choosePresentMode()
	count := caps.MinImageCount + 1
	if caps.MaxImageCount > 0 && count > caps.MaxImageCount {
		count = caps.MaxImageCount
	}
	alpha := vkc.CompositeAlphaOpaqueBit
	if caps.SupportedCompositeAlpha&vkc.CompositeAlphaFlags(alpha) == 0 {
		for _, a := range []vkc.CompositeAlphaFlagBits{vkc.CompositeAlphaInheritBit, vkc.CompositeAlphaPreMultipliedBit, vkc.CompositeAlphaPostMultipliedBit} {
			if caps.SupportedCompositeAlpha&vkc.CompositeAlphaFlags(a) != 0 {
				alpha = a
				break
			}
		}
	}
	info := vkc.SwapchainCreateInfo{
		SType: vkc.StructureTypeSwapchainCreateInfo, Surface: v.surface, MinImageCount: count,
		ImageFormat: format, ImageColorSpace: space, ImageExtent: vkc.Extent2D{Width: ext.Width, Height: ext.Height},
		ImageArrayLayers: 1, ImageUsage: vkc.ImageUsageFlags(vkc.ImageUsageTransferDstBit),
		ImageSharingMode: vkc.SharingModeExclusive, PreTransform: caps.CurrentTransform,
		CompositeAlpha: alpha, PresentMode: v.mode, Clipped: vkc.True, OldSwapchain: old,
	}
	var sc vkc.Swapchain
	r := vkc.CreateSwapchain(v.device, &info, nil, &sc)
	if old != vkc.NullSwapchain {
		vkc.DestroySwapchain(v.device, old, nil)
	}
	v.swapchain = vkc.NullSwapchain
	if r != vkc.Success {
		return fmt.Errorf("viewer: vkCreateSwapchainKHR: %v", vkc.Error(r))
	}
	v.swapchain, v.extent = sc, vkc.Extent2D{Width: ext.Width, Height: ext.Height}
	var n uint32
	vkc.GetSwapchainImages(v.device, v.swapchain, &n, nil)
	v.images = make([]vkc.Image, n)
	vkc.GetSwapchainImages(v.device, v.swapchain, &n, v.images)
	if err := v.r.Resize(int(ext.Width), int(ext.Height)); err != nil {
		return err
	}
	v.r.SetBGRA(bgra)
	return v.recordCopies()
}

func clampU(x, lo, hi uint32) uint32 { return max(lo, min(x, hi)) }

// chooseFormat picks an 8-bit 4-channel surface format; the shade kernel
// writes B, G, R, A (bgra) or R, G, B, A bytes to match. Both UNORM and SRGB
// take the same sRGB-encoded bytes: a buffer-to-image copy converts nothing.
func (v *Window) chooseFormat() (vkc.Format, vkc.ColorSpace, bool, error) {
	formats := v.dev.SurfaceFormats()
	prefs := []struct {
		f    vkc.Format
		bgra bool
	}{{vkc.FormatB8g8r8a8Unorm, true}, {vkc.FormatR8g8b8a8Unorm, false}, {vkc.FormatB8g8r8a8Srgb, true}, {vkc.FormatR8g8b8a8Srgb, false}}
	for _, p := range prefs {
		for _, f := range formats {
			if f.Format == p.f && f.ColorSpace == vkc.ColorSpaceSrgbNonlinear {
				return p.f, f.ColorSpace, p.bgra, nil
			}
		}
	}
	return 0, 0, false, fmt.Errorf("viewer: the surface offers none of B8G8R8A8/R8G8B8A8 UNORM/SRGB (%d formats; under Xvfb use a 24-bit screen: -screen 0 1024x768x24)", len(formats))
}

func (v *Window) choosePresentMode() vkc.PresentMode {
	want := vkc.PresentModeFifo
	switch strings.ToLower(v.opts.PresentMode) {
	case "mailbox":
		want = vkc.PresentModeMailbox
	case "immediate":
		want = vkc.PresentModeImmediate
	}
	var n uint32
	vkc.GetPhysicalDeviceSurfacePresentModes(v.pd, v.surface, &n, nil)
	modes := make([]vkc.PresentMode, n)
	vkc.GetPhysicalDeviceSurfacePresentModes(v.pd, v.surface, &n, modes)
	for _, m := range modes {
		if m == want {
			return m
		}
	}
	return vkc.PresentModeFifo
}

// recordCopies records, once per swapchain, the command buffer of each
// image: copy the renderer's pixels into the image and make it presentable.
func (v *Window) recordCopies() error {
	n := uint32(len(v.images))
	ai := vkc.CommandBufferAllocateInfo{SType: vkc.StructureTypeCommandBufferAllocateInfo, CommandPool: v.pool, Level: vkc.CommandBufferLevelPrimary, CommandBufferCount: n}
	cmds := make([]vkc.CommandBuffer, n)
	if r := vkc.AllocateCommandBuffers(v.device, &ai, cmds); r != vkc.Success {
		return fmt.Errorf("viewer: vkAllocateCommandBuffers: %v", vkc.Error(r))
	}
	v.cmds = cmds
	buf, off := v.r.Output().Raw()
	size := vkc.DeviceSize(v.r.Output().Size())
	rng := vkc.ImageSubresourceRange{AspectMask: vkc.ImageAspectFlags(vkc.ImageAspectColorBit), LevelCount: 1, LayerCount: 1}
	for i, img := range v.images {
		var sem vkc.Semaphore
		if r := vkc.CreateSemaphore(v.device, &vkc.SemaphoreCreateInfo{SType: vkc.StructureTypeSemaphoreCreateInfo}, nil, &sem); r != vkc.Success {
			return fmt.Errorf("viewer: vkCreateSemaphore: %v", vkc.Error(r))
		}
		v.done = append(v.done, sem)
		cmd := cmds[i]
		if r := vkc.BeginCommandBuffer(cmd, &vkc.CommandBufferBeginInfo{SType: vkc.StructureTypeCommandBufferBeginInfo}); r != vkc.Success {
			return fmt.Errorf("viewer: vkBeginCommandBuffer: %v", vkc.Error(r))
		}
		// The pixels were written by the shade kernel of an earlier submission;
		// the image's old contents are discarded.
		bb := vkc.BufferMemoryBarrier{SType: vkc.StructureTypeBufferMemoryBarrier,
			SrcAccessMask: vkc.AccessFlags(vkc.AccessShaderWriteBit), DstAccessMask: vkc.AccessFlags(vkc.AccessTransferReadBit),
			SrcQueueFamilyIndex: vkc.QueueFamilyIgnored, DstQueueFamilyIndex: vkc.QueueFamilyIgnored,
			Buffer: buf, Offset: vkc.DeviceSize(off), Size: size}
		toDst := vkc.ImageMemoryBarrier{SType: vkc.StructureTypeImageMemoryBarrier,
			DstAccessMask: vkc.AccessFlags(vkc.AccessTransferWriteBit),
			OldLayout:     vkc.ImageLayoutUndefined, NewLayout: vkc.ImageLayoutTransferDstOptimal,
			SrcQueueFamilyIndex: vkc.QueueFamilyIgnored, DstQueueFamilyIndex: vkc.QueueFamilyIgnored,
			Image: img, SubresourceRange: rng}
		region := vkc.BufferImageCopy{BufferOffset: vkc.DeviceSize(off),
			ImageSubresource: vkc.ImageSubresourceLayers{AspectMask: vkc.ImageAspectFlags(vkc.ImageAspectColorBit), LayerCount: 1},
			ImageExtent:      vkc.Extent3D{Width: v.extent.Width, Height: v.extent.Height, Depth: 1}}
		toPresent := vkc.ImageMemoryBarrier{SType: vkc.StructureTypeImageMemoryBarrier,
			SrcAccessMask: vkc.AccessFlags(vkc.AccessTransferWriteBit),
			OldLayout:     vkc.ImageLayoutTransferDstOptimal, NewLayout: vkc.ImageLayoutPresentSrc,
			SrcQueueFamilyIndex: vkc.QueueFamilyIgnored, DstQueueFamilyIndex: vkc.QueueFamilyIgnored,
			Image: img, SubresourceRange: rng}
		// vulkan-go frees the C copies of slice arguments from a finaliser
		// that may run mid-call: record with the collector paused.
		vk.WithoutGC(func() {
			vkc.CmdPipelineBarrier(cmd, vkc.PipelineStageFlags(vkc.PipelineStageComputeShaderBit|vkc.PipelineStageTransferBit),
				vkc.PipelineStageFlags(vkc.PipelineStageTransferBit), 0, 0, nil, 1, []vkc.BufferMemoryBarrier{bb}, 1, []vkc.ImageMemoryBarrier{toDst})
			vkc.CmdCopyBufferToImage(cmd, buf, img, vkc.ImageLayoutTransferDstOptimal, 1, []vkc.BufferImageCopy{region})
			vkc.CmdPipelineBarrier(cmd, vkc.PipelineStageFlags(vkc.PipelineStageTransferBit),
				vkc.PipelineStageFlags(vkc.PipelineStageBottomOfPipeBit), 0, 0, nil, 0, nil, 1, []vkc.ImageMemoryBarrier{toPresent})
		})
		if r := vkc.EndCommandBuffer(cmd); r != vkc.Success {
			return fmt.Errorf("viewer: vkEndCommandBuffer: %v", vkc.Error(r))
		}
	}
	return nil
}

// Show renders f and presents it. It waits for the previous frame; while the
// window is minimised it draws nothing and returns at once.
func (v *Window) Show(f *Frame) error {
	_, err := v.show(f, true)
	return err
}

// TryShow renders and presents f unless the previous frame is still being
// drawn, in which case it drops f and returns false at once.
func (v *Window) TryShow(f *Frame) (bool, error) { return v.show(f, false) }

func (v *Window) show(f *Frame, wait bool) (bool, error) {
	if v.inFlight && !wait && vkc.GetFenceStatus(v.device, v.fence) != vkc.Success {
		return false, nil
	}
	if v.stale {
		if err := v.recreate(); err != nil {
			return false, err
		}
	}
	if v.swapchain == vkc.NullSwapchain { // minimised
		if fw, fh := v.win.GetFramebufferSize(); fw > 0 && fh > 0 {
			v.stale = true
		}
		return false, nil
	}
	if err := v.waitFrame(); err != nil {
		return false, err
	}
	if err := v.r.Render(f); err != nil {
		return false, err
	}
	var idx uint32
	r := vkc.AcquireNextImage(v.device, v.swapchain, uint64(time.Second), v.acquired, vkc.NullFence, &idx)
	switch r {
	case vkc.Success:
	case vkc.Suboptimal:
		v.stale = true
	case vkc.ErrorOutOfDate:
		v.stale = true
		return false, nil
	case vkc.Timeout, vkc.NotReady:
		return false, nil
	default:
		return false, fmt.Errorf("viewer: vkAcquireNextImageKHR: %v", vkc.Error(r))
	}
	vkc.ResetFences(v.device, 1, []vkc.Fence{v.fence})
	submit := []vkc.SubmitInfo{{SType: vkc.StructureTypeSubmitInfo,
		WaitSemaphoreCount: 1, PWaitSemaphores: []vkc.Semaphore{v.acquired},
		PWaitDstStageMask:  []vkc.PipelineStageFlags{vkc.PipelineStageFlags(vkc.PipelineStageTransferBit)},
		CommandBufferCount: 1, PCommandBuffers: []vkc.CommandBuffer{v.cmds[idx]},
		SignalSemaphoreCount: 1, PSignalSemaphores: []vkc.Semaphore{v.done[idx]}}}
	if err := v.dev.SubmitRaw(submit, v.fence); err != nil {
		return false, err
	}
	v.inFlight = true
	present := vkc.PresentInfo{SType: vkc.StructureTypePresentInfo,
		WaitSemaphoreCount: 1, PWaitSemaphores: []vkc.Semaphore{v.done[idx]},
		SwapchainCount: 1, PSwapchains: []vkc.Swapchain{v.swapchain}, PImageIndices: []uint32{idx}}
	unlock := v.dev.LockQueue()
	r = vkc.QueuePresent(v.queue, &present)
	unlock()
	switch r {
	case vkc.Success:
	case vkc.Suboptimal, vkc.ErrorOutOfDate:
		v.stale = true
	default:
		return false, fmt.Errorf("viewer: vkQueuePresentKHR: %v", vkc.Error(r))
	}
	v.frames++
	return true, nil
}

// Poll processes window events and returns what happened since the last Poll.
func (v *Window) Poll() Events {
	glfw.PollEvents()
	return v.events()
}

func (v *Window) events() Events {
	if v.win.ShouldClose() {
		v.closed = true
	}
	e := Events{Paused: v.paused, PauseToggled: v.toggled, Restart: v.restart, Saved: v.saved, SaveErr: v.saveErr, Closed: v.closed}
	v.toggled, v.restart, v.saved, v.saveErr = false, false, "", nil
	return e
}

// WaitWhilePaused blocks while the viewer is paused, re-presenting f (for
// resizes) and processing events; it returns on resume, R or close.
func (v *Window) WaitWhilePaused(f *Frame) Events {
	all := Events{}
	for {
		glfw.WaitEventsTimeout(0.05)
		e := v.events()
		all.PauseToggled = all.PauseToggled || e.PauseToggled
		all.Restart = all.Restart || e.Restart
		all.Closed = e.Closed
		all.Paused = e.Paused
		if e.Saved != "" || e.SaveErr != nil {
			all.Saved, all.SaveErr = e.Saved, e.SaveErr
		}
		if !v.paused || e.Restart || e.Closed {
			return all
		}
		if v.stale && f != nil {
			_ = v.Show(f)
		}
	}
}

// Close destroys the swapchain, the renderer, the device and the window, in
// that order (the surface must go before its window).
func (v *Window) Close() {
	if v == nil || v.win == nil {
		return
	}
	if v.device != nil {
		_ = v.waitFrame()
		v.dev.WaitIdle()
		v.destroySwapchain(false)
		if v.r != nil {
			v.r.Close()
		}
		if v.fence != vkc.NullFence {
			vkc.DestroyFence(v.device, v.fence, nil)
		}
		if v.acquired != vkc.NullSemaphore {
			vkc.DestroySemaphore(v.device, v.acquired, nil)
		}
		if v.pool != vkc.NullCommandPool {
			vkc.DestroyCommandPool(v.device, v.pool, nil)
		}
	}
	v.dev.Close()
	v.win.Destroy()
	glfw.Terminate()
	v.win = nil
}
