package data

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/sdevk/sdevk/internal/atomicfile"
)

// Shard is what the JSON sidecar beside a samples .npy (OUT.npy.json) says
// about it: which run the samples belong to and which of its samples they
// are. Sample i of a run depends only on (model, seed, sampler settings, i),
// so the shards of one run, made anywhere, merge into the run (MergeShards).
type Shard struct {
	// Model names the score: "sha256:<hex>" of the checkpoint file, or the
	// oracle's mixture; Source is where it was read from (for people, not
	// compared).
	Model  string `json:"model"`
	Source string `json:"source,omitempty"`
	Seed   uint64 `json:"seed"`
	First  int    `json:"first"` // index of the first sample in the run
	N      int    `json:"n"`
	Shape  []int  `json:"shape"` // of the .npy: (N, D) or (N, C, H, W)
	// Sampler describes the sampler and its settings for people; Settings
	// fingerprints everything else that changes a sample (the SDE, every
	// sampler option, the data range), and must match for shards to merge.
	Sampler  string `json:"sampler"`
	Settings string `json:"settings"`
}

// SidecarPath is the sidecar of the .npy file at npy.
func SidecarPath(npy string) string { return npy + ".json" }

// WriteShard writes s as the sidecar of npy, atomically.
func WriteShard(npy string, s Shard) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(SidecarPath(npy), func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// ReadShard reads the sidecar of npy.
func ReadShard(npy string) (Shard, error) {
	var s Shard
	b, err := os.ReadFile(SidecarPath(npy))
	if err != nil {
		if os.IsNotExist(err) {
			return s, fmt.Errorf("%s: no sidecar %s (written by sdevk sample beside each .npy)", npy, SidecarPath(npy))
		}
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %v", SidecarPath(npy), err)
	}
	if s.N < 1 || s.First < 0 || len(s.Shape) < 2 || s.Shape[0] != s.N {
		return s, fmt.Errorf("%s: first %d, n %d, shape %v do not describe a shard", SidecarPath(npy), s.First, s.N, s.Shape)
	}
	return s, nil
}

// shardFile is a shard's sidecar with its file and where its data starts.
type shardFile struct {
	path  string
	shard Shard
	data  int64 // offset of the first value
}

// Merge is a checked plan to join sample shards into one .npy (PlanMerge).
type Merge struct {
	Out    string
	Merged Shard // the sidecar of the result
	files  []shardFile
}

// PlanMerge checks the sample shards at paths for joining into one .npy at
// out in index order. It refuses shards of different models, seeds,
// settings or sample shapes, a gap or an overlap between their index ranges,
// and a .npy that disagrees with its sidecar, with one line naming the
// files. It writes nothing.
func PlanMerge(out string, paths []string) (*Merge, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("merge: no shards given")
	}
	files := make([]shardFile, len(paths))
	for i, p := range paths {
		if sameFile(p, out) {
			return nil, fmt.Errorf("merge: the output %s is one of the shards", out)
		}
		s, err := ReadShard(p)
		if err != nil {
			return nil, err
		}
		off, err := checkShardNPY(p, s)
		if err != nil {
			return nil, err
		}
		files[i] = shardFile{p, s, off}
		if err := sameRun(files[0], files[i]); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].shard.First < files[j].shard.First })
	for i := 1; i < len(files); i++ {
		a, b := files[i-1], files[i]
		end := a.shard.First + a.shard.N
		switch {
		case b.shard.First < end:
			return nil, fmt.Errorf("merge: %s (samples %s) and %s (samples %s) overlap", a.path, span(a.shard), b.path, span(b.shard))
		case b.shard.First > end:
			return nil, fmt.Errorf("merge: samples %d..%d are missing between %s (samples %s) and %s (samples %s)", end, b.shard.First-1, a.path, span(a.shard), b.path, span(b.shard))
		}
	}
	merged := files[0].shard // the lowest First
	merged.N = 0
	for _, f := range files {
		merged.N += f.shard.N
	}
	merged.Shape = append([]int{merged.N}, merged.Shape[1:]...)
	return &Merge{Out: out, Merged: merged, files: files}, nil
}

// Write writes the merged .npy, its values copied byte for byte from the
// shards, and its sidecar, atomically.
func (m *Merge) Write() error {
	err := atomicfile.Write(m.Out, func(w io.Writer) error {
		if _, err := w.Write(encodeNPYHeaderShape(m.Merged.Shape, 4)); err != nil {
			return err
		}
		for _, f := range m.files {
			if err := copyShardData(w, f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return WriteShard(m.Out, m.Merged)
}

// sameFile reports whether paths a and b name one file.
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	return filepath.Clean(a) == filepath.Clean(b)
}

// span is a shard's index range for messages.
func span(s Shard) string { return fmt.Sprintf("%d..%d", s.First, s.First+s.N-1) }

// sameRun says how shard b differs from shard a in what makes a run.
func sameRun(a, b shardFile) error {
	differ := func(what string, x, y any) error {
		return fmt.Errorf("merge: %s and %s come from different %s (%v vs %v)", a.path, b.path, what, x, y)
	}
	switch {
	case a.shard.Model != b.shard.Model:
		return differ("models", a.shard.Model, b.shard.Model)
	case a.shard.Seed != b.shard.Seed:
		return differ("seeds", a.shard.Seed, b.shard.Seed)
	case a.shard.Settings != b.shard.Settings:
		return differ("sampler settings", a.shard.Sampler+" "+a.shard.Settings, b.shard.Sampler+" "+b.shard.Settings)
	case !slices.Equal(a.shard.Shape[1:], b.shard.Shape[1:]):
		return differ("sample shapes", a.shard.Shape[1:], b.shard.Shape[1:])
	}
	return nil
}

// checkShardNPY checks that the .npy at path is the float32 C-order array
// its sidecar describes, and returns where its values start.
func checkShardNPY(path string, s Shard) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	h, err := readNPYHeader(f, st.Size())
	if err != nil {
		return 0, fmt.Errorf("%s: %v", path, err)
	}
	shape := make([]int, len(h.shape))
	for i, v := range h.shape {
		shape[i] = int(v)
	}
	if h.descr != "<f4" || h.fortran || !slices.Equal(shape, s.Shape) {
		return 0, fmt.Errorf("%s: a %s array of shape %v, its sidecar says float32 (<f4, C order) of shape %v", path, h.descr, shape, s.Shape)
	}
	if need := int64(4 * s.N * shapeSize(s.Shape[1:])); st.Size()-h.size != need {
		return 0, fmt.Errorf("%s: %d data bytes, shape %v needs %d", path, st.Size()-h.size, s.Shape, need)
	}
	return h.size, nil
}

func shapeSize(dims []int) int {
	n := 1
	for _, v := range dims {
		n *= v
	}
	return n
}

// copyShardData copies a shard's values to w.
func copyShardData(w io.Writer, f shardFile) error {
	in, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer in.Close()
	if _, err := in.Seek(f.data, io.SeekStart); err != nil {
		return err
	}
	_, err = io.Copy(w, in)
	return err
}
