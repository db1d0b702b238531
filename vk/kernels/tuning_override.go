package kernels

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/sdevk/sdevk/vk"
)

// TuningFor is the tuning a Lib on this device uses: the device's preset
// with the overrides applied in order. An override is "field=value", the
// field named as in `sdevk info --json` ("gemm_texels=false",
// "conv_auto=im2col", "fused.groups=4"), or "preset=cpu" / "preset=gpu",
// which first replaces every field by that preset's. Benchmarks use it to
// compare choices on one device (sdevk bench --tuning); an unknown field or
// a value of the wrong type is an error naming it.
func TuningFor(info *vk.DeviceInfo, overrides []string) (Tuning, error) {
	t := DefaultTuning(info)
	for _, kv := range overrides {
		key, val, ok := strings.Cut(kv, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || key == "" {
			return t, fmt.Errorf("tuning %q: want field=value", kv)
		}
		if key == "preset" {
			if val != "cpu" && val != "gpu" {
				return t, fmt.Errorf("tuning %q: the presets are cpu and gpu", kv)
			}
			t = presetTuning(val, info)
			continue
		}
		if err := t.set(key, val); err != nil {
			return t, fmt.Errorf("tuning %q: %w", kv, err)
		}
		if err := t.check(info); err != nil {
			return t, fmt.Errorf("tuning %q: %w", kv, err)
		}
	}
	return t, nil
}

// check refuses the values the kernels cannot run with: widths outside the
// device's workgroup limit, a reduction width that is not a power of two
// (the shaders halve it), streaming chunks that are not whole SIMD rows,
// fused-program and GroupNorm grids that cannot be dispatched.
func (t *Tuning) check(info *vk.DeviceInfo) error {
	lim := info.Limits.MaxWorkgroupInvocations
	switch {
	case t.Local1D < 1 || (lim > 0 && t.Local1D > lim):
		return fmt.Errorf("local_1d %d is outside 1..%d (the device's workgroup limit)", t.Local1D, lim)
	case !pow2(t.ReduceLocal) || (lim > 0 && t.ReduceLocal > lim):
		return fmt.Errorf("reduce_local %d must be a power of two up to %d", t.ReduceLocal, lim)
	case t.GemmSplitGroups < 0 || t.ConvSplitGroups < 0 || t.ConvIm2colScratchBytes < 0 || t.ConvIm2colChunk < 0:
		return fmt.Errorf("split groups, im2col scratch and chunk must not be negative")
	case t.WinogradTile != 2 && t.WinogradTile != 4:
		return fmt.Errorf("winograd_tile %d: 2 (F(2x2, 3x3)) or 4 (F(4x4, 3x3))", t.WinogradTile)
	}
	for name, c := range map[string]Chunking{"elementwise": t.Elementwise, "fused": t.Fused} {
		if c.Groups < 0 || (c.Groups > 0 && (c.Local < 8 || c.Local%8 != 0 || c.Unroll < 1)) {
			return fmt.Errorf("%s %+v: groups >= 0, and with groups, local a positive multiple of 8 and unroll >= 1", name, c)
		}
	}
	if c := t.Ewise; c.Groups < 0 || (c.Groups > 0 && (c.Local < 1 || (lim > 0 && uint32(c.Local) > lim))) {
		return fmt.Errorf("ewise %+v: groups >= 0, and with groups, local in 1..%d", c, lim)
	}
	if c := t.Norm; c.Groups < 0 || (c.Groups > 0 && (!pow2(uint32(c.Local)) || (lim > 0 && uint32(c.Local) > lim))) {
		return fmt.Errorf("norm %+v: groups >= 0, and with groups, local a power of two up to %d", c, lim)
	}
	return nil
}

// set changes one field, through the JSON form so that the names are the
// ones `sdevk info --json` prints. A value that is not JSON is taken as a
// string (the variant names).
func (t *Tuning) set(key, val string) error {
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return err
	}
	path := strings.Split(key, ".")
	if len(path) > 2 {
		return fmt.Errorf("no field %s", key)
	}
	if !json.Valid([]byte(val)) {
		q, _ := json.Marshal(val)
		val = string(q)
	}
	parent, ok := top[path[0]]
	if !ok {
		return fmt.Errorf("no field %s (fields: %s)", path[0], strings.Join(fieldNames(top), ", "))
	}
	if len(path) == 1 {
		top[path[0]] = json.RawMessage(val)
	} else {
		var inner map[string]json.RawMessage
		if err := json.Unmarshal(parent, &inner); err != nil {
			return fmt.Errorf("%s has no fields", path[0])
		}
		if _, ok := inner[path[1]]; !ok {
			return fmt.Errorf("no field %s (fields of %s: %s)", key, path[0], strings.Join(fieldNames(inner), ", "))
		}
		inner[path[1]] = json.RawMessage(val)
		if top[path[0]], err = json.Marshal(inner); err != nil {
			return err
		}
	}
	if raw, err = json.Marshal(top); err != nil {
		return err
	}
	var out Tuning
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return fmt.Errorf("value %s: %w", val, err)
	}
	*t = out
	return nil
}

func fieldNames(m map[string]json.RawMessage) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// UnmarshalText reads a variant name (sdevk bench --tuning gemm_auto=reg).
func (v *GemmVariant) UnmarshalText(b []byte) error {
	i := slices.Index(gemmNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("unknown SGEMM variant %q (known: %s)", b, strings.Join(gemmNames[:], ", "))
	}
	*v = GemmVariant(i)
	return nil
}

// UnmarshalText reads a variant name (sdevk bench --tuning conv_auto=im2col).
func (v *ConvVariant) UnmarshalText(b []byte) error {
	i := slices.Index(convNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("unknown convolution variant %q (known: %s)", b, strings.Join(convNames[:], ", "))
	}
	*v = ConvVariant(i)
	return nil
}

// pow2 reports whether v is a power of two.
func pow2(v uint32) bool { return v > 0 && v&(v-1) == 0 }
