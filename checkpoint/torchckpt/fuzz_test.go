package torchckpt

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// FuzzRead feeds Read's decoder arbitrary files: it must return a checkpoint whose
// tensors hold as many values as their shapes say, or a one-line error,
// and never panic. The seeds are testdata/tiny.pth, cut and bit-flipped
// variants of it (testdata/fuzz/FuzzRead), and non-zip bytes.
func FuzzRead(f *testing.F) {
	raw, err := os.ReadFile(tinyPath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add(raw[:len(raw)/2])
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := readFrom(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		for _, e := range c.State {
			checkSize(t, e.Name, e.Shape, len(e.Data))
		}
		for i, e := range c.EMA {
			checkSize(t, fmt.Sprintf("shadow_params[%d]", i), e.Shape, len(e.Data))
		}
	})
}

func checkSize(t *testing.T, name string, shape []int, n int) {
	size := 1
	for _, d := range shape {
		size *= d
	}
	if size != n {
		t.Errorf("%s: shape %v, %d values", name, shape, n)
	}
}

// FuzzDecodePickle feeds the decoder arbitrary pickles inside a valid zip
// (FuzzRead's mutations rarely get past the CRCs), with tiny.pth's storage
// entries beside them.
func FuzzDecodePickle(f *testing.F) {
	raw, err := os.ReadFile(tinyPath)
	if err != nil {
		f.Fatal(err)
	}
	entries := zipEntries(f, raw)
	f.Add(entries["archive/data.pkl"])
	f.Add([]byte("\x80\x02}q\x00."))
	f.Fuzz(func(t *testing.T, pkl []byte) {
		entries["archive/data.pkl"] = pkl
		archive := writeZip(t, entries)
		c, err := readFrom(bytes.NewReader(archive), int64(len(archive)))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		for _, e := range c.State {
			checkSize(t, e.Name, e.Shape, len(e.Data))
		}
	})
}
