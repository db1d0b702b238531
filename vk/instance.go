package vk

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

const validationLayer = "VK_LAYER_KHRONOS_validation"

// ValidationRequested reports whether SDEVK_VALIDATE asks for the Khronos
// validation layer.
func ValidationRequested() bool {
	v := os.Getenv("SDEVK_VALIDATE")
	return v != "" && v != "0" && v != "false"
}

// validation collects the messages of the debug-report callback. vulkan-go
// supports one Go callback per process, so the sink is process-wide; tests read
// it through ValidationMessages.
var validation struct {
	sync.Mutex
	messages []string
}

// ValidationMessages returns the validation warnings and errors reported so
// far in this process.
func ValidationMessages() []string {
	validation.Lock()
	defer validation.Unlock()
	return append([]string(nil), validation.messages...)
}

func onDebugReport(flags vk.DebugReportFlags, _ vk.DebugReportObjectType, _ uint64, _ uint, code int32, layer, msg string, _ unsafe.Pointer) vk.Bool32 {
	kind := "warning"
	if flags&vk.DebugReportFlags(vk.DebugReportErrorBit) != 0 {
		kind = "error"
	}
	line := fmt.Sprintf("vulkan validation %s [%s %d]: %s", kind, layer, code, msg)
	validation.Lock()
	validation.messages = append(validation.messages, line)
	validation.Unlock()
	fmt.Fprintln(os.Stderr, line)
	return vk.False
}

// instance is one VkInstance with the optional validation callback.
type instance struct {
	handle   vk.Instance
	callback vk.DebugReportCallback
	validate bool
	api      uint32
}

func cstr(s string) string { return s + "\x00" }

// newInstance creates a Vulkan 1.1 instance (1.0 if the loader is older),
// with validation when asked for. extraExtensions are instance extensions a
// caller needs (surface extensions for the viewer).
func newInstance(validate bool, extraExtensions []string) (*instance, error) {
	if err := loadVulkan(); err != nil {
		return nil, err
	}
	api := vk.MakeVersion(1, 0, 0)
	if loaderAPIVersion() >= vk.MakeVersion(1, 1, 0) {
		api = vk.MakeVersion(1, 1, 0)
	}
	available := instanceExtensions()
	var exts, layers []string
	for _, e := range extraExtensions {
		exts = append(exts, cstr(e))
	}
	if validate {
		if !hasLayer(validationLayer) {
			return nil, fmt.Errorf("vulkan: SDEVK_VALIDATE is set but %s is not installed: apt-get install vulkan-validationlayers", validationLayer)
		}
		layers = append(layers, cstr(validationLayer))
		exts = append(exts, cstr("VK_EXT_debug_report"))
	}
	if available["VK_KHR_portability_enumeration"] {
		exts = append(exts, cstr("VK_KHR_portability_enumeration"))
	}
	info := vk.InstanceCreateInfo{
		SType: vk.StructureTypeInstanceCreateInfo,
		PApplicationInfo: &vk.ApplicationInfo{
			SType:              vk.StructureTypeApplicationInfo,
			PApplicationName:   cstr("sdevk"),
			ApplicationVersion: vk.MakeVersion(0, 1, 0),
			PEngineName:        cstr("sdevk"),
			EngineVersion:      vk.MakeVersion(0, 1, 0),
			ApiVersion:         api,
		},
		EnabledExtensionCount:   uint32(len(exts)),
		PpEnabledExtensionNames: exts,
		EnabledLayerCount:       uint32(len(layers)),
		PpEnabledLayerNames:     layers,
	}
	if available["VK_KHR_portability_enumeration"] {
		info.Flags = 0x00000001 // VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR
	}
	var h vk.Instance
	var r vk.Result
	withoutGC(func() { r = vk.CreateInstance(&info, nil, &h) })
	if r != vk.Success {
		if r == vk.ErrorIncompatibleDriver {
			return nil, fmt.Errorf("vulkan: no Vulkan driver found (%s): %s", resultString(r), MissingVulkanHelp)
		}
		return nil, fmt.Errorf("vulkan: vkCreateInstance: %w", resultErr(r))
	}
	if err := vk.InitInstance(h); err != nil {
		vk.DestroyInstance(h, nil)
		return nil, fmt.Errorf("vulkan: %v", err)
	}
	in := &instance{handle: h, validate: validate, api: api}
	if validate {
		cb := vk.DebugReportCallbackCreateInfo{
			SType:       vk.StructureTypeDebugReportCallbackCreateInfo,
			Flags:       vk.DebugReportFlags(vk.DebugReportErrorBit | vk.DebugReportWarningBit | vk.DebugReportPerformanceWarningBit),
			PfnCallback: onDebugReport,
		}
		var callback vk.DebugReportCallback
		withoutGC(func() { r = vk.CreateDebugReportCallback(h, &cb, nil, &callback) })
		if r != vk.Success {
			vk.DestroyInstance(h, nil)
			return nil, fmt.Errorf("vulkan: creating the validation callback: %w", resultErr(r))
		}
		in.callback = callback
	}
	return in, nil
}

func (in *instance) destroy() {
	if in.validate {
		vk.DestroyDebugReportCallback(in.handle, in.callback, nil)
	}
	vk.DestroyInstance(in.handle, nil)
}

func instanceExtensions() map[string]bool {
	return enumerateNames(nil, nil, enumInstanceExtensions)
}

func hasLayer(name string) bool {
	return enumerateNames(nil, nil, enumLayers)[name]
}

// deviceExtensions needs the instance only for the loader's entry point;
// any instance that enumerated pd will do.
func deviceExtensions(in vk.Instance, pd vk.PhysicalDevice) map[string]bool {
	return enumerateNames(in, pd, enumDeviceExtensions)
}

func resultString(r vk.Result) string {
	if err := vk.Error(r); err != nil {
		return strings.TrimPrefix(err.Error(), "vulkan error: ")
	}
	return fmt.Sprintf("VkResult %d", int32(r))
}
