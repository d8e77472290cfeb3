package mapping

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfid"
)

// Salesforce's wire formats (REST JSON; Bulk CSV carries the same text).
const (
	sfDateTime = "2006-01-02T15:04:05.000Z"
	sfTime     = "15:04:05.000Z"
)

// FromSalesforce reads a field's value as Salesforce returns it, decoded
// from JSON (string, float64 or json.Number, bool, nil, nested maps for
// compound fields) or from Bulk CSV (every value a string).
func FromSalesforce(f *salesforce.Field, raw any) (Value, error) {
	v, err := fromSalesforce(f, raw)
	if err != nil {
		return Value{}, locate(err, f.Name, "")
	}
	return v, nil
}

func fromSalesforce(f *salesforce.Field, raw any) (Value, error) {
	if raw == nil {
		return Null(), nil
	}
	kind, ok := FieldKind(f.Type)
	if !ok {
		return Value{}, badValue(raw, "sfbridge does not sync %s fields", f.Type)
	}
	switch kind {
	case KindText:
		return Text(scalarText(raw)), nil
	case KindNumber:
		return numberFrom(raw)
	case KindBool:
		switch b := raw.(type) {
		case bool:
			return Bool(b), nil
		case string:
			return parseBool(b)
		}
		return Value{}, badValue(raw, "expected true or false")
	case KindList:
		switch l := raw.(type) {
		case string:
			return splitList(l), nil
		case []any:
			items := make([]string, 0, len(l))
			for _, it := range l {
				items = append(items, scalarText(it))
			}
			return List(items...), nil
		}
		return Value{}, badValue(raw, `expected values separated by ";"`)
	case KindDate, KindDateTime, KindTime:
		s, ok := raw.(string)
		if !ok {
			return Value{}, badValue(raw, "expected a %s as text", kind)
		}
		if strings.TrimSpace(s) == "" {
			return Null(), nil
		}
		return parseISO(s, kind)
	case KindAddress:
		m, ok := raw.(map[string]any)
		if !ok {
			return Value{}, badValue(raw, "expected an address object")
		}
		return addressFrom(m)
	case KindLocation:
		m, ok := raw.(map[string]any)
		if !ok {
			return Value{}, badValue(raw, "expected a location object")
		}
		lat, err1 := decimalFrom(m["latitude"])
		lon, err2 := decimalFrom(m["longitude"])
		if err1 != nil || err2 != nil {
			return Value{}, badValue(raw, "expected numeric latitude and longitude")
		}
		if lat == "" && lon == "" {
			return Null(), nil
		}
		return LocationOf(Location{Latitude: lat, Longitude: lon}), nil
	}
	return Value{}, badValue(raw, "unexpected %s value", kind)
}

// scalarText writes a JSON scalar as text; Salesforce sends text fields as
// strings, but a value typed by hand may arrive as a number or a boolean.
func scalarText(raw any) string {
	switch x := raw.(type) {
	case string:
		return x
	case float64:
		return Float(x).s
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(raw)
}

// numberFrom reads a number given as any of the Go types JSON decoding,
// CSV reading or a database driver produce.
func numberFrom(raw any) (Value, error) {
	switch x := raw.(type) {
	case float64:
		return Float(x), nil
	case float32:
		return Float(float64(x)), nil
	case int:
		return Int(int64(x)), nil
	case int64:
		return Int(x), nil
	case json.Number:
		return Number(x.String())
	case string:
		if strings.TrimSpace(x) == "" {
			return Null(), nil
		}
		return Number(strings.TrimSpace(x))
	}
	return Value{}, badValue(raw, "expected a number")
}

func decimalFrom(raw any) (string, error) {
	if raw == nil {
		return "", nil
	}
	v, err := numberFrom(raw)
	if err != nil {
		return "", err
	}
	return v.s, nil
}

// parseISO reads a date ("2024-01-31"), a datetime (Salesforce's
// "2024-01-31T09:30:00.000+0000", or RFC 3339) or a time ("09:30:00.000Z").
func parseISO(s string, kind Kind) (Value, error) {
	s = strings.TrimSpace(s)
	switch kind {
	case KindDate:
		if t, err := time.Parse(layoutDate, s); err == nil {
			return Date(t), nil
		}
		return Value{}, badValue(s, "expected a date like 2024-01-31")
	case KindDateTime:
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700"} {
			if t, err := time.Parse(layout, s); err == nil {
				return DateTime(t), nil
			}
		}
		return Value{}, badValue(s, "expected a datetime like 2024-01-31T09:30:00Z")
	default:
		for _, layout := range []string{"15:04:05Z07:00", "15:04:05", "15:04"} {
			if t, err := time.Parse(layout, s); err == nil {
				return TimeOfDay(t), nil
			}
		}
		return Value{}, badValue(s, "expected a time like 09:30:00")
	}
}

func addressFrom(m map[string]any) (Value, error) {
	str := func(k string) string {
		if s, ok := m[k].(string); ok {
			return s
		}
		return ""
	}
	a := Address{
		Street: str("street"), City: str("city"), State: str("state"), PostalCode: str("postalCode"),
		Country: str("country"), StateCode: str("stateCode"), CountryCode: str("countryCode"),
		GeocodeAccuracy: str("geocodeAccuracy"),
	}
	var err error
	if a.Latitude, err = decimalFrom(m["latitude"]); err != nil {
		return Value{}, err
	}
	if a.Longitude, err = decimalFrom(m["longitude"]); err != nil {
		return Value{}, err
	}
	if a == (Address{}) {
		return Null(), nil
	}
	return AddressOf(a), nil
}

// ToSalesforce returns the JSON value to send for field f, after checking
// what Salesforce would refuse anyway, with a clearer message: text longer
// than the field, a value a restricted picklist does not have, a malformed
// e-mail or record ID, a number too large for the field, an empty value for
// a field that needs one. v is first converted to the field's kind (text
// into a number, a datetime into a date ...). Compound fields (address,
// location) are written through their parts: see Field.Outbound.
func ToSalesforce(f *salesforce.Field, v Value) (any, error) {
	out, err := toSalesforce(f, v)
	if err != nil {
		return nil, locate(err, f.Name, "")
	}
	return out, nil
}

func toSalesforce(f *salesforce.Field, v Value) (any, error) {
	kind, ok := FieldKind(f.Type)
	if !ok || kind == KindAddress || kind == KindLocation {
		return nil, badValue(v.String(), "%s fields are written through their parts", f.Type)
	}
	v, err := convert(v, kind, time.UTC)
	if err != nil {
		return nil, err
	}
	if v.IsEmpty() && kind != KindBool && kind != KindList {
		v = Null()
	}
	if v.IsNull() {
		switch {
		case kind == KindBool:
			return false, nil // Salesforce booleans are never null
		case !f.Nillable:
			return nil, badValue("", "%s needs a value (the field cannot be empty in Salesforce)", f.Name)
		}
		return nil, nil
	}
	switch kind {
	case KindText:
		return textOut(f, v.s)
	case KindNumber:
		return numberOut(f, v)
	case KindBool:
		return v.b, nil
	case KindDate:
		return v.t.Format(layoutDate), nil
	case KindDateTime:
		return v.t.Format(sfDateTime), nil
	case KindTime:
		return v.t.Format(sfTime), nil
	case KindList:
		items := make([]string, 0, len(v.list))
		for _, it := range v.list {
			canon, err := picklistOut(f, it)
			if err != nil {
				return nil, err
			}
			items = append(items, canon)
		}
		if len(items) == 0 {
			return nil, nil
		}
		return strings.Join(items, ";"), nil
	}
	return nil, badValue(v.String(), "unexpected %s value", kind)
}

func textOut(f *salesforce.Field, s string) (any, error) {
	switch f.Type {
	case "id", "reference":
		id, err := sfid.To18(strings.TrimSpace(s))
		if err != nil {
			return nil, badValue(s, "expected a Salesforce record ID (15 or 18 letters and digits)")
		}
		return id, nil
	case "email":
		s = strings.TrimSpace(s)
		if a, err := mail.ParseAddress(s); err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
			return nil, badValue(s, "expected an e-mail address like name@example.com")
		}
	case "picklist":
		return picklistOut(f, s)
	}
	if f.Length > 0 {
		if n := utf8.RuneCountInString(s); n > f.Length {
			return nil, badValue(s, "%d characters, more than the %d the field holds (add a \"truncate\" step to cut it)", n, f.Length)
		}
	}
	return s, nil
}

// picklistOut returns the picklist's own spelling of s (matched
// case-insensitively), and refuses a value a restricted picklist does not
// have. Unrestricted picklists take any value, as Salesforce does.
func picklistOut(f *salesforce.Field, s string) (string, error) {
	s = strings.TrimSpace(s)
	var inactive bool
	for _, p := range f.PicklistValues {
		if strings.EqualFold(p.Value, s) {
			if p.Active {
				return p.Value, nil
			}
			inactive = true
		}
	}
	if !f.RestrictedPicklist {
		return s, nil
	}
	if inactive {
		return "", badValue(s, "the value is inactive in this restricted picklist")
	}
	return "", badValue(s, "not a value of this restricted picklist (%s)", activeValues(f, 8))
}

// activeValues lists up to n active picklist values, for messages.
func activeValues(f *salesforce.Field, n int) string {
	var vals []string
	for _, p := range f.PicklistValues {
		if p.Active {
			vals = append(vals, strconv.Quote(p.Value))
		}
	}
	if len(vals) > n {
		vals = append(vals[:n], "…")
	}
	return strings.Join(vals, ", ")
}

func numberOut(f *salesforce.Field, v Value) (any, error) {
	r := v.Rat()
	intDigits := 0
	switch f.Type {
	case "int", "long":
		if !r.IsInt() {
			return nil, badValue(v.s, "expected a whole number")
		}
		intDigits = f.Digits
	default:
		if f.Precision > 0 {
			intDigits = f.Precision - f.Scale
		}
	}
	if intDigits > 0 {
		whole := new(big.Int).Quo(r.Num(), r.Denom())
		if n := len(whole.Abs(whole).String()); n > intDigits {
			return nil, badValue(v.s, "too large: the field holds %d digits before the decimal point", intDigits)
		}
	}
	return json.Number(v.s), nil
}

// CellValue reads a cell of column type col as the sheet store or the API
// hands it over: a Value, a JSON-decoded value (string, float64 or
// json.Number, bool, []any, map[string]any), or a typed Go value (int64 0/1
// for a checkbox, time.Time for dates, []string for a multi-picklist). It is
// strict about the kind: a number column never silently takes a word.
func CellValue(col ColumnType, raw any) (Value, error) {
	if v, ok := raw.(Value); ok {
		return convert(v, col.Kind(), time.UTC)
	}
	if raw == nil {
		return Null(), nil
	}
	switch col.Kind() {
	case KindText:
		if s, ok := raw.(string); ok {
			return Text(s), nil
		}
	case KindNumber:
		return numberFrom(raw)
	case KindBool:
		switch x := raw.(type) {
		case bool:
			return Bool(x), nil
		case int64:
			return Bool(x != 0), nil
		case int:
			return Bool(x != 0), nil
		case float64:
			return Bool(x != 0), nil
		case string:
			return parseBool(x)
		}
	case KindDate, KindDateTime, KindTime:
		switch x := raw.(type) {
		case time.Time:
			switch col.Kind() {
			case KindDate:
				return Date(x), nil
			case KindDateTime:
				return DateTime(x), nil
			}
			return TimeOfDay(x), nil
		case string:
			if strings.TrimSpace(x) == "" {
				return Null(), nil
			}
			return parseISO(x, col.Kind())
		}
	case KindList:
		switch x := raw.(type) {
		case []string:
			return List(x...), nil
		case []any:
			items := make([]string, 0, len(x))
			for _, it := range x {
				s, ok := it.(string)
				if !ok {
					return Value{}, badValue(raw, "expected a list of strings")
				}
				items = append(items, s)
			}
			return List(items...), nil
		case string:
			return splitList(x), nil
		}
	case KindAddress:
		switch x := raw.(type) {
		case Address:
			return AddressOf(x), nil
		case map[string]any:
			return addressFrom(x)
		}
	}
	return Value{}, badValue(raw, "a %s column cannot hold a %T", col, raw)
}
