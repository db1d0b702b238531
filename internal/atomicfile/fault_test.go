package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWriteOnFullDisk: a write that runs out of space at any byte leaves
// the earlier file whole and no temporary, with an error naming the target.
func TestWriteOnFullDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	content := strings.Repeat("0123456789", 1000)
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "first"); return err }); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{0, 1, 4095, 4096, 9999} {
		restore := SimulateFullDisk(n)
		err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, content); return err })
		restore()
		if !errors.Is(err, syscall.ENOSPC) || err.Error() != "writing "+path+": no space left on device" {
			t.Errorf("full after %d bytes: error %v", n, err)
		}
		if b, _ := os.ReadFile(path); string(b) != "first" {
			t.Errorf("full after %d bytes: the file became %d bytes", n, len(b))
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("full after %d bytes: %d entries left", n, len(entries))
		}
	}
	restore := SimulateFullDisk(int64(len(content)))
	defer restore()
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, content); return err }); err != nil {
		t.Errorf("a write that just fits failed: %v", err)
	}
}

// TestAppenderWholeLines: a line that does not fit is cut back off, and a
// torn last line left by an earlier process is dropped on open.
func TestAppenderWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	if err := os.WriteFile(path, []byte("{\"a\":1}\n{\"a\":2}\n{\"a\":"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := OpenAppend(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.WriteLine([]byte("{\"a\":3}\n")); err != nil {
		t.Fatal(err)
	}
	restore := SimulateFullDisk(4)
	err = a.WriteLine([]byte("{\"a\":4}\n"))
	restore()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("a line on a full disk: %v", err)
	}
	if err := a.WriteLine([]byte("no newline")); err == nil {
		t.Errorf("a line without a newline was written")
	}
	if err := a.WriteLine([]byte("{\"a\":5}\n")); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	want := "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{\"a\":5}\n"
	if b, _ := os.ReadFile(path); string(b) != want {
		t.Errorf("file holds %q, want %q", b, want)
	}
}

// TestRemoveTemporaries: a write in progress loses its temporary and cannot
// finish, and later writes fail.
func TestRemoveTemporaries(t *testing.T) {
	defer func() {
		temporaries.Lock()
		temporaries.stopped = false
		temporaries.Unlock()
	}()
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	err := Write(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		RemoveTemporaries()
		return nil
	})
	if err == nil {
		t.Errorf("a write interrupted by RemoveTemporaries succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d entries left behind", len(entries))
	}
	if err := Write(path, func(w io.Writer) error { return nil }); err == nil {
		t.Errorf("a write after RemoveTemporaries succeeded")
	}
}
