package mapping

import (
	"encoding/json"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a Value.
type Kind uint8

const (
	KindNull     Kind = iota // no value
	KindText                 // any string: text, picklist value, e-mail, phone, URL, record ID
	KindNumber               // an exact decimal
	KindBool                 // true or false
	KindDate                 // a calendar day
	KindDateTime             // an instant, kept in UTC
	KindTime                 // a time of day
	KindList                 // several strings: the values of a multi-select picklist
	KindAddress              // a postal address (the parts of a compound address field)
	KindLocation             // a latitude and a longitude
)

var kindNames = [...]string{"null", "text", "number", "boolean", "date", "datetime", "time", "list", "address", "location"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Address is the value of a compound address field and of an address
// column. Latitude and Longitude are canonical decimals, "" when unknown.
type Address struct {
	Street          string `json:"street,omitempty"`
	City            string `json:"city,omitempty"`
	State           string `json:"state,omitempty"`
	PostalCode      string `json:"postalCode,omitempty"`
	Country         string `json:"country,omitempty"`
	StateCode       string `json:"stateCode,omitempty"`
	CountryCode     string `json:"countryCode,omitempty"`
	Latitude        string `json:"latitude,omitempty"`
	Longitude       string `json:"longitude,omitempty"`
	GeocodeAccuracy string `json:"geocodeAccuracy,omitempty"`
}

// Location is the value of a compound geolocation field: canonical decimals.
type Location struct {
	Latitude  string `json:"latitude"`
	Longitude string `json:"longitude"`
}

// Value is one typed value on its way between a Salesforce field and a
// sheet cell: what the mapping reads, transforms, converts and writes. The
// zero Value is null. Values are immutable; build them with the
// constructors (Text, Number, Date ...) and read them with the accessor of
// their kind.
//
// A sheet cell holds the Value of its column's kind (ColumnType.Kind); its
// JSON form (MarshalJSON) is what the sheet and the API store and show:
// text as a string, numbers as JSON numbers with every digit kept, booleans,
// dates as "2024-01-31", datetimes as "2024-01-31T09:30:00Z" (UTC), times as
// "09:30:00", lists as arrays of strings, addresses and locations as objects.
type Value struct {
	kind Kind
	s    string // text; canonical decimal of a number
	b    bool
	t    time.Time
	list []string
	addr *Address
	loc  *Location
}

// Null returns the null value.
func Null() Value { return Value{} }

// Text returns a text value. The empty string is a text value, not null.
func Text(s string) Value { return Value{kind: KindText, s: s} }

// Number returns the number written in s (a decimal, optionally with an
// exponent: "-12.50", "1e3").
func Number(s string) (Value, error) {
	d, err := parseDecimal(s)
	if err != nil {
		return Value{}, badValue(s, "expected a number like 1234.5")
	}
	return Value{kind: KindNumber, s: d}, nil
}

// Float returns the number f, written with as few digits as read it back.
func Float(f float64) Value {
	return Value{kind: KindNumber, s: trimFraction(strconv.FormatFloat(f, 'f', -1, 64))}
}

// Int returns the number i.
func Int(i int64) Value { return Value{kind: KindNumber, s: strconv.FormatInt(i, 10)} }

// Bool returns a boolean value.
func Bool(b bool) Value { return Value{kind: KindBool, b: b} }

// Date returns the calendar day of t in t's location.
func Date(t time.Time) Value {
	y, m, d := t.Date()
	return Value{kind: KindDate, t: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// DateTime returns the instant t, kept in UTC with millisecond precision
// (what Salesforce stores).
func DateTime(t time.Time) Value {
	return Value{kind: KindDateTime, t: t.UTC().Truncate(time.Millisecond)}
}

// TimeOfDay returns the time of day of t (its clock in t's location), to the
// millisecond.
func TimeOfDay(t time.Time) Value {
	h, m, s := t.Clock()
	ms := t.Nanosecond() / int(time.Millisecond) * int(time.Millisecond)
	return Value{kind: KindTime, t: time.Date(0, 1, 1, h, m, s, ms, time.UTC)}
}

// List returns a list value holding a copy of items.
func List(items ...string) Value { return Value{kind: KindList, list: slices.Clone(items)} }

// AddressOf returns an address value.
func AddressOf(a Address) Value { return Value{kind: KindAddress, addr: &a} }

// LocationOf returns a location value.
func LocationOf(l Location) Value { return Value{kind: KindLocation, loc: &l} }

// Kind returns the kind of v.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.kind == KindNull }

// IsEmpty reports whether v is null, blank text, an empty list or an
// address with no part: what "default" replaces and what a required field
// cannot take.
func (v Value) IsEmpty() bool {
	switch v.kind {
	case KindNull:
		return true
	case KindText:
		return strings.TrimSpace(v.s) == ""
	case KindList:
		return len(v.list) == 0
	case KindAddress:
		return *v.addr == Address{}
	}
	return false
}

// Str returns the text of a text value or the canonical decimal of a number.
func (v Value) Str() string { return v.s }

// Rat returns the exact value of a number (nil for other kinds).
func (v Value) Rat() *big.Rat {
	if v.kind != KindNumber {
		return nil
	}
	r, _ := new(big.Rat).SetString(v.s)
	return r
}

// Float64 returns a number as the nearest float64 (0 for other kinds).
func (v Value) Float64() float64 {
	f, _ := strconv.ParseFloat(v.s, 64)
	return f
}

// BoolValue returns a boolean value (false for other kinds).
func (v Value) BoolValue() bool { return v.b }

// Time returns the time of a date (midnight UTC), datetime (UTC) or time of
// day (on January 1st of year 0, UTC).
func (v Value) Time() time.Time { return v.t }

// Items returns a copy of the items of a list value.
func (v Value) Items() []string { return slices.Clone(v.list) }

// Address returns the parts of an address value.
func (v Value) Address() Address {
	if v.addr == nil {
		return Address{}
	}
	return *v.addr
}

// Location returns the coordinates of a location value.
func (v Value) Location() Location {
	if v.loc == nil {
		return Location{}
	}
	return *v.loc
}

const (
	layoutDate     = "2006-01-02"
	layoutDateTime = "2006-01-02T15:04:05.999Z07:00"
	layoutTime     = "15:04:05.999"
)

// String returns the canonical text of v: what a text column shows when the
// value lands there without a format. Null is "".
func (v Value) String() string {
	switch v.kind {
	case KindText, KindNumber:
		return v.s
	case KindBool:
		return strconv.FormatBool(v.b)
	case KindDate:
		return v.t.Format(layoutDate)
	case KindDateTime:
		return v.t.Format(layoutDateTime)
	case KindTime:
		return v.t.Format(layoutTime)
	case KindList:
		return strings.Join(v.list, ";")
	case KindAddress:
		return v.addr.oneLine()
	case KindLocation:
		return v.loc.Latitude + ", " + v.loc.Longitude
	}
	return ""
}

// oneLine writes an address on one line: "street, postal code city, state,
// country", leaving out the parts it does not have.
func (a *Address) oneLine() string {
	var parts []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	for _, line := range strings.Split(a.Street, "\n") {
		add(line)
	}
	add(strings.TrimSpace(a.PostalCode + " " + a.City))
	add(a.State)
	add(a.Country)
	return strings.Join(parts, ", ")
}

// Equal reports whether a and b are the same value: same kind and same
// content (numbers compare exactly: 1.50 equals 1.5).
func Equal(a, b Value) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case KindText, KindNumber:
		return a.s == b.s
	case KindBool:
		return a.b == b.b
	case KindDate, KindDateTime, KindTime:
		return a.t.Equal(b.t)
	case KindList:
		return slices.Equal(a.list, b.list)
	case KindAddress:
		return *a.addr == *b.addr
	case KindLocation:
		return *a.loc == *b.loc
	}
	return true
}

// Cell returns v in the Go form the sheet store takes and returns
// (docs/adr/0043-sheets.md): nil; string for text; float64 for numbers
// (the store keeps float64: digits beyond its precision are rounded);
// bool; []string for a multi-picklist; a map with Salesforce's keys
// (street, city, postalCode ...; latitude and longitude as float64) for an
// address. Dates, datetimes and times are strings in the store's forms
// 2006-01-02, 2006-01-02T15:04:05.000Z and 15:04:05.000; a location is
// "latitude, longitude".
func (v Value) Cell() any {
	switch v.kind {
	case KindNull:
		return nil
	case KindNumber:
		return v.Float64()
	case KindBool:
		return v.b
	case KindDateTime:
		return v.t.Format(sfDateTime)
	case KindTime:
		return v.t.Format("15:04:05.000")
	case KindList:
		return v.Items()
	case KindAddress:
		m := map[string]any{}
		a := v.addr
		for k, s := range map[string]string{
			"street": a.Street, "city": a.City, "state": a.State, "postalCode": a.PostalCode, "country": a.Country,
			"stateCode": a.StateCode, "countryCode": a.CountryCode, "geocodeAccuracy": a.GeocodeAccuracy,
		} {
			if s != "" {
				m[k] = s
			}
		}
		for k, s := range map[string]string{"latitude": a.Latitude, "longitude": a.Longitude} {
			if s != "" {
				m[k] = Value{kind: KindNumber, s: s}.Float64()
			}
		}
		return m
	}
	return v.String()
}

// MarshalJSON writes the canonical JSON form of v (see Value).
func (v Value) MarshalJSON() ([]byte, error) {
	switch v.kind {
	case KindNull:
		return []byte("null"), nil
	case KindNumber:
		return []byte(v.s), nil
	case KindBool:
		return json.Marshal(v.b)
	case KindList:
		if v.list == nil {
			return []byte("[]"), nil
		}
		return json.Marshal(v.list)
	case KindAddress:
		return json.Marshal(v.addr)
	case KindLocation:
		return json.Marshal(v.loc)
	}
	return json.Marshal(v.String())
}
