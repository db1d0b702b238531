package data

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// npyBytes builds a .npy file of the given major version around the header
// text hdr, taken as it is (no padding, no newline added).
func npyBytes(major byte, hdr string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString(npyMagic)
	b.Write([]byte{major, 0})
	if major == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(hdr)))
	}
	b.WriteString(hdr)
	b.Write(data)
	return b.Bytes()
}

func f32le(v ...float32) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, v)
	return b.Bytes()
}

const hdr32x2 = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }\n"

// TestNPYAcceptedForms reads every accepted dtype, byte order and version,
// and the header spellings numpy and Python allow.
func TestNPYAcceptedForms(t *testing.T) {
	want := []float64{1, 2, 3, 4, 5, 6}
	var be32, le64, be64 bytes.Buffer
	binary.Write(&be32, binary.BigEndian, []float32{1, 2, 3, 4, 5, 6})
	binary.Write(&le64, binary.LittleEndian, want)
	binary.Write(&be64, binary.BigEndian, want)
	cases := []struct {
		name string
		raw  []byte
	}{
		{"v1 <f4", npyBytes(1, hdr32x2, f32le(1, 2, 3, 4, 5, 6))},
		{"v2 <f4", npyBytes(2, hdr32x2, f32le(1, 2, 3, 4, 5, 6))},
		{"v3 <f4", npyBytes(3, hdr32x2, f32le(1, 2, 3, 4, 5, 6))},
		{">f4", npyBytes(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (3, 2), }\n", be32.Bytes())},
		{"<f8", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }\n", le64.Bytes())},
		{">f8", npyBytes(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (3, 2), }\n", be64.Bytes())},
		{"no spaces, no trailing comma", npyBytes(1, `{"shape":(3,2),"fortran_order":False,"descr":"<f4"}`, f32le(1, 2, 3, 4, 5, 6))},
		{"python 2 longs", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 2L), }  \n", f32le(1, 2, 3, 4, 5, 6))},
		{"fortran order", npyBytes(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }\n", f32le(1, 3, 5, 2, 4, 6))},
	}
	for _, c := range cases {
		p, err := ReadNPY(bytes.NewReader(c.raw), "x.npy")
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if p.N != 3 || p.D != 2 || len(p.X) != 6 {
			t.Errorf("%s: shape (%d, %d), %d values", c.name, p.N, p.D, len(p.X))
			continue
		}
		for i := range want {
			if p.X[i] != want[i] {
				t.Errorf("%s: values %v, want %v", c.name, p.X, want)
				break
			}
		}
	}
}

// craftedNPY are the hostile files of issue 15, also kept in
// testdata/crafted for the command-line check, with the error each gives.
var craftedNPY = []struct {
	file string
	raw  []byte
	want string
}{
	{"header-past-end.npy", append([]byte(npyMagic+"\x01\x00\xe8\x03"), hdr32x2...),
		".npy header length 1000 runs past the end of the file (70 bytes, 60 after the preamble)"},
	{"header-4gib.npy", append([]byte(npyMagic+"\x02\x00\xff\xff\xff\xff"), hdr32x2...),
		".npy header length 4294967295 runs past the end of the file (72 bytes, 60 after the preamble)"},
	{"truncated.npy", npyBytes(1, hdr32x2, f32le(1, 2, 3, 4, 5, 6))[:70+18],
		"truncated: shape (3, 2) of float32 needs 24 data bytes, the file has 18"},
}

// TestNPYCrafted checks the crafted files, from memory and from disk, and
// that testdata/crafted holds exactly these bytes.
func TestNPYCrafted(t *testing.T) {
	for _, c := range craftedNPY {
		if _, err := ReadNPY(bytes.NewReader(c.raw), c.file); err == nil || err.Error() != c.file+": "+c.want {
			t.Errorf("%s: error %v, want %q", c.file, err, c.want)
		}
		p := filepath.Join("testdata", "crafted", c.file)
		if raw, err := os.ReadFile(p); err != nil || !bytes.Equal(raw, c.raw) {
			t.Errorf("%s differs from the test's bytes (%v); rewrite it from craftedNPY", p, err)
		}
		if _, err := LoadNPY(p); err == nil || err.Error() != p+": "+c.want {
			t.Errorf("%s: error %v, want %q", p, err, c.want)
		}
	}
}

// TestNPYBadHeaders: every malformed preamble or header is one line naming
// the file and the problem.
func TestNPYBadHeaders(t *testing.T) {
	data := f32le(1, 2, 3, 4, 5, 6)
	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty", nil, `not a .npy file (it does not start with "\x93NUMPY")`},
		{"short magic", []byte("\x93NUM"), `not a .npy file`},
		{"preamble cut", []byte(npyMagic + "\x01"), "it ends after 7 bytes, inside the 10-byte preamble"},
		{"length cut", []byte(npyMagic + "\x02\x00\x10\x00"), "the file ends 2 bytes into the 4-byte header length"},
		{"version 4", npyBytes(4, hdr32x2, data), ".npy version 4.0 is not supported (want 1.0, 2.0 or 3.0)"},
		{"version 1.1", append([]byte(npyMagic+"\x01\x01"), npyBytes(1, hdr32x2, data)[8:]...), ".npy version 1.1 is not supported"},
		{"header over the limit", npyBytes(2, "{"+strings.Repeat(" ", maxNPYHeader)+"}", data), "header length 10002 is over the 10000-byte limit"},
		{"not a dict", npyBytes(1, "['descr', '<f4']\n", data), ".npy header is not a dict (at byte 0)"},
		{"missing shape", npyBytes(1, "{'descr': '<f4', 'fortran_order': False}\n", data), `.npy header lacks the key "shape"`},
		{"repeated key", npyBytes(1, "{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (3, 2)}", data), `repeats the key "descr"`},
		{"unknown key", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), 'x': 1}", data), `has the unexpected key "x"`},
		{"structured dtype", npyBytes(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3, 2)}", data), "structured dtype, which is not supported"},
		{"bad fortran_order", npyBytes(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (3, 2)}", data), "'fortran_order' that is neither True nor False"},
		{"negative dim", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-3, 2)}", data), "'shape' entry that is not a non-negative integer"},
		{"dim over 64 bits", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 2)}", data), "'shape' entry 99999999999999999999 that does not fit in 64 bits"},
		{"shape not a tuple", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [3, 2]}", data), "'shape' that is not a tuple"},
		{"unterminated string", npyBytes(1, "{'descr': '<f4", data[:0]), "unterminated string"},
		{"escape in string", npyBytes(1, `{'descr': '<f\x34', 'fortran_order': False, 'shape': (3, 2)}`, data), "escape or a line break"},
		{"bytes after dict", npyBytes(1, hdr32x2+"x", data), "has bytes after the dict"},
		{"unclosed dict", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2)", data), "lacks a ',' or '}' after a value"},
		{"1-d", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", data), "array has shape (6,), want (N, D) with N, D >= 1"},
		{"scalar", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()}", data), "array has shape ()"},
		{"many dims", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1,6)}", data), "array has shape (1, 1, 1, 1, 1, 1, 1, 1, ... (10 dimensions))"},
		{"float16", npyBytes(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (3, 2)}", data), `dtype "<f2" of shape (3, 2) is not supported: want float32 or float64 (<f4, >f4, <f8, >f8)`},
		{"long dtype", npyBytes(1, "{'descr': '"+strings.Repeat("x", 5000)+"', 'fortran_order': False, 'shape': (3, 2)}", data), `dtype "` + strings.Repeat("x", 40) + `..." of shape (3, 2)`},
		{"shape overflow", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4)}", data), "shape (4611686018427387904, 4) of float64 needs more than 2^63 bytes, the file has 24 data bytes"},
		{"shape past the data", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 2)}", data), "truncated: shape (1000000000000, 2) of float64 needs 16000000000000 data bytes, the file has 24"},
		{"trailing bytes", npyBytes(1, hdr32x2, append(data, 0, 0, 0, 0)), "4 bytes past the end of the data: shape (3, 2) of float32 needs 24 data bytes, the file has 28"},
	}
	for _, c := range cases {
		_, err := ReadNPY(bytes.NewReader(c.raw), "bad.npy")
		if err == nil || !strings.HasPrefix(err.Error(), "bad.npy: ") || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line with %q", c.name, err, c.want)
		}
	}
}

// A file cut while it is read delivers less than its size said: an error,
// not zero-filled values.
func TestNPYShortReadIsAnError(t *testing.T) {
	raw := npyBytes(1, hdr32x2, f32le(1, 2, 3, 4, 5, 6))
	_, err := decodeNPY(bytes.NewReader(raw[:len(raw)-8]), int64(len(raw)), "cut.npy")
	if err == nil || !strings.Contains(err.Error(), "cut.npy: reading float32 data: got 16 of 24 bytes") {
		t.Errorf("error %v", err)
	}
}

func TestLoadNPYDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadNPY(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("error %v", err)
	}
}
