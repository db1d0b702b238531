// Package viewer shows samples live: the reverse SDE turning noise into data,
// or a model's snapshot samples while it trains, in a window drawn by the same
// Vulkan device that computes, from the device buffers themselves. Samples
// are never copied to the host per frame.
//
// # Rendering: compute shaders only
//
// A Renderer (no window needed; it runs headless on lavapipe in the tests)
// draws a Frame into a buffer of packed 8-bit pixels with two kernels:
//
//   - view_splat projects each of the N points (rows of D float32) to the
//     screen, through two chosen coordinates (Frame.Axes) or two projection
//     vectors (Frame.Projection: PrincipalAxes computes the first two
//     principal directions on the host, once, from a small subsample), and
//     adds it bilinearly, in fixed point, into a w x h uint32 density image
//     with atomicAdd, keeping the largest count for tone mapping;
//   - view_shade tone-maps the density (log scale through a colour map:
//     inferno, magma, viridis, gray) over an optional faint background (the
//     true density, SetBackground, or a histogram of the training data,
//     SetBackgroundPoints, precomputed as a w x h float buffer), draws the
//     overlays (text in a 6 x 13 bitmap font, "t=0.532 step 120/1000 NFE 240",
//     and a loss curve from a small buffer) and packs RGBA or BGRA. With
//     Frame.Image it draws a grid of (N, C, H, W) images instead (C = 1 or 3).
//
// The command buffer is recorded once per frame layout and replayed; the
// per-frame text and loss curve go through a small host-written buffer. The
// recording starts and ends with a full barrier, so frames interleave safely
// with the sampler's submissions on the one queue: the splat sees the
// sampler's last writes, and the sampler's next writes wait for the splat.
//
// # Presentation (build tag viewer)
//
// Window (viewer/window.go, built only with -tags viewer, the only file that
// imports GLFW) opens a GLFW window without a client API, creates the
// vk.Device with the window's surface (vk.Options.Surface,
// InstanceExtensions from GLFW, VK_KHR_swapchain), and a swapchain whose
// images are TRANSFER_DST: each frame, the renderer's pixels are copied into
// the acquired image with vkCmdCopyBufferToImage (layouts UNDEFINED ->
// TRANSFER_DST -> PRESENT_SRC; one command buffer per image, recorded once
// per swapchain), waiting on the acquire semaphore and signalling a
// per-image semaphore that the present waits on. FIFO is the default;
// mailbox and immediate are used when asked for and offered. The swapchain
// is recreated on resize, out-of-date or suboptimal results, and frames are
// skipped while the window is minimised (zero extent). Surface formats
// B8G8R8A8 and R8G8B8A8, UNORM or SRGB, are handled by the shader's byte
// order; a raw copy converts nothing, so both take the same sRGB-encoded bytes.
//
// Show waits for the previous frame; TryShow drops the frame instead, so a
// sampler can offer one every k steps without ever waiting for the window.
// Keys: space pauses and resumes (Events.Paused; WaitWhilePaused blocks), S
// saves a PNG of the current frame, R asks for a restart with a new seed, Esc
// or the close button stops. Window.Close closes the device too (the surface
// must be destroyed before its window).
//
// # Headless builds
//
// Without the viewer tag, the package links no windowing library: Available
// reports false and OpenWindow returns ErrNoViewer, so cmd/sdevk compiles and
// runs on servers without X11 either way. With the tag, OpenWindow fails with
// a one-line error when DISPLAY and WAYLAND_DISPLAY are unset (CheckDisplay)
// or GLFW cannot open the display. GLFW functions must be called from one
// goroutine locked to its OS thread (Open locks it).
//
// Tests: `go test ./viewer/` (headless, lavapipe), and the window test
// `xvfb-run -a -s "-screen 0 1024x768x24" go test -tags viewer ./viewer/`,
// which needs libx11-dev libxrandr-dev libxinerama-dev libxcursor-dev
// libxi-dev libxxf86vm-dev to build, xvfb and xauth to run and ImageMagick
// (import) for the X screenshot. Xvfb must have a 24-bit screen: at 16 bits
// lavapipe offers no surface formats.
package viewer
