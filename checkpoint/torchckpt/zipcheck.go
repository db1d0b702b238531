package torchckpt

import (
	"archive/zip"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path"
)

// checkZip verifies that path is a torch.save zip archive whose entries are
// all intact, before the decoder reads it: the decoder stops reading each
// entry at the length the pickle declares, so the zip library never gets to
// compare the CRC, and a corrupted tensor would otherwise load silently.
func checkZip(file string) error {
	r, err := zip.OpenReader(file)
	if err != nil {
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fmt.Errorf("not a torch.save zip archive (%v)", err)
		}
		return err
	}
	defer r.Close()
	var hasData bool
	for _, f := range r.File {
		switch path.Base(f.Name) {
		case "data.pkl":
			hasData = true
		case "constants.pkl":
			return errors.New("a TorchScript archive, not a torch.save checkpoint")
		}
		if f.Method != zip.Store {
			// torch.save stores every entry uncompressed; refusing the others
			// also bounds what checking them can cost.
			return fmt.Errorf("entry %s is compressed (method %d); torch.save writes stored entries", f.Name, f.Method)
		}
		if err := checkEntry(f); err != nil {
			return fmt.Errorf("entry %s: %v", f.Name, err)
		}
	}
	if !hasData {
		return errors.New("no data.pkl entry (not a torch.save archive)")
	}
	return nil
}

// checkEntry reads f to its end, so the zip library checks its length and CRC.
func checkEntry(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := crc32.NewIEEE()
	n, err := io.Copy(h, rc)
	if err != nil {
		if errors.Is(err, zip.ErrChecksum) {
			return errors.New("CRC mismatch (corrupted file)")
		}
		return fmt.Errorf("%v (truncated file?)", err)
	}
	if uint64(n) != f.UncompressedSize64 {
		return fmt.Errorf("%d bytes, the directory says %d (truncated file?)", n, f.UncompressedSize64)
	}
	// The zip library skips the comparison when the recorded CRC is 0.
	if h.Sum32() != f.CRC32 {
		return errors.New("CRC mismatch (corrupted file)")
	}
	return nil
}
