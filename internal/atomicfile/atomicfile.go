// Package atomicfile writes files whole or not at all: through a temporary
// file in the target's directory, synced and renamed over the target, so a
// crash or an error leaves the earlier file (or none) in place, never a
// half-written one. Every output of sdevk (samples, plots, checkpoints,
// reports, the pipeline cache) is written this way; logs that grow
// (metrics.jsonl) are appended to a whole line at a time (Appender).
//
// The temporaries alive at any moment are known, so a process stopped by a
// signal removes them (RemoveTemporaries) before it exits. SimulateFullDisk
// makes every write fail after a number of bytes, for tests of the writers'
// error paths.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Write creates or replaces path with what write produces. Its errors name
// path.
func Write(path string, write func(w io.Writer) error) (err error) {
	tmp, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			dropTemp(tmp.Name())
			err = fmt.Errorf("writing %s: %w", path, withoutTempName(err, tmp.Name()))
		}
	}()
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	bw := bufio.NewWriter(limit(tmp))
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return renameTemp(tmp.Name(), path)
}

// withoutTempName drops the temporary's name from an error of the file
// system, which the message names by the target instead.
func withoutTempName(err error, tmp string) error {
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Path == tmp {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) && le.Old == tmp {
		return le.Err
	}
	return err
}

// temporaries are the temporary files being written, by name; stopped is
// set by RemoveTemporaries, after which no temporary is created or renamed.
var temporaries = struct {
	sync.Mutex
	names   map[string]bool
	stopped bool
}{names: map[string]bool{}}

var errStopped = errors.New("the process is stopping")

func createTemp(path string) (*os.File, error) {
	temporaries.Lock()
	defer temporaries.Unlock()
	if temporaries.stopped {
		return nil, errStopped
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err == nil {
		temporaries.names[tmp.Name()] = true
	}
	return tmp, err
}

func dropTemp(name string) {
	temporaries.Lock()
	defer temporaries.Unlock()
	os.Remove(name)
	delete(temporaries.names, name)
}

// renameTemp renames under the lock, so RemoveTemporaries sees either the
// temporary or the finished file, never a rename half done.
func renameTemp(name, path string) error {
	temporaries.Lock()
	defer temporaries.Unlock()
	if temporaries.stopped {
		os.Remove(name)
		return errStopped
	}
	delete(temporaries.names, name)
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}

// RemoveTemporaries deletes the temporary files of the writes in progress
// and makes later writes fail: a process that exits at once on a signal
// calls it first, so it leaves neither a partial output nor a temporary.
func RemoveTemporaries() {
	temporaries.Lock()
	defer temporaries.Unlock()
	temporaries.stopped = true
	for name := range temporaries.names {
		os.Remove(name)
		delete(temporaries.names, name)
	}
}
