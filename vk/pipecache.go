package vk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"

	"github.com/sdevk/sdevk/internal/atomicfile"
)

// pipelineCache is a VkPipelineCache persisted in the user's cache directory,
// one file per device and driver version, so kernels compile once per driver.
type pipelineCache struct {
	dev         *Device
	h           vk.PipelineCache
	path        string
	LoadedBytes int
	Builds      int
	BuildTime   time.Duration
}

// PipelineCacheStats reports where the cache lives and what it saved.
type PipelineCacheStats struct {
	Path        string        `json:"path"`
	LoadedBytes int           `json:"loaded_bytes"`
	Builds      int           `json:"pipelines_built"`
	BuildTime   time.Duration `json:"build_time_ns"`
}

// PipelineCache reports the pipeline cache's statistics.
func (d *Device) PipelineCache() PipelineCacheStats {
	c := d.cache
	return PipelineCacheStats{Path: c.path, LoadedBytes: c.LoadedBytes, Builds: c.Builds, BuildTime: c.BuildTime}
}

func openPipelineCache(d *Device, dir string) *pipelineCache {
	c := &pipelineCache{dev: d}
	if dir == "" {
		if base, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(base, "sdevk")
		}
	}
	var initial []byte
	if dir != "" && dir != "-" {
		c.path = filepath.Join(dir, fmt.Sprintf("pipelines-%04x-%04x-%08x-%x.bin",
			d.Info.VendorID, d.Info.DeviceID, d.Info.DriverVersion, d.Info.pipelineCache[:]))
		if data, err := os.ReadFile(c.path); err == nil && c.matches(data) {
			initial = data
		}
	}
	info := vk.PipelineCacheCreateInfo{SType: vk.StructureTypePipelineCacheCreateInfo}
	if len(initial) > 0 {
		info.InitialDataSize = uint(len(initial))
		info.PInitialData = unsafe.Pointer(&initial[0])
	}
	var h vk.PipelineCache
	if vk.CreatePipelineCache(d.handle, &info, nil, &h) != vk.Success {
		// A cache the driver rejects is only a lost speed-up: start empty.
		info.InitialDataSize, info.PInitialData = 0, nil
		if vk.CreatePipelineCache(d.handle, &info, nil, &h) != vk.Success {
			h = vk.NullPipelineCache
		}
	} else {
		c.LoadedBytes = len(initial)
	}
	runtime.KeepAlive(initial) // the create info points into it
	c.h = h
	return c
}

// matches checks the header that every VkPipelineCache blob starts with, so a
// file from another device or driver is never handed to this one.
func (c *pipelineCache) matches(data []byte) bool {
	if len(data) < 32 {
		return false
	}
	vendor := binary.LittleEndian.Uint32(data[8:])
	device := binary.LittleEndian.Uint32(data[12:])
	return vendor == c.dev.Info.VendorID && device == c.dev.Info.DeviceID && bytes.Equal(data[16:32], c.dev.Info.pipelineCache[:])
}

func (c *pipelineCache) handle() vk.PipelineCache { return c.h }

func (c *pipelineCache) noteBuild(t time.Duration) {
	c.Builds++
	c.BuildTime += t
}

func (c *pipelineCache) saveAndDestroy() {
	if c.h == vk.NullPipelineCache {
		return
	}
	defer vk.DestroyPipelineCache(c.dev.handle, c.h, nil)
	if c.path == "" || c.Builds == 0 {
		return
	}
	var n uint
	if vk.GetPipelineCacheData(c.dev.handle, c.h, &n, nil) != vk.Success || n == 0 {
		return
	}
	data := make([]byte, n)
	if vk.GetPipelineCacheData(c.dev.handle, c.h, &n, unsafe.Pointer(&data[0])) != vk.Success {
		return
	}
	// Write then rename, so a crash never leaves a torn cache file.
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return
	}
	// A failed write only loses the speed-up of the next start.
	_ = atomicfile.Write(c.path, func(w io.Writer) error {
		_, err := w.Write(data[:n])
		return err
	})
}
