package org

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
)

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// normalize checks value v for field f and returns the value to store:
// text within its length, a valid email, a known value for restricted
// picklists, numbers within precision and rounded to scale, dates at
// midnight, and references to records the principal may see. mu is held.
func (o *Org) normalize(as *Principal, f *schema.Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	bad := func() error {
		return schema.NewError("INVALID_TYPE_ON_FIELD_IN_RECORD", fmt.Sprintf("%s: value not of required type: %v", f.Label, v), f.Name)
	}
	switch f.Type {
	case schema.TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, bad()
		}
		return b, nil
	case schema.TypeInt, schema.TypeLong:
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case float64:
			if x != math.Trunc(x) {
				return nil, bad()
			}
			n = int64(x)
		default:
			return nil, bad()
		}
		if f.Digits > 0 && f.Digits < 19 && abs64(n) >= pow10i(f.Digits) {
			return nil, outOfRange(f, v)
		}
		return n, nil
	case schema.TypeDouble, schema.TypeCurrency, schema.TypePercent:
		var x float64
		switch y := v.(type) {
		case float64:
			x = y
		case int64:
			x = float64(y)
		default:
			return nil, bad()
		}
		if f.Precision > 0 {
			p := math.Pow(10, float64(f.Scale))
			x = math.Round(x*p) / p
			if math.Abs(x) >= math.Pow(10, float64(f.Precision-f.Scale)) {
				return nil, outOfRange(f, v)
			}
		}
		return x, nil
	case schema.TypeDate:
		t, ok := v.(time.Time)
		if !ok {
			return nil, bad()
		}
		t = t.UTC()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
	case schema.TypeDateTime:
		t, ok := v.(time.Time)
		if !ok {
			return nil, bad()
		}
		return t.UTC().Truncate(time.Millisecond), nil
	case schema.TypeReference:
		s, ok := v.(string)
		if !ok {
			return nil, bad()
		}
		return o.reference(as, f, s)
	}
	s, ok := v.(string)
	if !ok {
		return nil, bad()
	}
	switch f.Type {
	case schema.TypePicklist:
		if canon, ok := f.MatchPicklist(s); ok {
			s = canon
		} else if f.Restricted {
			return nil, badPicklist(f, s)
		}
	case schema.TypeMultiPicklist:
		var parts []string
		for _, p := range strings.Split(s, ";") {
			p = strings.TrimSpace(p)
			if p == "" || containsFold(parts, p) {
				continue
			}
			if canon, ok := f.MatchPicklist(p); ok {
				p = canon
			} else if f.Restricted {
				return nil, badPicklist(f, p)
			}
			parts = append(parts, p)
		}
		if len(parts) == 0 {
			return nil, nil
		}
		s = strings.Join(parts, ";")
	case schema.TypeEmail:
		if !emailRE.MatchString(s) {
			return nil, schema.NewError("INVALID_EMAIL_ADDRESS", fmt.Sprintf("%s: invalid email address: %s", f.Label, s), f.Name)
		}
	}
	if f.Type.IsText() && f.Length > 0 && utf8.RuneCountInString(s) > f.Length {
		return nil, schema.NewError("STRING_TOO_LONG", fmt.Sprintf("%s: data value too large: %s (max length=%d)", f.Label, s, f.Length), f.Name)
	}
	if len(f.Picklist) > 0 {
		return o.box(s), nil
	}
	return s, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func badPicklist(f *schema.Field, v string) error {
	return schema.NewError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", fmt.Sprintf("%s: bad value for restricted picklist field: %s", f.Label, v), f.Name)
}

func outOfRange(f *schema.Field, v any) error {
	return schema.NewError("NUMBER_OUTSIDE_VALID_RANGE", fmt.Sprintf("%s: value outside of valid range on numeric field: %s", f.Label,
		schema.FormatValue(schema.TypeDouble, v)), f.Name)
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func pow10i(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// reference resolves a reference value: a well-formed ID of a record of one
// of the field's target objects, live, and visible to the principal. It
// returns the parent's own boxed ID, so children share it. mu is held.
func (o *Org) reference(as *Principal, f *schema.Field, s string) (any, error) {
	id, err := sfid.To18(s)
	if err != nil {
		return nil, schema.NewError("MALFORMED_ID", fmt.Sprintf("%s: id value of incorrect type: %s", f.Label, s), f.Name)
	}
	reg := o.Registry()
	target := reg.ObjectForID(id)
	if target != nil && !f.References(target) {
		return nil, schema.NewError("FIELD_INTEGRITY_EXCEPTION", fmt.Sprintf("%s: id value of incorrect type: %s", f.Label, id), f.Name)
	}
	r := o.recs[recordNumber(id)]
	if target == nil || r == nil || r.ID() != id {
		return nil, schema.NewError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", f.Name)
	}
	if r.deleted != 0 {
		return nil, errDeleted(f.Name)
	}
	if !as.canSee(target, r) {
		return nil, schema.NewError("INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY", "insufficient access rights on cross-reference id")
	}
	return r.id, nil
}

// checkOwner rejects an inactive user as the new owner of a record. mu is
// held.
func (o *Org) checkOwner(f *schema.Field, v any) error {
	id, _ := v.(string)
	r := o.userRecord(id)
	if r == nil {
		return nil
	}
	if active, _ := o.valueOf(r, "IsActive").(bool); !active {
		return schema.NewError("INACTIVE_OWNER_OR_USER",
			fmt.Sprintf("operation performed with inactive user [%s] as owner of [%s]", id, strings.ToLower(f.Object.Name)))
	}
	return nil
}

// Check validates every live record again against the current schema:
// required fields, types, lengths, restricted picklists, references to live
// records of the right objects, and unique values. It returns the problems
// found, none for a consistent org. The seeds' tests run it.
func (o *Org) Check() []error {
	o.mu.Lock() // normalize interns picklist values
	defer o.mu.Unlock()
	sys := &Principal{org: o, system: true, profile: &Profile{}, loc: time.UTC}
	reg := o.Registry()
	var problems []error
	report := func(obj string, r *Record, err error) {
		problems = append(problems, fmt.Errorf("%s %s: %w", obj, r.ID(), err))
	}
	for _, name := range sortedKeys(o.tables) {
		t, obj := o.tables[name], reg.Object(name)
		seen := map[int]map[string]bool{}
		for _, n := range t.order {
			r := o.recs[n]
			if r == nil || r.deleted != 0 {
				continue
			}
			var missing []string
			for _, f := range obj.Fields {
				if t.isAudit(f) || f.Derived() {
					continue
				}
				v := r.Get(f)
				if v == nil {
					if !f.Nillable {
						missing = append(missing, f.Name)
					}
					continue
				}
				norm, err := o.normalize(sys, f, v)
				switch {
				case err != nil:
					report(name, r, err)
				case schema.Compare(norm, v) != 0:
					report(name, r, fmt.Errorf("%s holds %v, which normalizes to %v", f.Name, v, norm))
				}
			}
			if len(missing) > 0 {
				report(name, r, errRequired(missing))
			}
			for _, f := range t.uniq {
				v := r.Get(f)
				if v == nil {
					continue
				}
				if seen[f.Index] == nil {
					seen[f.Index] = map[string]bool{}
				}
				k := uniqueKey(f, v)
				if seen[f.Index][k] {
					report(name, r, fmt.Errorf("%s value %v is not unique", f.Name, v))
				}
				seen[f.Index][k] = true
			}
		}
	}
	return problems
}

// externalRef resolves a reference given by a parent's external ID
// ({"Account": {"Ext__c": "A-1"}}). mu is held.
func (o *Org) externalRef(as *Principal, ref schema.ExternalRef) (any, error) {
	matches := o.matchExternal(ref.Object, ref.Key, ref.Value, 2)
	text := schema.FormatValue(ref.Key.Type, ref.Value)
	switch len(matches) {
	case 0:
		return nil, schema.NewError("INVALID_FIELD", fmt.Sprintf("Foreign key external ID: %s not found for field %s in entity %s",
			text, ref.Key.Name, ref.Object.Name))
	case 1:
		return o.reference(as, ref.Field, matches[0].ID())
	default:
		return nil, schema.NewError("DUPLICATE_EXTERNAL_ID", fmt.Sprintf("Foreign key external ID: %s matched more than one record", text))
	}
}

// matchExternal returns up to limit live records of obj whose field f
// equals v: through the unique index when there is one, else by scanning.
// mu is held.
func (o *Org) matchExternal(obj *schema.Object, f *schema.Field, v any, limit int) []*Record {
	t := o.tables[obj.Name]
	if f.Type == schema.TypeID {
		s, _ := v.(string)
		if id, err := sfid.To18(s); err == nil {
			if r := o.recs[recordNumber(id)]; r != nil && r.ID() == id && r.deleted == 0 && r.sys == t.sys {
				return []*Record{r}
			}
		}
		return nil
	}
	if m, ok := t.unique[f.Index]; ok || f.Unique || f.ExternalID {
		if n, ok := m[uniqueKey(f, v)]; ok {
			return []*Record{o.recs[n]}
		}
		return nil
	}
	var out []*Record
	key := uniqueKey(f, v)
	for _, n := range t.order {
		r := o.recs[n]
		if r == nil || r.deleted != 0 {
			continue
		}
		if x := r.Get(f); x != nil && uniqueKey(f, x) == key {
			out = append(out, r)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}
