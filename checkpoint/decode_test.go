package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// safetensorsFile builds a safetensors file around the JSON header js.
func safetensorsFile(js string, data []byte) []byte {
	for len(js)%8 != 0 {
		js += " "
	}
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(js)))
	return append(append(b, js...), data...)
}

// TestDecodeRejectsInconsistentTensors: files whose checksum is right (any
// writer can compute it) but whose tensors contradict themselves are
// rejected, not handed to the model.
func TestDecodeRejectsInconsistentTensors(t *testing.T) {
	scalar := &Checkpoint{Tensors: map[string]Tensor{"a": {Shape: []int{}, Data: []float32{0, 0}}}}
	huge := &Checkpoint{Tensors: map[string]Tensor{"a": {Shape: []int{0, 1 << 40}}}}
	cases := []struct {
		name, js string
		data     []byte
		want     string
	}{
		{"scalar with two values", fmt.Sprintf(`{"__metadata__":{"format":%q,"sha256":%q,"scalars":"[\"a\"]"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, Format, scalar.checksum()),
			make([]byte, 8), `scalar "a" has shape [2]`},
		{"dimension past int32 beside a zero", fmt.Sprintf(`{"__metadata__":{"format":%q,"sha256":%q},"a":{"dtype":"F32","shape":[0,1099511627776],"data_offsets":[0,0]}}`, Format, huge.checksum()),
			nil, `tensor "a" has shape [0 1099511627776]`},
		{"float64 tensor", fmt.Sprintf(`{"__metadata__":{"format":%q,"sha256":"x"},"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, Format),
			make([]byte, 8), `tensor "a" is F64, want F32`},
	}
	for _, c := range cases {
		_, err := Decode(safetensorsFile(c.js, c.data), "c.safetensors")
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "checkpoint: c.safetensors: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want ErrCorrupt with %q", c.name, err, c.want)
		}
	}
}
