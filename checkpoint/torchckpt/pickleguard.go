package torchckpt

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Arguments of the pickle opcodes, as Python's pickletools describes them.
const (
	argNone   = iota
	argFixed  // n bytes
	argLen1   // a 1-byte length, then that many bytes
	argLen4   // a 4-byte little-endian length, then that many bytes
	argLen8   // an 8-byte little-endian length, then that many bytes
	argFrame  // an 8-byte length of the frame that follows
	argLine   // bytes up to a newline
	argLines2 // two newline-terminated lines
)

type pickleArg struct{ kind, n int }

// pickleOps lists every opcode of pickle protocols 0 to 5.
var pickleOps = func() map[byte]pickleArg {
	ops := map[byte]pickleArg{}
	for _, op := range []byte("(.012NRabd}el]ostu)Q\x81\x85\x86\x87\x88\x89\x8f\x90\x91\x92\x93\x94\x97\x98") {
		ops[op] = pickleArg{argNone, 0}
	}
	for op, n := range map[byte]int{'J': 4, 'K': 1, 'M': 2, 'h': 1, 'j': 4, 'q': 1, 'r': 4, 'G': 8, 0x80: 1, 0x82: 1, 0x83: 2, 0x84: 4} {
		ops[op] = pickleArg{argFixed, n}
	}
	for _, op := range []byte("UC\x8c\x8a") {
		ops[op] = pickleArg{argLen1, 0}
	}
	for _, op := range []byte("TXB\x8b") {
		ops[op] = pickleArg{argLen4, 0}
	}
	for _, op := range []byte("\x8d\x8e\x96") {
		ops[op] = pickleArg{argLen8, 0}
	}
	for _, op := range []byte("ILSVFPgp") {
		ops[op] = pickleArg{argLine, 0}
	}
	ops['c'], ops['i'], ops[0x95] = pickleArg{argLines2, 0}, pickleArg{argLines2, 0}, pickleArg{argFrame, 0}
	return ops
}()

// checkPickle walks the opcodes of a pickle, without running them, and
// fails on an unknown opcode or on a length that runs past the end: the
// unpickler allocates a declared length before reading it, so a hostile
// pickle could otherwise ask for gigabytes with a few bytes.
func checkPickle(p []byte) error {
	for i := 0; i < len(p); {
		op := p[i]
		arg, ok := pickleOps[op]
		if !ok {
			return fmt.Errorf("unknown pickle opcode 0x%02x at byte %d", op, i)
		}
		if op == '.' {
			return nil
		}
		i++
		rest := uint64(len(p) - i)
		var n uint64 // bytes of the argument
		switch arg.kind {
		case argFixed:
			n = uint64(arg.n)
		case argLen1, argLen4, argLen8, argFrame:
			width := map[int]uint64{argLen1: 1, argLen4: 4, argLen8: 8, argFrame: 8}[arg.kind]
			if rest < width {
				return fmt.Errorf("pickle ends inside the opcode at byte %d", i-1)
			}
			var buf [8]byte
			copy(buf[:], p[i:i+int(width)])
			length := binary.LittleEndian.Uint64(buf[:])
			if length > rest-width {
				return fmt.Errorf("pickle opcode at byte %d declares %d bytes, %d remain", i-1, length, rest-width)
			}
			n = width
			if arg.kind != argFrame { // a frame's bytes are opcodes, walked next
				n += length
			}
		case argLine, argLines2:
			for range arg.kind - argLine + 1 {
				nl := bytes.IndexByte(p[i+int(n):], '\n')
				if nl < 0 {
					return fmt.Errorf("pickle ends inside the opcode at byte %d", i-1)
				}
				n += uint64(nl + 1)
			}
		}
		if n > rest {
			return fmt.Errorf("pickle ends inside the opcode at byte %d", i-1)
		}
		i += int(n)
	}
	return fmt.Errorf("pickle has no STOP opcode (truncated)")
}
