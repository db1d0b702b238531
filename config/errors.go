package config

import "fmt"

// Error is a configuration error: one line naming the file, the line (when
// known) and the key.
type Error struct {
	File string // the config file, or "--set" for an override
	Line int    // 1-based; 0 when unknown
	Key  string // dotted key, e.g. "sampling.snr"; may be empty for syntax errors
	Msg  string
}

func (e *Error) Error() string {
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
