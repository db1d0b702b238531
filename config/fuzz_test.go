package config

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse: no TOML source or --set override panics; every error is an
// *Error whose message is one line naming the file (or --set); an accepted
// config passes Validate. The seed corpus is testdata/fuzz/FuzzParse: the
// shipped configs, the examples of the tests, and broken ones (syntax, types,
// unknown keys, bad ranges, malformed overrides).
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, src []byte, override string) {
		var sets []string
		if override != "" {
			sets = []string{override}
		}
		c, err := Parse("fuzz.toml", src, sets)
		if err != nil {
			var e *Error
			msg := err.Error()
			if !errors.As(err, &e) || strings.Contains(msg, "\n") ||
				!(strings.HasPrefix(msg, "fuzz.toml") || strings.HasPrefix(msg, "--set")) {
				t.Fatalf("error is not a one-line *Error naming the file: %q", msg)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("an accepted config fails Validate: %v", err)
		}
	})
}
