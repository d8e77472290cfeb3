package salesforce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
)

// Record is one sObject record as Salesforce sends it: its attributes
// (type, url) and its fields in the order they arrived. A field's value is
// one of:
//
//   - nil (JSON null)
//   - string, bool, json.Number (numbers keep their exact text)
//   - *Record: a parent relationship (Account, Who, What…) or a compound
//     field (BillingAddress, which has no Type)
//   - *ChildRecords: a child relationship subquery (Contacts…)
//   - []any: any other JSON array
//
// Records are also the input of writes: NewRecord(type).Set(name, value).
// A Record is not safe for concurrent mutation.
type Record struct {
	Type   string // attributes.type; "" for compound fields and inputs without a type
	URL    string // attributes.url; "" when absent
	fields []recordField
}

type recordField struct {
	name  string
	value any
}

// ChildRecords is the value of a child relationship subquery: one page of
// children, with Done false and NextRecordsURL set when there are more (see
// Client.Children).
type ChildRecords struct {
	TotalSize      int
	Done           bool
	NextRecordsURL string
	Records        []*Record
}

// NewRecord returns an empty record of the given sObject type.
func NewRecord(sobjectType string) *Record { return &Record{Type: sobjectType} }

// Len returns the number of fields.
func (r *Record) Len() int { return len(r.fields) }

// Names returns the field names in order.
func (r *Record) Names() []string {
	names := make([]string, len(r.fields))
	for i, f := range r.fields {
		names[i] = f.name
	}
	return names
}

// Fields iterates over the fields in order.
func (r *Record) Fields() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		for _, f := range r.fields {
			if !yield(f.name, f.value) {
				return
			}
		}
	}
}

// Set sets a field, replacing it in place if present (names compare
// case-insensitively, as Salesforce's do) or appending it. It returns r.
func (r *Record) Set(name string, value any) *Record {
	if i := r.index(name); i >= 0 {
		r.fields[i].value = value
	} else {
		r.fields = append(r.fields, recordField{name, value})
	}
	return r
}

// index finds a field: exact name first, then case-insensitively.
func (r *Record) index(name string) int {
	for i, f := range r.fields {
		if f.name == name {
			return i
		}
	}
	for i, f := range r.fields {
		if strings.EqualFold(f.name, name) {
			return i
		}
	}
	return -1
}

// Get returns a field's value. path is a field name or a dotted relationship
// path ("Account.Owner.Name"). ok is false when a step is missing or a parent
// along the path is null or not a record.
func (r *Record) Get(path string) (value any, ok bool) {
	cur := r
	for {
		head, rest, more := strings.Cut(path, ".")
		i := cur.index(head)
		if i < 0 {
			return nil, false
		}
		v := cur.fields[i].value
		if !more {
			return v, true
		}
		next, isRec := v.(*Record)
		if !isRec {
			return nil, false
		}
		cur, path = next, rest
	}
}

// IsNull reports whether the field at path is present and null.
func (r *Record) IsNull(path string) bool {
	v, ok := r.Get(path)
	return ok && v == nil
}

// ID returns the Id field, or else the last segment of attributes.url.
func (r *Record) ID() string {
	if s, ok := r.String("Id"); ok {
		return s
	}
	if i := strings.LastIndexByte(r.URL, '/'); i >= 0 {
		return r.URL[i+1:]
	}
	return ""
}

// String returns a text field (string, id, picklist, date as text…). ok is
// false when the field is missing, null or not a string.
func (r *Record) String(path string) (string, bool) {
	v, _ := r.Get(path)
	s, ok := v.(string)
	return s, ok
}

// Bool returns a checkbox field.
func (r *Record) Bool(path string) (bool, bool) {
	v, _ := r.Get(path)
	b, ok := v.(bool)
	return b, ok
}

// Int64 returns a numeric field that holds an integer.
func (r *Record) Int64(path string) (int64, bool) {
	v, _ := r.Get(path)
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// Float64 returns a numeric field (double, currency, percent…).
func (r *Record) Float64(path string) (float64, bool) {
	v, _ := r.Get(path)
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// Time returns a date, datetime or time field parsed with ParseTime.
func (r *Record) Time(path string) (time.Time, bool) {
	s, ok := r.String(path)
	if !ok {
		return time.Time{}, false
	}
	t, err := ParseTime(s)
	return t, err == nil
}

// Record returns a parent relationship or compound field.
func (r *Record) Record(path string) (*Record, bool) {
	v, _ := r.Get(path)
	rec, ok := v.(*Record)
	return rec, ok
}

// Children returns a child relationship subquery's first page. ok is false
// when missing or null (Salesforce sends null when there are no children).
func (r *Record) Children(path string) (*ChildRecords, bool) {
	v, _ := r.Get(path)
	ch, ok := v.(*ChildRecords)
	return ch, ok
}

// Salesforce's time layouts: datetimes as 2011-07-07T00:37:00.000+0000,
// dates, times of day, and RFC 3339 as accepted on input.
var timeLayouts = []string{
	"2006-01-02T15:04:05.000-0700",
	time.RFC3339Nano,
	"2006-01-02",
	"15:04:05.000Z",
}

// ParseTime parses a Salesforce datetime ("2011-07-07T00:37:00.000+0000"),
// date ("2010-01-01", as midnight UTC), time ("13:45:00.000Z") or RFC 3339
// value.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a Salesforce date, datetime or time", s)
}

// FormatTime formats t as Salesforce writes datetimes, in UTC.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000-0700")
}

// UnmarshalJSON decodes a JSON object keeping field order.
func (r *Record) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("decoding record: %w", err)
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("decoding record: got %v, want an object", tok)
	}
	if err := r.decodeFields(dec); err != nil {
		return fmt.Errorf("decoding record: %w", err)
	}
	return nil
}

// decodeFields reads the members of an object whose '{' was consumed, and the
// closing '}'.
func (r *Record) decodeFields(dec *json.Decoder) error {
	*r = Record{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		if name == "attributes" {
			var attrs struct{ Type, URL string }
			if err := dec.Decode(&attrs); err != nil {
				return fmt.Errorf("attributes: %w", err)
			}
			r.Type, r.URL = attrs.Type, attrs.URL
			continue
		}
		v, err := decodeValue(dec)
		if err != nil {
			return fmt.Errorf("field %s: %w", name, err)
		}
		r.fields = append(r.fields, recordField{name, v})
	}
	_, err := dec.Token() // '}'
	return err
}

// decodeValue reads any JSON value, objects as *Record or *ChildRecords.
func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		rec := new(Record)
		if err := rec.decodeFields(dec); err != nil {
			return nil, err
		}
		if ch, ok := rec.asChildRecords(); ok {
			return ch, nil
		}
		return rec, nil
	case json.Delim('['):
		list := []any{}
		for dec.More() {
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		_, err := dec.Token() // ']'
		return list, err
	}
	return tok, nil // string, json.Number, bool or nil
}

// asChildRecords recognises a subquery result: an object without attributes
// whose members are totalSize, done, records and perhaps nextRecordsUrl.
func (r *Record) asChildRecords() (*ChildRecords, bool) {
	if r.Type != "" || r.URL != "" || len(r.fields) < 3 || len(r.fields) > 4 {
		return nil, false
	}
	ch := new(ChildRecords)
	seen := 0
	for _, f := range r.fields {
		switch f.name {
		case "totalSize":
			n, ok := f.value.(json.Number)
			i, err := n.Int64()
			if !ok || err != nil {
				return nil, false
			}
			ch.TotalSize = int(i)
		case "done":
			b, ok := f.value.(bool)
			if !ok {
				return nil, false
			}
			ch.Done = b
		case "nextRecordsUrl":
			s, _ := f.value.(string)
			ch.NextRecordsURL = s
			continue
		case "records":
			list, ok := f.value.([]any)
			if !ok {
				return nil, false
			}
			ch.Records = make([]*Record, 0, len(list))
			for _, v := range list {
				rec, ok := v.(*Record)
				if !ok {
					return nil, false
				}
				ch.Records = append(ch.Records, rec)
			}
		default:
			return nil, false
		}
		seen++
	}
	return ch, seen == 3
}

// MarshalJSON encodes the record with its attributes first (type, and url
// when set) and its fields in order.
func (r *Record) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := r.encode(&buf, true); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encode writes the record; withAttributes false leaves attributes out, as
// single-record create and update bodies want.
func (r *Record) encode(w *bytes.Buffer, withAttributes bool) error {
	w.WriteByte('{')
	first := true
	sep := func() {
		if !first {
			w.WriteByte(',')
		}
		first = false
	}
	if withAttributes && (r.Type != "" || r.URL != "") {
		sep()
		attrs := struct {
			Type string `json:"type,omitempty"`
			URL  string `json:"url,omitempty"`
		}{r.Type, r.URL}
		if err := writeMember(w, "attributes", attrs); err != nil {
			return err
		}
	}
	for _, f := range r.fields {
		sep()
		if err := writeMember(w, f.name, f.value); err != nil {
			return err
		}
	}
	w.WriteByte('}')
	return nil
}

func writeMember(w *bytes.Buffer, name string, v any) error {
	k, err := json.Marshal(name)
	if err != nil {
		return err
	}
	w.Write(k)
	w.WriteByte(':')
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding field %s: %w", name, err)
	}
	w.Write(b)
	return nil
}

// fieldsBody is a record's JSON without attributes, for single-record bodies.
type fieldsBody struct{ r *Record }

func (f fieldsBody) MarshalJSON() ([]byte, error) {
	if f.r == nil {
		return []byte("{}"), nil
	}
	var buf bytes.Buffer
	if err := f.r.encode(&buf, false); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MarshalJSON encodes the subquery result as Salesforce does.
func (c *ChildRecords) MarshalJSON() ([]byte, error) {
	type wire struct {
		TotalSize      int       `json:"totalSize"`
		Done           bool      `json:"done"`
		NextRecordsURL string    `json:"nextRecordsUrl,omitempty"`
		Records        []*Record `json:"records"`
	}
	return json.Marshal(wire{c.TotalSize, c.Done, c.NextRecordsURL, c.Records})
}

// errNotObject is returned when a record slot holds something else.
var errNotObject = errors.New("not a JSON object")

// decodeRecordOrNull reads a record or null (collection retrieve answers
// null for an ID it cannot return).
func decodeRecordOrNull(dec *json.Decoder) (*Record, error) {
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case nil:
		return nil, nil
	case *Record:
		return v, nil
	}
	return nil, errNotObject
}
