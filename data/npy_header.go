package data

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// The .npy format (numpy.lib.format): the magic "\x93NUMPY", a major and a
// minor version byte, the header length (uint16 little-endian in version 1,
// uint32 in versions 2 and 3), then the header, a Python dict literal such as
//
//	{'descr': '<f4', 'fortran_order': False, 'shape': (100, 2), }
//
// padded with spaces and ended by a newline. The data follows the header.
// Everything in the header is checked here before any of it is used: the
// file is untrusted input.
const npyMagic = "\x93NUMPY"

// maxNPYHeader bounds the header: numpy itself refuses headers over 10000
// bytes unless told otherwise (np.load's max_header_size), and the header of
// a plain float array is about 128 bytes.
const maxNPYHeader = 10000

// npyDtype is an accepted element type.
type npyDtype struct {
	descr string // as written in the header, e.g. "<f4"
	name  string // float32 or float64
	size  int    // bytes per value
	order binary.ByteOrder
	kind  byte // 'f' float, 'u' unsigned or 'i' signed integer
}

// float decodes the value at the start of b as a float64: a float32 or
// float64 of the dtype's byte order, or a one-byte bool or uint8 level.
// Integer label dtypes are read by readLabelsNPY instead.
func (dt npyDtype) float(b []byte) float64 {
	switch dt.size {
	case 1:
		return float64(b[0])
	case 4:
		return float64(math.Float32frombits(dt.order.Uint32(b)))
	default:
		return math.Float64frombits(dt.order.Uint64(b))
	}
}

// npyDtypes are the dtypes LoadNPY reads: float32 and float64, either byte
// order.
var npyDtypes = []npyDtype{
	{"<f4", "float32", 4, binary.LittleEndian, 'f'},
	{">f4", "float32", 4, binary.BigEndian, 'f'},
	{"<f8", "float64", 8, binary.LittleEndian, 'f'},
	{">f8", "float64", 8, binary.BigEndian, 'f'},
}

// npyImageDtypes are the dtypes LoadImagesNPY reads: 8-bit pixel levels
// (numpy writes uint8 as '|u1') and the float types.
var npyImageDtypes = append([]npyDtype{
	{"|u1", "uint8", 1, binary.LittleEndian, 'u'},
	{"<u1", "uint8", 1, binary.LittleEndian, 'u'},
}, npyDtypes...)

// npyLabelDtypes are the integer dtypes a labels .npy may have.
var npyLabelDtypes = []npyDtype{
	{"|u1", "uint8", 1, binary.LittleEndian, 'u'},
	{"|i1", "int8", 1, binary.LittleEndian, 'i'},
	{"<i2", "int16", 2, binary.LittleEndian, 'i'},
	{"<u2", "uint16", 2, binary.LittleEndian, 'u'},
	{"<i4", "int32", 4, binary.LittleEndian, 'i'},
	{"<u4", "uint32", 4, binary.LittleEndian, 'u'},
	{"<i8", "int64", 8, binary.LittleEndian, 'i'},
	{"<u8", "uint64", 8, binary.LittleEndian, 'u'},
	{">i4", "int32", 4, binary.BigEndian, 'i'},
	{">i8", "int64", 8, binary.BigEndian, 'i'},
}

// npyHeader is what a .npy header says about its array.
type npyHeader struct {
	descr   string
	fortran bool
	shape   []int64
	size    int64 // bytes before the data: preamble and header
}

// readNPYHeader reads the preamble and header from r, whose total length is
// fileSize bytes. Its errors do not name the file; the caller does.
func readNPYHeader(r io.Reader, fileSize int64) (*npyHeader, error) {
	var pre [8]byte
	n, err := io.ReadFull(r, pre[:])
	if n < len(npyMagic) || string(pre[:len(npyMagic)]) != npyMagic {
		return nil, errors.New(`not a .npy file (it does not start with "\x93NUMPY")`)
	}
	if err != nil {
		return nil, fmt.Errorf("not a .npy file: it ends after %d bytes, inside the 10-byte preamble", n)
	}
	major, minor := pre[6], pre[7]
	var lenBytes int
	switch {
	case major == 1 && minor == 0:
		lenBytes = 2
	case (major == 2 || major == 3) && minor == 0:
		lenBytes = 4
	default:
		return nil, fmt.Errorf(".npy version %d.%d is not supported (want 1.0, 2.0 or 3.0)", major, minor)
	}
	var lb [4]byte
	if n, err := io.ReadFull(r, lb[:lenBytes]); err != nil {
		return nil, fmt.Errorf("truncated .npy header: the file ends %d bytes into the %d-byte header length", n, lenBytes)
	}
	hlen := int64(binary.LittleEndian.Uint16(lb[:]))
	if lenBytes == 4 {
		hlen = int64(binary.LittleEndian.Uint32(lb[:]))
	}
	prefix := int64(8 + lenBytes)
	if hlen > fileSize-prefix {
		return nil, fmt.Errorf(".npy header length %d runs past the end of the file (%d bytes, %d after the preamble)", hlen, fileSize, fileSize-prefix)
	}
	if hlen > maxNPYHeader {
		return nil, fmt.Errorf(".npy header length %d is over the %d-byte limit", hlen, maxNPYHeader)
	}
	raw := make([]byte, hlen)
	if n, err := io.ReadFull(r, raw); err != nil {
		return nil, fmt.Errorf("truncated .npy header: read %d of %d bytes: %v", n, hlen, err)
	}
	h, err := parseNPYDict(string(raw))
	if err != nil {
		return nil, fmt.Errorf(".npy header %s", err)
	}
	h.size = prefix + hlen
	return h, nil
}

// parseNPYDict parses the header's dict literal: exactly the keys 'descr' (a
// string), 'fortran_order' (True or False) and 'shape' (a tuple of
// non-negative integers), in any order, with Python's optional trailing
// commas and whitespace.
func parseNPYDict(s string) (*npyHeader, error) {
	p := &dictScanner{s: s}
	h := &npyHeader{}
	seen := map[string]bool{}
	if !p.accept('{') {
		return nil, p.fail("is not a dict")
	}
	for !p.accept('}') {
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, p.fail(fmt.Sprintf("repeats the key %q", clip(key)))
		}
		seen[key] = true
		if !p.accept(':') {
			return nil, p.fail("lacks a ':' after a key")
		}
		switch key {
		case "descr":
			if p.peek() == '[' {
				return nil, p.fail("has a structured dtype, which is not supported")
			}
			h.descr, err = p.str()
		case "fortran_order":
			h.fortran, err = p.boolean()
		case "shape":
			h.shape, err = p.tuple()
		default:
			return nil, p.fail(fmt.Sprintf("has the unexpected key %q", clip(key)))
		}
		if err != nil {
			return nil, err
		}
		if !p.accept(',') && p.peek() != '}' {
			return nil, p.fail("lacks a ',' or '}' after a value")
		}
	}
	if p.skipSpace(); p.i != len(s) {
		return nil, p.fail("has bytes after the dict")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return nil, fmt.Errorf("lacks the key %q", k)
		}
	}
	return h, nil
}

// dictScanner reads the tokens of a header's dict literal.
type dictScanner struct {
	s string
	i int
}

func (p *dictScanner) fail(what string) error {
	return fmt.Errorf("%s (at byte %d)", what, p.i)
}

func (p *dictScanner) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (p *dictScanner) peek() byte {
	p.skipSpace()
	if p.i == len(p.s) {
		return 0
	}
	return p.s[p.i]
}

// accept consumes c if it is the next non-space byte.
func (p *dictScanner) accept(c byte) bool {
	if p.peek() != c || c == 0 {
		return false
	}
	p.i++
	return true
}

// str reads a quoted string without escapes, as numpy writes them.
func (p *dictScanner) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", p.fail("has a non-string where a string belongs")
	}
	start := p.i + 1
	for j := start; j < len(p.s); j++ {
		switch p.s[j] {
		case q:
			p.i = j + 1
			return p.s[start:j], nil
		case '\\', '\n':
			p.i = j
			return "", p.fail("has a string with an escape or a line break")
		}
	}
	return "", p.fail("has an unterminated string")
}

func (p *dictScanner) boolean() (bool, error) {
	p.skipSpace()
	for _, b := range []struct {
		word string
		v    bool
	}{{"True", true}, {"False", false}} {
		if len(p.s)-p.i >= len(b.word) && p.s[p.i:p.i+len(b.word)] == b.word {
			p.i += len(b.word)
			return b.v, nil
		}
	}
	return false, p.fail("has a 'fortran_order' that is neither True nor False")
}

// tuple reads a tuple of non-negative integers, such as (3, 2) or (3,).
func (p *dictScanner) tuple() ([]int64, error) {
	if !p.accept('(') {
		return nil, p.fail("has a 'shape' that is not a tuple")
	}
	var dims []int64
	for !p.accept(')') {
		p.skipSpace()
		start := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i == start {
			return nil, p.fail("has a 'shape' entry that is not a non-negative integer")
		}
		v, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
		if err != nil {
			return nil, p.fail(fmt.Sprintf("has a 'shape' entry %s that does not fit in 64 bits", clip(p.s[start:p.i])))
		}
		if p.i < len(p.s) && p.s[p.i] == 'L' { // Python 2 long, as old numpy wrote
			p.i++
		}
		dims = append(dims, v)
		if !p.accept(',') && p.peek() != ')' {
			return nil, p.fail("lacks a ',' or ')' in 'shape'")
		}
	}
	return dims, nil
}

// clip shortens a string from the header for an error message: the header
// may hold up to maxNPYHeader bytes of anything.
func clip(s string) string {
	const keep = 40
	if len(s) <= keep {
		return s
	}
	return s[:keep] + "..."
}
