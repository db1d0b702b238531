package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

func init() {
	register("info", "list the Vulkan devices, their limits and memory, which one is selected and how the kernels are tuned for it", runInfo)
}

func runInfo(args []string, stdout io.Writer) error {
	fs := newFlags("info")
	asJSON := fs.Bool("json", false, "print JSON")
	device := fs.String("device", "", "device index or part of its name (default $SDEVK_DEVICE, else the best)")
	var tunings setList
	fs.Var(&tunings, "tuning", "override the kernel tuning, field=value as in --json's tuning, or preset=cpu|gpu (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	devices, err := vk.Enumerate()
	if err != nil {
		return err
	}
	want := *device
	if want == "" {
		want = os.Getenv("SDEVK_DEVICE")
	}
	sel, err := vk.Choose(devices, want)
	if err != nil {
		return usagef("%v", err)
	}
	devices[sel].Selected = true
	tuning, err := kernels.TuningFor(&devices[sel], tunings)
	if err != nil {
		return usagef("--tuning: %v", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"devices": devices, "selected": sel, "tuning": tuning})
	}
	for _, d := range devices {
		mark := " "
		if d.Selected {
			mark = "*"
		}
		fmt.Fprintf(stdout, "%s %s\n", mark, d.Summary())
		fmt.Fprintf(stdout, "    vendor 0x%04x device 0x%04x, driver %s %s\n", d.VendorID, d.DeviceID, d.Driver, d.DriverInfo)
		fmt.Fprintf(stdout, "    subgroup size %d (shuffle %v), shader fp16 %v, int64 %v, 16-bit storage %v, unified memory %v\n", d.SubgroupSize, d.SubgroupShuffle, d.FP16, d.ShaderInt64, d.Storage16, d.UMA)
		l := d.Limits
		fmt.Fprintf(stdout, "    shared memory %d KiB, workgroup size %v (at most %d invocations), workgroup count %v\n",
			l.MaxSharedMemoryBytes>>10, l.MaxWorkgroupSize, l.MaxWorkgroupInvocations, l.MaxWorkgroupCount)
		fmt.Fprintf(stdout, "    storage buffer range %d MiB, push constants %d bytes, timestamp period %g ns\n",
			l.MaxStorageBufferRange>>20, l.MaxPushConstantsBytes, l.TimestampPeriodNs)
		fmt.Fprintf(stdout, "    RGBA32F texel buffers %v (at most %d texels, offsets aligned to %d bytes)\n",
			d.TexelsVec4, l.MaxTexelBufferElements, l.MinTexelBufferAlign)
		for i, h := range d.Heaps {
			local := ""
			if h.DeviceLocal {
				local = " device-local"
			}
			fmt.Fprintf(stdout, "    heap %d: %.1f GiB%s\n", i, float64(h.Bytes)/(1<<30), local)
		}
		for i, t := range d.MemoryTypes {
			fmt.Fprintf(stdout, "    memory type %d: heap %d, %s\n", i, t.Heap, strings.Join(t.Flags, " "))
		}
		if d.Selected {
			fmt.Fprintln(stdout, "    kernel tuning:")
			for _, line := range tuning.Lines() {
				fmt.Fprintf(stdout, "      %s\n", line)
			}
		}
	}
	return nil
}
