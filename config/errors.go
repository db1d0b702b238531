package config

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Error is a configuration error: one line naming the file, the line (when
// known) and the key.
type Error struct {
	File string // the config file, or "--set" for an override
	Line int    // 1-based; 0 when unknown
	Key  string // dotted key, e.g. "sampling.snr"; may be empty for syntax errors
	Msg  string
}

func (e *Error) Error() string {
	return oneLine(e.text())
}

func (e *Error) text() string {
	loc := e.File
	if loc == "" {
		loc = "config"
	}
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, e.Line)
	}
	if e.Key == "" {
		return fmt.Sprintf("%s: %s", loc, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Msg)
}

// oneLine escapes control characters, such as a newline the TOML parser
// quotes from the source or one inside a --set override, so that the error
// stays one line.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r) // '\n'
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
