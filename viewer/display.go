package viewer

import (
	"errors"
	"os"

	"github.com/sdevk/sdevk/vk"
)

// WindowOptions configure OpenWindow.
type WindowOptions struct {
	// PresentMode is "fifo" (the default, vsync), "mailbox" or "immediate";
	// a mode the surface lacks falls back to FIFO.
	PresentMode string
	// Render configures the window's Renderer.
	Render RenderOptions
	// Device is passed to vk.Open after the window's surface and
	// extensions are added to it.
	Device vk.Options
	// SaveDir is where the S key saves PNGs (sdevk-view-NNN.png); empty
	// means the current directory.
	SaveDir string
}

// Events is what happened in the window since the last Poll.
type Events struct {
	Paused       bool   // the viewer is paused now (space toggles)
	PauseToggled bool   // space was pressed
	Restart      bool   // R: restart with a new seed
	Saved        string // S: the PNG written, if any
	SaveErr      error  // S: why it could not be written
	Closed       bool   // Esc or the window's close button
}

// Display is an open viewer window: the viewer build's *Window.
type Display interface {
	// Show renders f and presents it, waiting for the previous frame.
	Show(f *Frame) error
	// TryShow is Show that drops the frame, returning false, while the
	// previous one is still being drawn: a sampler calls it every k steps
	// without ever waiting for the window.
	TryShow(f *Frame) (bool, error)
	// Poll processes window events.
	Poll() Events
	// WaitWhilePaused blocks while the viewer is paused, showing f and
	// processing events, until space, R or closing the window.
	WaitWhilePaused(f *Frame) Events
	// SavePNG writes the last frame.
	SavePNG(path string) error
	// Renderer is the window's renderer (for backgrounds).
	Renderer() *Renderer
	// Close closes the window and then the device it opened.
	Close()
}

// ErrNoViewer is returned by OpenWindow in builds without the viewer tag.
var ErrNoViewer = errors.New("viewer: this sdevk was built without the viewer; rebuild with `go build -tags viewer ./cmd/sdevk` (needs the X11 development packages)")

// CheckDisplay returns a one-line error when no display is reachable
// (neither DISPLAY nor WAYLAND_DISPLAY is set), before anything is loaded.
func CheckDisplay() error {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("viewer: no display (DISPLAY and WAYLAND_DISPLAY are unset); run without --view, or under xvfb-run")
	}
	return nil
}
