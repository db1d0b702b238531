package data

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// oneLineNaming fails t unless err is one line starting with name.
func oneLineNaming(t *testing.T, err error, name string) {
	if msg := err.Error(); !strings.HasPrefix(msg, name+": ") || strings.Contains(msg, "\n") {
		t.Fatalf("error is not one line naming the file: %q", msg)
	}
}

// FuzzReadIDX: no input panics or allocates beyond its size; an error is one
// line naming the file; what is accepted holds exactly the values its
// header promises. Seed corpus: testdata/fuzz/FuzzReadIDX.
func FuzzReadIDX(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, rank := range []int{1, 3} {
			im, err := ReadIDX(bytes.NewReader(raw), "fuzz.idx", rank)
			if err != nil {
				oneLineNaming(t, err, "fuzz.idx")
				continue
			}
			if im.N < 1 || im.H < 1 || im.W < 1 || im.C != 1 || len(im.Pixels) != im.N*im.H*im.W {
				t.Fatalf("accepted shape (%d, %d, %d, %d) with %d values", im.N, im.C, im.H, im.W, len(im.Pixels))
			}
			if header := 4 + 4*rank; len(raw) != header+len(im.Pixels) || !bytes.Equal(raw[header:], im.Pixels) {
				t.Fatalf("accepted %d values from a %d-byte file", len(im.Pixels), len(raw))
			}
		}
	})
}

// FuzzReadCIFAR10: an accepted batch re-encodes to the same bytes.
// Seed corpus: testdata/fuzz/FuzzReadCIFAR10.
func FuzzReadCIFAR10(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		im, err := ReadCIFAR10(bytes.NewReader(raw), "fuzz.bin")
		if err != nil {
			oneLineNaming(t, err, "fuzz.bin")
			return
		}
		var again []byte
		for i := range im.N {
			if im.Labels[i] < 0 || im.Labels[i] > 9 {
				t.Fatalf("accepted label %d", im.Labels[i])
			}
			again = append(append(again, byte(im.Labels[i])), im.Image(i)...)
		}
		if !bytes.Equal(again, raw) {
			t.Fatalf("%d records do not re-encode to the %d bytes read", im.N, len(raw))
		}
	})
}

// FuzzReadImagesNPY: an accepted array has a consistent geometry, and a
// uint8 one in (N, C, H, W) order reads back the same once rewritten.
// Seed corpus: testdata/fuzz/FuzzReadImagesNPY.
func FuzzReadImagesNPY(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		im, err := ReadImagesNPY(bytes.NewReader(raw), int64(len(raw)), "fuzz.npy", LayoutAuto)
		if err != nil {
			oneLineNaming(t, err, "fuzz.npy")
			return
		}
		if im.N < 1 || im.C < 1 || im.H < 1 || im.W < 1 || len(im.Pixels) != im.N*im.Dim() {
			t.Fatalf("accepted shape (%d, %d, %d, %d) with %d values", im.N, im.C, im.H, im.W, len(im.Pixels))
		}
		shape := fmt.Sprintf("(%d, %d, %d, %d)", im.N, im.C, im.H, im.W)
		rewritten := imageNPY("|u1", shape, im.Pixels)
		again, err := ReadImagesNPY(bytes.NewReader(rewritten), int64(len(rewritten)), "again.npy", LayoutNCHW)
		if err != nil {
			t.Fatalf("cannot read back what was accepted: %v", err)
		}
		if !bytes.Equal(again.Pixels, im.Pixels) {
			t.Fatal("pixels differ once rewritten")
		}
	})
}
