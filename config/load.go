package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

var sprintf = fmt.Sprintf

// Load reads the TOML file at path on top of the defaults, applies the
// `section.key=value` overrides in order, fills the SDE-dependent defaults and
// validates the result. Every error is an *Error.
func Load(path string, overrides []string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: errMsg(err)}
	}
	return Parse(path, src, overrides)
}

func errMsg(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse is Load from memory; name labels errors.
func Parse(name string, src []byte, overrides []string) (*Config, error) {
	c := base()
	c.File = name
	c.lines, c.comps = scanLines(string(src))
	c.origin = map[string]string{}
	set := map[string]bool{}

	md, err := toml.Decode(string(src), c)
	if err != nil {
		return nil, decodeErr(name, err, c)
	}
	if err := unknownKeys(md, func(k string) *Error {
		return &Error{File: name, Line: c.lineOf(k), Key: k, Msg: unknownWhat(md, k) + suggest(k)}
	}); err != nil {
		return nil, err
	}
	for _, k := range md.Keys() {
		set[k.String()] = true
	}
	for _, o := range overrides {
		key, err := c.applyOverride(o)
		if err != nil {
			return nil, err
		}
		set[key] = true
		c.origin[key] = "--set " + o
	}
	if err := c.applyScoreSDEKeys(set); err != nil {
		return nil, err
	}
	c.fillKindDefaults(set)
	c.fillImageDefaults(set)
	c.given = set
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

var lineKeyRe = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)
var keyOnlyRe = regexp.MustCompile(`^toml: \(last key "([^"]*)"\): (.*)$`)

// decodeErr turns a BurntSushi/toml error into an *Error with file, line and key.
func decodeErr(file string, err error, c *Config) *Error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &Error{File: file, Line: pe.Position.Line, Key: pe.LastKey, Msg: pe.Message}
	}
	msg := err.Error()
	if m := lineKeyRe.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: n, Key: m[2], Msg: m[3]}
	}
	if m := keyOnlyRe.FindStringSubmatch(msg); m != nil {
		return &Error{File: file, Line: c.lineOf(m[1]), Key: m[1], Msg: m[2]}
	}
	return &Error{File: file, Msg: strings.TrimPrefix(msg, "toml: ")}
}

func unknownWhat(md toml.MetaData, k string) string {
	if md.Type(strings.Split(k, ".")...) == "Hash" {
		return "unknown section"
	}
	return "unknown key"
}

func unknownKeys(md toml.MetaData, mk func(string) *Error) *Error {
	und := md.Undecoded()
	if len(und) == 0 {
		return nil
	}
	// report the first in file order
	var errs []*Error
	for _, k := range und {
		errs = append(errs, mk(k.String()))
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	return errs[0]
}

// applyOverride decodes one `section.key=value` onto c. A value that is not
// valid TOML is taken as a string, so --set sampling.predictor=ancestral_sampling
// needs no quotes.
func (c *Config) applyOverride(o string) (string, error) {
	eq := strings.Index(o, "=")
	if eq <= 0 {
		return "", &Error{File: "--set", Key: o, Msg: "want section.key=value"}
	}
	key := strings.TrimSpace(o[:eq])
	val := strings.TrimSpace(o[eq+1:])
	if !strings.Contains(key, ".") && key != "seed" {
		return "", &Error{File: "--set", Key: key, Msg: fmt.Sprintf("want section.key=value, got %q", o)}
	}
	if !validKey(key) {
		return "", &Error{File: "--set", Key: key, Msg: fmt.Sprintf("malformed key in %q", o)}
	}
	if val == "" {
		return "", &Error{File: "--set", Key: key, Msg: fmt.Sprintf("empty value in %q", o)}
	}
	doc := key + " = " + val
	var probe map[string]any
	if _, err := toml.Decode(doc, &probe); err != nil {
		doc = key + " = " + strconv.Quote(val)
	}
	md, err := toml.Decode(doc, c)
	if err != nil {
		e := decodeErr("--set", err, c)
		e.Line, e.Key = 0, key
		e.Msg += fmt.Sprintf(" (from --set %s)", o)
		return "", e
	}
	if e := unknownKeys(md, func(k string) *Error {
		return &Error{File: "--set", Key: k, Msg: unknownWhat(md, k) + suggest(k)}
	}); e != nil {
		return "", e
	}
	return key, nil
}

var keyRe = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)

func validKey(k string) bool { return keyRe.MatchString(k) }

// knownKeys lists every dotted key and section of Config, from its toml tags.
func knownKeys() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("toml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			k := prefix + tag
			ft := f.Type
			if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
				ft = ft.Elem()
			}
			out = append(out, k)
			if ft.Kind() == reflect.Struct {
				walk(ft, k+".")
			}
		}
	}
	walk(reflect.TypeOf(Config{}), "")
	return out
}

// suggest proposes the closest known key in the same section.
func suggest(k string) string {
	sec := ""
	if i := strings.LastIndex(k, "."); i >= 0 {
		sec = k[:i+1]
	}
	best, bd := "", 4
	for _, kk := range knownKeys() {
		if !strings.HasPrefix(kk, sec) || strings.Contains(kk[len(sec):], ".") {
			continue
		}
		d := editDistance(k, kk)
		if strings.HasPrefix(k, kk) || strings.HasPrefix(kk, k) {
			d = min(d, 2)
		}
		if d < bd {
			best, bd = kk, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
