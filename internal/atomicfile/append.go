package atomicfile

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// Appender adds whole lines to a log file (metrics.jsonl): each line goes
// out in one write, and a write that fails part way is cut back off, so the
// file only ever holds whole lines.
type Appender struct {
	f    *os.File
	size int64
}

// OpenAppend opens path for appending, creating it if needed. A torn last
// line (a process killed mid-write by an older version, or a power cut) is
// cut off, so the next line starts on a line of its own.
func OpenAppend(path string) (*Appender, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	size, err := wholeLines(f)
	if err == nil {
		err = f.Truncate(size)
	}
	if err == nil {
		_, err = f.Seek(size, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Appender{f: f, size: size}, nil
}

// wholeLines returns the length of f up to and including its last newline.
func wholeLines(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := st.Size()
	buf := make([]byte, 4096)
	for end := size; end > 0; {
		start := max(0, end-int64(len(buf)))
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// WriteLine appends line (which must end in a newline) in one write; on a
// failure it truncates the file back to its last whole line.
func (a *Appender) WriteLine(line []byte) error {
	if len(line) == 0 || line[len(line)-1] != '\n' {
		return fmt.Errorf("%s: a line must end in a newline", a.f.Name())
	}
	n, err := limit(a.f).Write(line)
	if err != nil {
		if terr := a.f.Truncate(a.size); terr == nil {
			a.f.Seek(a.size, io.SeekStart)
		}
		return fmt.Errorf("writing %s: %w", a.f.Name(), err)
	}
	a.size += int64(n)
	return nil
}

// Sync flushes the lines written so far to the disk.
func (a *Appender) Sync() error { return a.f.Sync() }

// Close syncs and closes the file.
func (a *Appender) Close() error {
	err := a.f.Sync()
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	return err
}
