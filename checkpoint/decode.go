package checkpoint

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"github.com/nlpodyssey/safetensors"
)

// Decode verifies and decodes the bytes of a checkpoint file; name labels
// errors. The file is untrusted: the safetensors library checks the header
// against the data (offsets, shape products, total size) and Decode checks
// the rest (format, dtype, dimensions that fit an int, scalars holding one
// value, the checksum). Every error wraps ErrCorrupt and is one line.
func Decode(raw []byte, name string) (*Checkpoint, error) {
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("checkpoint: %s: %w (%s)", name, ErrCorrupt, fmt.Sprintf(format, args...))
	}
	st, err := safetensors.Deserialize(raw)
	if err != nil {
		return nil, corrupt("%v", err)
	}
	_, md, err := safetensors.ReadMetadata(raw)
	if err != nil {
		return nil, corrupt("%v", err)
	}
	c := New()
	for k, v := range md.Metadata() {
		c.Meta[k] = v
	}
	if c.Meta[keyFormat] != Format {
		return nil, corrupt("format %q, want %q", c.Meta[keyFormat], Format)
	}
	for _, nt := range st.Tensors() {
		v := nt.TensorView
		if v.DType() != safetensors.F32 {
			return nil, corrupt("tensor %q is %s, want F32", nt.Name, v.DType())
		}
		shape := make([]int, len(v.Shape()))
		for i, d := range v.Shape() {
			// The library checks the shape's product against the data; a
			// zero elsewhere in the shape lets any dimension through.
			if d > math.MaxInt32 {
				return nil, corrupt("tensor %q has shape %v", nt.Name, v.Shape())
			}
			shape[i] = int(d)
		}
		data := v.Data()
		vals := make([]float32, len(data)/4)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		c.Tensors[nt.Name] = Tensor{Shape: shape, Data: vals}
	}
	if js, ok := c.Meta[keyScalars]; ok {
		var scalars []string
		if err := json.Unmarshal([]byte(js), &scalars); err != nil {
			return nil, corrupt("bad scalar list")
		}
		for _, n := range scalars {
			t, ok := c.Tensors[n]
			if !ok {
				continue
			}
			if len(t.Data) != 1 {
				return nil, corrupt("scalar %q has shape %v", n, t.Shape)
			}
			t.Shape = []int{}
			c.Tensors[n] = t
		}
	}
	want := c.Meta[keyChecksum]
	delete(c.Meta, keyChecksum)
	delete(c.Meta, keyFormat)
	delete(c.Meta, keyScalars)
	if got := c.checksum(); got != want {
		return nil, corrupt("checksum mismatch")
	}
	return c, nil
}
