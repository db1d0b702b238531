package torchckpt

import (
	"fmt"

	"github.com/nlpodyssey/gopickle/types"
)

// item is one key-value pair of a decoded Python dict.
type item struct{ key, value any }

// dict is a decoded dict or OrderedDict, in its order.
type dict []item

// asDict flattens the decoder's two dict types.
func asDict(v any) (dict, bool) {
	var d dict
	switch x := v.(type) {
	case *types.Dict:
		if x == nil {
			return nil, false
		}
		for _, e := range *x {
			d = append(d, item{e.Key, e.Value})
		}
	case *types.OrderedDict:
		if x == nil || x.List == nil {
			return nil, false
		}
		for el := x.List.Front(); el != nil; el = el.Next() {
			e, ok := el.Value.(*types.OrderedDictEntry)
			if !ok {
				return nil, false
			}
			d = append(d, item{e.Key, e.Value})
		}
	default:
		return nil, false
	}
	return d, true
}

func (d dict) get(key string) (any, bool) {
	for _, it := range d {
		if k, ok := it.key.(string); ok && k == key {
			return it.value, true
		}
	}
	return nil, false
}

// keys lists the first string keys, for error messages.
func (d dict) keys() []string {
	var ks []string
	for _, it := range d {
		if k, ok := it.key.(string); ok {
			if len(ks) == 8 {
				return append(ks, "...")
			}
			ks = append(ks, fmt.Sprintf("%q", k))
		}
	}
	return ks
}

// pyType names a decoded value's type for error messages.
func pyType(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case *types.Dict, *types.OrderedDict:
		return "dict"
	case *types.List:
		return "list"
	case *types.Tuple:
		return "tuple"
	case string:
		return "str"
	case int:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	}
	return fmt.Sprintf("%T", v)
}
