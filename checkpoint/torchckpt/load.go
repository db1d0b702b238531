package torchckpt

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/pytorch"
	"github.com/nlpodyssey/gopickle/types"
)

// storageClasses maps torch's storage class names to the decoder's classes
// and the bytes of one element.
var storageClasses = map[string]struct {
	class pytorch.StorageClassInterface
	bytes int
}{
	"FloatStorage":    {&pytorch.FloatStorageClass{}, 4},
	"DoubleStorage":   {&pytorch.DoubleStorageClass{}, 8},
	"HalfStorage":     {&pytorch.HalfStorageClass{}, 2},
	"BFloat16Storage": {&pytorch.BFloat16StorageClass{}, 2},
	"LongStorage":     {&pytorch.LongStorageClass{}, 8},
	"IntStorage":      {&pytorch.IntStorageClass{}, 4},
	"ShortStorage":    {&pytorch.ShortStorageClass{}, 2},
	"CharStorage":     {&pytorch.CharStorageClass{}, 1},
	"ByteStorage":     {&pytorch.ByteStorageClass{}, 1},
	"BoolStorage":     {&pytorch.BoolStorageClass{}, 1},
}

// storageRef is what a persistent id names: a storage class and the zip
// entry holding its elements.
type storageRef struct {
	class pytorch.StorageClassInterface
	bytes int
}

// load decodes the zip archive in r with gopickle's unpickler and
// pytorch types. It does what pytorch.Load does for zip files, and also
// reads every entry it uses to its end, so the zip library checks its CRC
// (pytorch.Load stops at the declared length, so a corrupted tensor would
// load silently); checks the lengths the pickle declares before the
// unpickler allocates them (checkPickle); checks each storage's declared
// size against its entry before allocating it (pytorch.Load trusts it, and
// fills a short entry with stale bytes); and turns a panic of the decoder
// into an error.
func load(r io.ReaderAt, size int64) (obj any, err error) {
	defer func() {
		if r := recover(); r != nil {
			obj, err = nil, fmt.Errorf("decoder failed: %v", r)
		}
	}()
	a, err := openArchive(r, size)
	if err != nil {
		return nil, err
	}
	program, err := readEntry(a.pickle)
	if err != nil {
		return nil, err
	}
	if err := checkPickle(program); err != nil {
		return nil, fmt.Errorf("data.pkl: %v", err)
	}
	u := pickle.NewUnpickler(bytes.NewReader(program))
	u.FindClass = findClass
	u.PersistentLoad = a.storage
	if obj, err = u.Load(); err != nil {
		return nil, fmt.Errorf("data.pkl: %v (truncated, or not a torch.save pickle)", err)
	}
	return obj, nil
}

// archive is a torch.save zip: root/data.pkl, and root/data/KEY for each
// storage the pickle names.
type archive struct {
	pickle *zip.File
	root   string
	files  map[string]*zip.File
	loaded map[string]pytorch.StorageInterface
}

func openArchive(r io.ReaderAt, size int64) (*archive, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("not a torch.save zip archive (%v)", err)
		}
		return nil, err
	}
	a := &archive{files: map[string]*zip.File{}, loaded: map[string]pytorch.StorageInterface{}}
	for _, f := range z.File {
		if f.Method != zip.Store {
			// torch.save stores every entry uncompressed.
			return nil, fmt.Errorf("entry %s is compressed (method %d); torch.save writes stored entries", f.Name, f.Method)
		}
		switch dir, base := path.Split(f.Name); base {
		case "constants.pkl":
			return nil, errors.New("a TorchScript archive, not a torch.save checkpoint")
		case "data.pkl":
			a.pickle, a.root = f, dir
		}
		a.files[f.Name] = f
	}
	if a.pickle == nil {
		return nil, errors.New("no data.pkl entry (not a torch.save archive)")
	}
	return a, nil
}

// storage is the unpickler's PersistentLoad: it reads the storage a
// persistent id names from its entry, once.
func (a *archive) storage(id any) (any, error) {
	key, ref, size, err := parseStorageID(id)
	if err != nil {
		return nil, err
	}
	if s, ok := a.loaded[key]; ok {
		return s, nil
	}
	f, ok := a.files[a.root+"data/"+key]
	if !ok {
		return nil, fmt.Errorf("storage %q has no entry", key)
	}
	if uint64(size) > f.UncompressedSize64 || uint64(size)*uint64(ref.bytes) != f.UncompressedSize64 {
		return nil, fmt.Errorf("storage %q declares %d elements of %d bytes, its entry holds %d bytes", key, size, ref.bytes, f.UncompressedSize64)
	}
	data, err := readEntry(f)
	if err != nil {
		return nil, err
	}
	s := ref.class.New(size, "cpu")
	if err := s.SetFromFileWithSize(bytes.NewReader(data), size); err != nil {
		return nil, fmt.Errorf("storage %q: %v", key, err)
	}
	a.loaded[key] = s
	return s, nil
}

// parseStorageID reads torch.save's persistent id of a storage:
// ('storage', class, key, location, size).
func parseStorageID(id any) (key string, ref storageRef, size int, err error) {
	t, ok := id.(*types.Tuple)
	if !ok || t == nil || t.Len() != 5 {
		return "", ref, 0, fmt.Errorf("persistent id %s is not ('storage', class, key, location, size)", pyType(id))
	}
	kind, _ := t.Get(0).(string)
	ref, okRef := t.Get(1).(storageRef)
	key, okKey := t.Get(2).(string)
	size, okSize := t.Get(4).(int)
	if kind != "storage" || !okRef || !okKey || !okSize || size < 0 {
		return "", ref, 0, errors.New("persistent id is not ('storage', class, key, location, size)")
	}
	return key, ref, size, nil
}

// findClass resolves the globals torch.save's pickles name.
func findClass(module, name string) (any, error) {
	switch {
	case module == "torch._utils" && name == "_rebuild_tensor_v2":
		return &pytorch.RebuildTensorV2{}, nil
	case module == "torch":
		if c, ok := storageClasses[name]; ok {
			return storageRef{class: c.class, bytes: c.bytes}, nil
		}
	}
	return nil, fmt.Errorf("unexpected global %s.%s (not a checkpoint of tensors)", module, name)
}

// readEntry reads a whole entry and checks its CRC (the zip library skips
// the comparison when the recorded CRC is 0).
func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
	if errors.Is(err, zip.ErrChecksum) || (err == nil && crc32.ChecksumIEEE(data) != f.CRC32) {
		return nil, fmt.Errorf("entry %s: CRC mismatch (corrupted file)", f.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("entry %s: %v", f.Name, err)
	}
	if uint64(len(data)) != f.UncompressedSize64 {
		return nil, fmt.Errorf("entry %s: %d bytes, the directory says %d", f.Name, len(data), f.UncompressedSize64)
	}
	return data, nil
}
