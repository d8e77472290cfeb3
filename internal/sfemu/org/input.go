package org

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// Values are field values by field name, for Go callers (seeds, tests, the
// CLI). Values may be canonical (string, bool, int64, float64, time.Time)
// or convenient: int for numbers, and text for any type, parsed as a CSV
// cell would be.
type Values map[string]any

// Input converts values for the named object into a schema.Input, with
// Salesforce's INVALID_FIELD error for an unknown field. Fields are taken in
// name order, so errors are deterministic.
func (o *Org) Input(object string, v Values) (*schema.Input, error) {
	obj := o.Registry().Object(object)
	if obj == nil {
		return nil, errNotFound()
	}
	return input(obj, v)
}

func input(obj *schema.Object, v Values) (*schema.Input, error) {
	names := make([]string, 0, len(v))
	for n := range v {
		names = append(names, n)
	}
	slices.Sort(names)
	in := &schema.Input{}
	for _, n := range names {
		f := obj.Field(n)
		if f == nil {
			return nil, errNoColumn(n, obj.Name)
		}
		val, err := canonical(f, v[n])
		if err != nil {
			return nil, err
		}
		in.Values = append(in.Values, schema.FieldValue{Field: f, Value: val})
	}
	return in, nil
}

// canonical converts a convenient Go value to field f's canonical value.
func canonical(f *schema.Field, v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, time.Time:
		return x, nil
	case int:
		if f.Type == schema.TypeInt || f.Type == schema.TypeLong {
			return int64(x), nil
		}
		return float64(x), nil
	case int64:
		if f.Type.IsNumber() {
			return float64(x), nil
		}
		return x, nil
	case float64:
		return x, nil
	case string:
		if f.Type.IsText() || f.Type == schema.TypeReference || f.Type == schema.TypeID || f.Type == schema.TypeBase64 {
			if x == "" {
				return nil, nil
			}
			return x, nil
		}
		val, err := schema.ParseText(f.Type, x)
		if err != nil {
			return nil, schema.NewError("JSON_PARSER_ERROR", fmt.Sprintf("%s: %v", f.Name, err), f.Name)
		}
		return val, nil
	default:
		return nil, schema.NewError("INVALID_TYPE_ON_FIELD_IN_RECORD", fmt.Sprintf("%s: value not of required type: %v", f.Label, v), f.Name)
	}
}

// insertValues creates a record from Values; mu is held.
func (o *Org) insertValues(as *Principal, object string, v Values) (string, error) {
	in, err := o.Input(object, v)
	if err != nil {
		return "", err
	}
	return o.create(as, object, in)
}

// CreateValues creates a record from Values.
func (o *Org) CreateValues(ctx context.Context, as *Principal, object string, v Values) (string, error) {
	in, err := o.Input(object, v)
	if err != nil {
		return "", err
	}
	return o.Create(ctx, as, object, in)
}

// UpdateValues changes a record from Values.
func (o *Org) UpdateValues(ctx context.Context, as *Principal, id string, v Values) error {
	obj := o.Registry().ObjectForID(id)
	if obj == nil {
		return errNotFound()
	}
	in, err := input(obj, v)
	if err != nil {
		return err
	}
	return o.Update(ctx, as, "", id, in)
}
