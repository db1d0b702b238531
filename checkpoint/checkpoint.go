package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/nlpodyssey/safetensors"

	"github.com/sdevk/sdevk/internal/atomicfile"
)

// Format names the layout of the metadata; it changes when that does.
const Format = "sdevk-checkpoint-1"

const (
	keyFormat   = "format"
	keyChecksum = "sha256"
	// keyScalars lists rank-0 tensors, which the safetensors library stores
	// with shape [1].
	keyScalars = "scalars"
)

// Tensor is one float32 array.
type Tensor struct {
	Shape []int
	Data  []float32
}

// Checkpoint is what one file holds.
type Checkpoint struct {
	Tensors map[string]Tensor
	// Meta holds the caller's string metadata (step, seed, config, ...).
	Meta map[string]string
}

// New returns an empty checkpoint.
func New() *Checkpoint {
	return &Checkpoint{Tensors: map[string]Tensor{}, Meta: map[string]string{}}
}

func f32bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// checksum hashes names, shapes and data in name order.
func (c *Checkpoint) checksum() string {
	names := make([]string, 0, len(c.Tensors))
	for n := range c.Tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		t := c.Tensors[n]
		fmt.Fprintf(h, "%s%v;", n, t.Shape)
		h.Write(f32bytes(t.Data))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Save writes c to path atomically.
func Save(path string, c *Checkpoint) error {
	views := map[string]safetensors.TensorView{}
	var scalars []string
	for name, t := range c.Tensors {
		n := 1
		shape := make([]uint64, len(t.Shape))
		if len(t.Shape) == 0 {
			shape = []uint64{1}
			scalars = append(scalars, name)
		}
		for i, d := range t.Shape {
			if d < 0 {
				return fmt.Errorf("checkpoint: %s: tensor %q has shape %v", path, name, t.Shape)
			}
			shape[i] = uint64(d)
			n *= d
		}
		if n != len(t.Data) {
			return fmt.Errorf("checkpoint: %s: tensor %q has %d values for shape %v", path, name, len(t.Data), t.Shape)
		}
		v, err := safetensors.NewTensorView(safetensors.F32, shape, f32bytes(t.Data))
		if err != nil {
			return fmt.Errorf("checkpoint: %s: tensor %q: %w", path, name, err)
		}
		views[name] = v
	}
	meta := map[string]string{}
	for k, v := range c.Meta {
		meta[k] = v
	}
	meta[keyFormat] = Format
	meta[keyChecksum] = c.checksum()
	if len(scalars) > 0 {
		sort.Strings(scalars)
		js, _ := json.Marshal(scalars)
		meta[keyScalars] = string(js)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { return safetensors.SerializeToWriter(views, meta, w) }); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// ErrCorrupt is wrapped by Load's errors for files that fail the checks.
var ErrCorrupt = errors.New("corrupted or not an sdevk checkpoint")

// Load reads and verifies the checkpoint at path.
func Load(path string) (*Checkpoint, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return Decode(raw, path)
}

// Name is the file name of the checkpoint of step within a run directory.
func Name(runDir string, step int) string {
	return filepath.Join(runDir, "checkpoints", fmt.Sprintf("ckpt-%08d.safetensors", step))
}

// Resolve returns path itself when it is a file, else the latest checkpoint
// of the run directory path, or the ModelFile of a model directory.
func Resolve(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	if !st.IsDir() {
		return path, nil
	}
	files, _ := filepath.Glob(filepath.Join(path, "checkpoints", "ckpt-*.safetensors"))
	if len(files) == 0 {
		if m := filepath.Join(path, ModelFile); fileExists(m) {
			return m, nil
		}
		return "", fmt.Errorf("checkpoint: %s holds no checkpoints/ckpt-*.safetensors and no %s", path, ModelFile)
	}
	// The latest by step number, so that a hand-named ckpt-42 (an import)
	// sorts below ckpt-00000060.
	sort.SliceStable(files, func(i, j int) bool { return stepOf(files[i]) < stepOf(files[j]) })
	return files[len(files)-1], nil
}

// Equal reports whether two checkpoints hold identical tensors and metadata.
func Equal(a, b *Checkpoint) bool {
	if len(a.Tensors) != len(b.Tensors) || len(a.Meta) != len(b.Meta) {
		return false
	}
	for k, v := range a.Meta {
		if b.Meta[k] != v {
			return false
		}
	}
	for n, t := range a.Tensors {
		u, ok := b.Tensors[n]
		if !ok || fmt.Sprint(t.Shape) != fmt.Sprint(u.Shape) || !bytes.Equal(f32bytes(t.Data), f32bytes(u.Data)) {
			return false
		}
	}
	return true
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// stepOf reads STEP from a path ending in ckpt-STEP.safetensors (-1 when it
// is not a number).
func stepOf(path string) int {
	base := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "ckpt-"), ".safetensors")
	n, err := strconv.Atoi(base)
	if err != nil {
		return -1
	}
	return n
}
