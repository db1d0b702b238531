package config

import "strings"

// scanLines finds, in TOML source, the line of the first occurrence of each
// dotted key and the header line of each [[data.components]] entry. It is a
// line-oriented scan, good enough for error messages: keys inside inline
// tables and multi-line strings are not tracked.
func scanLines(src string) (lines map[string]int, comps []int) {
	lines = map[string]int{}
	table := ""
	for i, raw := range strings.Split(src, "\n") {
		n := i + 1
		l := strings.TrimSpace(raw)
		if l == "" || l[0] == '#' {
			continue
		}
		switch {
		case strings.HasPrefix(l, "[["):
			end := strings.Index(l, "]]")
			if end < 0 {
				continue
			}
			table = normKey(l[2:end])
			if table == "data.components" {
				comps = append(comps, n)
			}
			setLine(lines, table, n)
		case l[0] == '[':
			end := strings.Index(l, "]")
			if end < 0 {
				continue
			}
			table = normKey(l[1:end])
			setLine(lines, table, n)
		default:
			eq := strings.Index(l, "=")
			if eq <= 0 {
				continue
			}
			k := normKey(l[:eq])
			if k == "" {
				continue
			}
			if table != "" {
				k = table + "." + k
			}
			setLine(lines, k, n)
		}
	}
	return lines, comps
}

func setLine(m map[string]int, k string, n int) {
	if _, ok := m[k]; !ok {
		m[k] = n
	}
}

// normKey turns `a . "b" .c` into a.b.c.
func normKey(s string) string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// lineOf returns the line of key, or of its nearest enclosing table.
func (c *Config) lineOf(key string) int {
	for k := key; k != ""; {
		if n, ok := c.lines[k]; ok {
			return n
		}
		i := strings.LastIndex(k, ".")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

// errAt builds an *Error for key, located in the file or in the overrides.
func (c *Config) errAt(key, format string, args ...any) *Error {
	if o, ok := c.origin[key]; ok {
		return &Error{File: "--set", Key: key, Msg: sprintf(format, args...) + " (from " + o + ")"}
	}
	return &Error{File: c.File, Line: c.lineOf(key), Key: key, Msg: sprintf(format, args...)}
}

// compErr builds an *Error located at the k-th (0-based) [[data.components]].
func (c *Config) compErr(k int, key, format string, args ...any) *Error {
	e := c.errAt(key, format, args...)
	if k < len(c.comps) && e.File != "--set" {
		e.Line = c.comps[k]
	}
	return e
}
