package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Input is a record body sent by a client (POST/PATCH /sobjects/X, an
// sObject Collections entry), decoded against an object's fields. Nothing is
// validated beyond the JSON types; the record store applies Salesforce's
// rules.
type Input struct {
	// Type is attributes.type when the body has one.
	Type string
	// Values are the field values in the order the body gave them.
	Values []FieldValue
	// Refs set reference fields through a parent's external ID:
	// {"Account": {"Ext__c": "A-1"}}.
	Refs []ExternalRef
}

// FieldValue is one field of an Input.
type FieldValue struct {
	Field *Field
	Value any // canonical value
}

// ExternalRef sets reference field Field to the record of Object whose
// external ID field Key has value Value.
type ExternalRef struct {
	Field  *Field
	Object *Object
	Key    *Field
	Value  any
}

// DecodeJSON decodes a record body. Errors are *Error with Salesforce's
// codes: JSON_PARSER_ERROR (with line and column) for malformed JSON or a
// value of the wrong JSON type, INVALID_FIELD for an unknown field.
func (o *Object) DecodeJSON(body []byte) (*Input, error) {
	d := &bodyDecoder{obj: o, body: body, dec: json.NewDecoder(bytes.NewReader(body))}
	d.dec.UseNumber()
	in := &Input{}
	if err := d.expectDelim('{'); err != nil {
		return nil, err
	}
	for d.dec.More() {
		key, err := d.key()
		if err != nil {
			return nil, err
		}
		if key == "attributes" {
			attrs, err := d.attributes()
			if err != nil {
				return nil, err
			}
			in.Type = attrs
			continue
		}
		if f := o.Field(key); f != nil {
			v, err := d.value(f)
			if err != nil {
				return nil, err
			}
			in.Values = append(in.Values, FieldValue{Field: f, Value: v})
			continue
		}
		if f := o.Relationship(key); f != nil {
			ref, err := d.externalRef(f, key)
			if err != nil {
				return nil, err
			}
			in.Refs = append(in.Refs, ref)
			continue
		}
		return nil, NewError("INVALID_FIELD", fmt.Sprintf("No such column '%s' on sobject of type %s", key, o.Name))
	}
	if err := d.expectDelim('}'); err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, d.parserError("Unexpected content after the end of the record")
	}
	return in, nil
}

type bodyDecoder struct {
	obj  *Object
	body []byte
	dec  *json.Decoder
}

// pos returns the line and column (1-based) of the character just after the
// last token read: where Salesforce's parser reports a bad value.
func (d *bodyDecoder) pos() (line, col int) {
	off := min(int(d.dec.InputOffset()), len(d.body))
	before := d.body[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = off - bytes.LastIndexByte(before, '\n')
	return line, col
}

func (d *bodyDecoder) parserError(msg string) *Error {
	line, col := d.pos()
	return NewError("JSON_PARSER_ERROR", fmt.Sprintf("%s at [line:%d, column:%d]", msg, line, col))
}

// tokenError explains a token the JSON decoder rejected.
func (d *bodyDecoder) tokenError(err error) *Error {
	var se *json.SyntaxError
	if errors.As(err, &se) && int(se.Offset) < len(d.body) {
		// The decoder stopped after Offset bytes: the next one is wrong.
		off := int(se.Offset)
		before := d.body[:off]
		line := bytes.Count(before, []byte{'\n'}) + 1
		col := off - bytes.LastIndexByte(before, '\n')
		c := d.body[off]
		return NewError("JSON_PARSER_ERROR", fmt.Sprintf("Unexpected character ('%c' (code %d)) at [line:%d, column:%d]", c, c, line, col))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return d.parserError("Unexpected end-of-input")
	}
	return d.parserError(err.Error())
}

func (d *bodyDecoder) token() (json.Token, error) {
	t, err := d.dec.Token()
	if err != nil {
		return nil, d.tokenError(err)
	}
	return t, nil
}

func (d *bodyDecoder) expectDelim(want json.Delim) error {
	t, err := d.token()
	if err != nil {
		return err
	}
	if t != want {
		return d.parserError(fmt.Sprintf("Unexpected token (%s), expected %s", tokenName(t), delimName(want)))
	}
	return nil
}

func delimName(c json.Delim) string {
	switch c {
	case '{':
		return "START_OBJECT"
	case '}':
		return "END_OBJECT"
	case '[':
		return "START_ARRAY"
	default:
		return "END_ARRAY"
	}
}

func tokenName(t json.Token) string {
	switch x := t.(type) {
	case json.Delim:
		return delimName(x)
	case string:
		return "VALUE_STRING"
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "VALUE_NUMBER_FLOAT"
		}
		return "VALUE_NUMBER_INT"
	case bool:
		if x {
			return "VALUE_TRUE"
		}
		return "VALUE_FALSE"
	default:
		return "VALUE_NULL"
	}
}

func tokenText(t json.Token) string {
	switch x := t.(type) {
	case json.Delim:
		return string(x)
	case string:
		return x
	case json.Number:
		return string(x)
	case nil:
		return "null"
	default:
		return fmt.Sprint(x)
	}
}

func (d *bodyDecoder) key() (string, error) {
	t, err := d.token()
	if err != nil {
		return "", err
	}
	k, ok := t.(string)
	if !ok {
		return "", d.parserError("Unexpected token, expected a field name")
	}
	return k, nil
}

// value reads the value of field f.
func (d *bodyDecoder) value(f *Field) (any, error) {
	t, err := d.token()
	if err != nil {
		return nil, err
	}
	var v any
	var bad *valueError
	switch x := t.(type) {
	case nil:
		return nil, nil
	case string:
		v, bad = fromString(f.Type, x)
		if bad == nil && x == "" && f.Type.IsText() {
			v = nil
		}
	case json.Number:
		v, bad = fromNumber(f.Type, string(x))
	case bool:
		v, bad = fromBool(f.Type, x)
	case json.Delim:
		bad = &valueError{want: javaType(f.Type), token: delimName(x), text: string(x)}
	}
	if bad != nil {
		return nil, d.parserError(fmt.Sprintf("Cannot deserialize instance of %s from %s value %s or request may be missing a required field",
			bad.want, bad.token, bad.text))
	}
	return v, nil
}

// attributes reads {"type": ..., "url": ..., "referenceId": ...} and returns
// the type.
func (d *bodyDecoder) attributes() (string, error) {
	if err := d.expectDelim('{'); err != nil {
		return "", err
	}
	typ := ""
	for d.dec.More() {
		k, err := d.key()
		if err != nil {
			return "", err
		}
		t, err := d.token()
		if err != nil {
			return "", err
		}
		if _, ok := t.(json.Delim); ok {
			return "", d.parserError(fmt.Sprintf("Unexpected token (%s) in attributes", tokenName(t)))
		}
		if k == "type" {
			typ, _ = t.(string)
		}
	}
	return typ, d.expectDelim('}')
}

// externalRef reads {"attributes": {"type": "Account"}, "Ext__c": "A-1"} for
// relationship field f.
func (d *bodyDecoder) externalRef(f *Field, rel string) (ExternalRef, error) {
	t, err := d.token()
	if err != nil {
		return ExternalRef{}, err
	}
	if t != json.Delim('{') {
		return ExternalRef{}, d.parserError(fmt.Sprintf("Cannot deserialize instance of %s from %s value %s or request may be missing a required field",
			rel, tokenName(t), tokenText(t)))
	}
	ref := ExternalRef{Field: f}
	typ := ""
	var keyName string
	var raw json.Token
	for d.dec.More() {
		k, err := d.key()
		if err != nil {
			return ref, err
		}
		if k == "attributes" {
			if typ, err = d.attributes(); err != nil {
				return ref, err
			}
			continue
		}
		if keyName != "" {
			return ref, NewError("INVALID_FIELD", fmt.Sprintf("More than one field provided in a foreign key reference for %s: %s, %s", rel, keyName, k))
		}
		keyName = k
		if raw, err = d.token(); err != nil {
			return ref, err
		}
		if _, ok := raw.(json.Delim); ok {
			return ref, d.parserError(fmt.Sprintf("Unexpected token (%s) in the foreign key reference %s", tokenName(raw), rel))
		}
	}
	if err := d.expectDelim('}'); err != nil {
		return ref, err
	}
	switch {
	case typ != "":
		for _, target := range f.Targets {
			if strings.EqualFold(target.Name, typ) {
				ref.Object = target
			}
		}
		if ref.Object == nil {
			return ref, NewError("INVALID_TYPE", fmt.Sprintf("%s is not a valid type for the foreign key reference %s", typ, rel))
		}
	case len(f.Targets) == 1:
		ref.Object = f.Targets[0]
	default:
		return ref, NewError("INVALID_FIELD", fmt.Sprintf("The foreign key reference %s is polymorphic: give attributes.type", rel))
	}
	if keyName == "" {
		return ref, NewError("INVALID_FIELD", fmt.Sprintf("No external ID field given in the foreign key reference %s", rel))
	}
	ref.Key = ref.Object.Field(keyName)
	if ref.Key == nil || !ref.Key.IDLookup {
		return ref, NewError("INVALID_FIELD", fmt.Sprintf("Field %s does not exist or is not an external ID field on %s", keyName, ref.Object.Name))
	}
	var bad *valueError
	switch x := raw.(type) {
	case string:
		ref.Value, bad = fromString(ref.Key.Type, x)
	case json.Number:
		ref.Value, bad = fromNumber(ref.Key.Type, string(x))
	case bool:
		ref.Value, bad = fromBool(ref.Key.Type, x)
	}
	if bad != nil {
		return ref, d.parserError(fmt.Sprintf("Cannot deserialize instance of %s from %s value %s or request may be missing a required field",
			bad.want, bad.token, bad.text))
	}
	return ref, nil
}
