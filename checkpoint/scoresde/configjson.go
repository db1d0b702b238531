package scoresde

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// tomlSections are the score_sde config sections sdevk's TOML takes.
var tomlSections = map[string]bool{"data": true, "model": true, "training": true, "sampling": true, "optim": true}

// ConfigTOML converts score_sde's config, dumped as JSON, into sdevk TOML:
// the sections data, model, training, sampling and optim and the top-level
// seed, keys and values verbatim. Other sections (eval) are left out and
// listed in a comment at the top; null values are left out (TOML has none).
// name labels errors and the comment.
func ConfigTOML(name string, src []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var cfg map[string]any
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("%s: not score_sde's config as a JSON object: %v", name, err)
	}
	out := map[string]any{}
	var dropped []string
	for key, v := range cfg {
		switch sec, isSection := v.(map[string]any); {
		case isSection && tomlSections[key]:
			table, err := tomlTable(sec)
			if err != nil {
				return nil, fmt.Errorf("%s: %s.%v", name, key, err)
			}
			out[key] = table
		case key == "seed":
			val, err := tomlValue(v)
			if err != nil {
				return nil, fmt.Errorf("%s: seed: %v", name, err)
			}
			out[key] = val
		default:
			dropped = append(dropped, key)
		}
	}
	for sec := range tomlSections {
		if _, ok := out[sec]; !ok {
			return nil, fmt.Errorf("%s: no %q section (not score_sde's config?)", name, sec)
		}
	}
	sort.Strings(dropped)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# score_sde config converted from %s by sdevk import.\n", name)
	if len(dropped) > 0 {
		fmt.Fprintf(&buf, "# Left out (not sdevk config sections): %s.\n", strings.Join(dropped, ", "))
	}
	buf.WriteString("\n")
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return buf.Bytes(), nil
}

func tomlTable(sec map[string]any) (map[string]any, error) {
	table := map[string]any{}
	for k, v := range sec {
		if v == nil {
			continue
		}
		val, err := tomlValue(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", k, err)
		}
		table[k] = val
	}
	return table, nil
}

// tomlValue turns a decoded JSON value into one TOML encodes as written:
// integers stay integers, other numbers become floats.
func tomlValue(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		return x.Float64()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			val, err := tomlValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = val
		}
		return out, nil
	case string, bool:
		return x, nil
	}
	return nil, fmt.Errorf("value %v is not a number, string, bool or list", v)
}
