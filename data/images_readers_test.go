package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes builds an unsigned-byte IDX file of the given dimensions.
func idxBytes(dims []int, values []byte) []byte {
	b := []byte{0, 0, 8, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, values...)
}

func gzipBytes(t testing.TB, raw []byte) []byte {
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	if _, err := z.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// imageNPY builds a version-1 .npy file of C-order data.
func imageNPY(descr, shape string, data []byte) []byte {
	return npyBytes(1, fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }\n", descr, shape), data)
}

func writeFile(t testing.TB, dir, name string, raw []byte) string {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestLoadIDXPlainAndGzip(t *testing.T) {
	dir := t.TempDir()
	px := seq(3 * 4 * 5)
	labels := []byte{2, 0, 9}
	for _, gz := range []bool{false, true} {
		img, lab := idxBytes([]int{3, 4, 5}, px), idxBytes([]int{3}, labels)
		if gz {
			img, lab = gzipBytes(t, img), gzipBytes(t, lab)
		}
		ip := writeFile(t, dir, fmt.Sprintf("img-%v", gz), img)
		lp := writeFile(t, dir, fmt.Sprintf("lab-%v", gz), lab)
		im, err := LoadIDX(ip, lp, nil)
		if err != nil {
			t.Fatal(err)
		}
		if im.N != 3 || im.C != 1 || im.H != 4 || im.W != 5 || !bytes.Equal(im.Pixels, px) {
			t.Fatalf("gzip %v: got (%d, %d, %d, %d), pixels equal %v", gz, im.N, im.C, im.H, im.W, bytes.Equal(im.Pixels, px))
		}
		if fmt.Sprint(im.Labels) != "[2 0 9]" || len(im.Classes) != 10 {
			t.Fatalf("labels %v, %d classes", im.Labels, len(im.Classes))
		}
	}
}

func TestLoadCIFAR10Splits(t *testing.T) {
	dir := t.TempDir()
	rec := func(label byte, fill byte) []byte {
		return append([]byte{label}, bytes.Repeat([]byte{fill}, cifarPixels)...)
	}
	for i := 1; i <= 5; i++ {
		writeFile(t, dir, fmt.Sprintf("data_batch_%d.bin", i), append(rec(byte(i), byte(i)), rec(0, 0)...))
	}
	writeFile(t, dir, "test_batch.bin", rec(9, 200))
	tr, err := LoadCIFAR10(dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	if tr.N != 10 || tr.C != 3 || tr.H != 32 || tr.W != 32 || len(tr.Pixels) != 10*cifarPixels {
		t.Fatalf("train: N %d shape (%d, %d, %d), %d pixels", tr.N, tr.C, tr.H, tr.W, len(tr.Pixels))
	}
	if tr.Labels[2] != 2 || tr.Image(2)[5] != 2 || tr.Image(3)[0] != 0 {
		t.Fatalf("record 2: label %d pixel %d", tr.Labels[2], tr.Image(2)[5])
	}
	te, err := LoadCIFAR10(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	if te.N != 1 || te.Labels[0] != 9 || te.Classes[9] != "truck" || te.Pixels[cifarPixels-1] != 200 {
		t.Fatalf("test: N %d label %d", te.N, te.Labels[0])
	}
}

func TestLoadImagesNPYLayouts(t *testing.T) {
	dir := t.TempDir()
	// 2 images, 3 channels, 2 rows, 5 columns: pixel value encodes (n, c, y, x).
	val := func(n, c, y, x int) byte { return byte(n*100 + c*30 + y*10 + x) }
	var nchw, nhwc []byte
	for n := range 2 {
		for c := range 3 {
			for y := range 2 {
				for x := range 5 {
					nchw = append(nchw, val(n, c, y, x))
				}
			}
		}
		for y := range 2 {
			for x := range 5 {
				for c := range 3 {
					nhwc = append(nhwc, val(n, c, y, x))
				}
			}
		}
	}
	var f32 []byte
	for _, v := range nchw {
		f32 = binary.LittleEndian.AppendUint32(f32, math.Float32bits(float32(v)/255))
	}
	labels := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 4), 1)
	lp := writeFile(t, dir, "labels.npy", imageNPY("<i8", "(2,)", labels))
	for _, c := range []struct {
		name, descr, shape string
		data               []byte
	}{
		{"nchw-u8", "|u1", "(2, 3, 2, 5)", nchw},
		{"nhwc-u8", "|u1", "(2, 2, 5, 3)", nhwc},
		{"nchw-f4", "<f4", "(2, 3, 2, 5)", f32},
	} {
		p := writeFile(t, dir, c.name+".npy", imageNPY(c.descr, c.shape, c.data))
		im, err := LoadImagesNPY(p, lp, LayoutAuto)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if im.N != 2 || im.C != 3 || im.H != 2 || im.W != 5 || !bytes.Equal(im.Pixels, nchw) {
			t.Fatalf("%s: shape (%d, %d, %d, %d), pixels %v", c.name, im.N, im.C, im.H, im.W, im.Pixels)
		}
		if fmt.Sprint(im.Labels) != "[4 1]" || len(im.Classes) != 5 {
			t.Fatalf("%s: labels %v, %d classes", c.name, im.Labels, len(im.Classes))
		}
	}
	if _, err := LoadImagesNPY(writeFile(t, dir, "nchw.npy", imageNPY("|u1", "(2, 3, 2, 5)", nchw)), writeFile(t, dir, "short.npy", imageNPY("|u1", "(3,)", seq(3))), LayoutAuto); err == nil || !strings.Contains(err.Error(), "short.npy: labels have shape (3,), want (2,)") {
		t.Fatalf("3 labels for 2 images: %v", err)
	}
	gray := writeFile(t, dir, "gray.npy", imageNPY("|u1", "(3, 2, 2)", seq(12)))
	im, err := LoadImagesNPY(gray, "", LayoutAuto)
	if err != nil || im.C != 1 || im.N != 3 || im.Labels != nil {
		t.Fatalf("(N, H, W): %+v, %v", im, err)
	}
}

// TestImageReadersRejectBadFiles: each broken file gives one line naming it.
func TestImageReadersRejectBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := idxBytes([]int{2, 3, 3}, seq(18))
	cifar := append([]byte{3}, seq(cifarPixels)...)
	cases := []struct {
		name string
		raw  []byte
		load func(string) error
		want string
	}{
		{"idx-truncated", good[:len(good)-1], idxImages, "truncated"},
		{"idx-long", append(good, 0), idxImages, "past the end"},
		{"idx-magic", append([]byte{1}, good[1:]...), idxImages, "not an unsigned-byte IDX"},
		{"idx-rank", idxBytes([]int{18}, seq(18)), idxImages, "has 1 dimensions, want 3"},
		{"idx-gz-truncated", gzipBytes(t, good)[:30], idxImages, ""},
		{"idx-empty", nil, idxImages, "inside the 4-byte magic"},
		{"cifar-truncated", cifar[:100], cifarBatch, "record 0 has 100 of 3073"},
		{"cifar-label", append([]byte{10}, seq(cifarPixels)...), cifarBatch, "label 10"},
		{"cifar-empty", nil, cifarBatch, "empty"},
		{"npy-rank", imageNPY("|u1", "(4, 2)", seq(8)), npyImages, "want images of rank 3"},
		{"npy-ambiguous", imageNPY("|u1", "(1, 3, 2, 3)", seq(18)), npyImages, "could be"},
		{"npy-range", imageNPY("<f8", "(1, 1, 1)", binary.LittleEndian.AppendUint64(nil, math.Float64bits(2))), npyImages, "value 0 is 2"},
		{"npy-dtype", imageNPY("<i4", "(1, 1, 1)", seq(4)), npyImages, "not supported"},
		{"npy-truncated", imageNPY("|u1", "(2, 2, 2)", seq(7)), npyImages, "truncated"},
	}
	for _, c := range cases {
		path := writeFile(t, dir, c.name, c.raw)
		err := c.load(path)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, path+": ") || strings.Contains(msg, "\n") || !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %q: want one line starting with the path and containing %q", c.name, msg, c.want)
		}
	}
}

func idxImages(p string) error { _, err := LoadIDX(p, "", nil); return err }
func npyImages(p string) error { _, err := LoadImagesNPY(p, "", LayoutAuto); return err }
func cifarBatch(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = ReadCIFAR10(f, p)
	return err
}
