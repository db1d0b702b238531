//go:build !viewer

package viewer

import "github.com/sdevk/sdevk/vk"

// Available reports whether this build can open windows (built with -tags viewer).
func Available() bool { return false }

// OpenWindow fails in builds without the viewer tag: the headless binary
// links no windowing library.
func OpenWindow(title string, w, h int, opts WindowOptions) (Display, *vk.Device, error) {
	return nil, nil, ErrNoViewer
}
