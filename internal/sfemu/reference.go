package sfemu

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// refPattern finds composite references: @{refId.field}, @{refId.records[0].Id}.
var refPattern = regexp.MustCompile(`@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[[0-9]+\])*)\}`)

// refStep matches one accessor of a reference path.
var refStep = regexp.MustCompile(`\.([A-Za-z0-9_]+)|\[([0-9]+)\]`)

// references holds the decoded response bodies of earlier composite
// subrequests, by referenceId.
type references map[string]any

// lookup evaluates "refId" + ".records[0].Id" against the stored bodies.
func (refs references) lookup(refID, path string) (any, error) {
	v, ok := refs[refID]
	if !ok {
		return nil, fmt.Errorf("Invalid reference specified. No value for %s%s found in %s. Provided referenceId ('%s') must refer to an earlier subrequest.",
			refID, path, refID, refID)
	}
	for _, m := range refStep.FindAllStringSubmatch(path, -1) {
		switch cur := v.(type) {
		case map[string]any:
			if m[1] == "" {
				return nil, missingRef(refID, path)
			}
			if v, ok = lookupKey(cur, m[1]); !ok {
				return nil, missingRef(refID, path)
			}
		case []any:
			i, err := strconv.Atoi(m[2])
			if m[2] == "" || err != nil || i >= len(cur) {
				return nil, missingRef(refID, path)
			}
			v = cur[i]
		default:
			return nil, missingRef(refID, path)
		}
	}
	return v, nil
}

// lookupKey finds a key, case-insensitively as Salesforce field names are.
func lookupKey(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func missingRef(refID, path string) error {
	return fmt.Errorf("Invalid reference specified. No value for %s%s found in %s.", refID, path, refID)
}

// expandString replaces every reference in s with its value, as text.
func (refs references) expandString(s string) (string, error) {
	var firstErr error
	out := refPattern.ReplaceAllStringFunc(s, func(m string) string {
		sub := refPattern.FindStringSubmatch(m)
		v, err := refs.lookup(sub[1], sub[2])
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return m
		}
		return refText(v)
	})
	return out, firstErr
}

// refText renders a referenced value inside a string.
func refText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v) // values came from JSON, so they marshal
	return string(b)
}

// expandValue replaces references inside a decoded JSON body. A string that
// is exactly one reference takes the referenced value itself (a number
// stays a number); references inside longer strings are replaced as text.
func (refs references) expandValue(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if m := refPattern.FindStringSubmatch(x); m != nil && m[0] == x {
			return refs.lookup(m[1], m[2])
		}
		return refs.expandString(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			ev, err := refs.expandValue(val)
			if err != nil {
				return nil, err
			}
			out[k] = ev
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			ev, err := refs.expandValue(val)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	}
	return v, nil
}
