package vk

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	vk "github.com/vulkan-go/vulkan"
)

// ErrDeviceLost and ErrOutOfDeviceMemory are wrapped by the errors of calls
// that fail with VK_ERROR_DEVICE_LOST or VK_ERROR_OUT_OF_DEVICE_MEMORY;
// every such error also names the operation ("vulkan: vkQueueSubmit: device
// lost"), and callers add what they were doing.
var (
	ErrDeviceLost        = errors.New("device lost")
	ErrOutOfDeviceMemory = errors.New("out of device memory")
)

// ErrBufferTooLarge is wrapped by NewBuffer's error for a buffer over the
// device's maxStorageBufferRange: callers that can work in parts (the
// samplers' batches) split their work on it.
var ErrBufferTooLarge = errors.New("buffer too large for one binding")

// resultErr is the error of a failed call's result, to be wrapped with %w
// after the operation's name.
func resultErr(r vk.Result) error {
	switch r {
	case vk.ErrorDeviceLost:
		return ErrDeviceLost
	case vk.ErrorOutOfDeviceMemory:
		return ErrOutOfDeviceMemory
	}
	return errors.New(resultString(r))
}

// The results a Faults injects.
const (
	DeviceLost        = vk.ErrorDeviceLost
	OutOfDeviceMemory = vk.ErrorOutOfDeviceMemory
)

// Faults make device calls fail on purpose, so the callers' error paths can
// be tested on a healthy device (Options.Faults). Counting from 1, the
// Alloc-th buffer reservation fails as if vkAllocateMemory had returned
// Result, and the Submit-th submit as if vkQueueSubmit had; 0 injects
// nothing. A lost device stays lost: every later submit fails too.
type Faults struct {
	Alloc, Submit int
	Result        vk.Result
}

// faultState counts the calls a Faults watches.
type faultState struct {
	Faults
	allocs, submits int
	lost            bool
}

// alloc returns the injected result of the next buffer reservation.
func (f *faultState) alloc() vk.Result {
	if f == nil {
		return vk.Success
	}
	f.allocs++
	if f.allocs == f.Alloc {
		f.lost = f.lost || f.Result == DeviceLost
		return f.Result
	}
	if f.lost {
		return DeviceLost
	}
	return vk.Success
}

// submit returns the injected result of the next submit.
func (f *faultState) submit() vk.Result {
	if f == nil {
		return vk.Success
	}
	f.submits++
	if f.submits == f.Submit {
		f.lost = f.lost || f.Result == DeviceLost
		return f.Result
	}
	if f.lost {
		return DeviceLost
	}
	return vk.Success
}

// ParseFaults reads a Faults from its text form, "submit:N:device-lost" or
// "alloc:N:out-of-memory" (any of the two calls with either result): the
// value of SDEVK_FAULTS, through which tests of the sdevk command reach a
// process of its own.
func ParseFaults(s string) (*Faults, error) {
	parts := strings.Split(s, ":")
	bad := fmt.Errorf("vulkan: SDEVK_FAULTS=%q: want submit|alloc:N:device-lost|out-of-memory", s)
	if len(parts) != 3 {
		return nil, bad
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < 1 {
		return nil, bad
	}
	f := &Faults{}
	switch parts[0] {
	case "submit":
		f.Submit = n
	case "alloc":
		f.Alloc = n
	default:
		return nil, bad
	}
	switch parts[2] {
	case "device-lost":
		f.Result = DeviceLost
	case "out-of-memory":
		f.Result = OutOfDeviceMemory
	default:
		return nil, bad
	}
	return f, nil
}
