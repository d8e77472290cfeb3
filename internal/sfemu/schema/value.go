package schema

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Canonical values. Every stored or computed field value is one of:
//
//	nil        null
//	string     id, reference, string, textarea, picklist, multipicklist
//	           ("A;B"), combobox, email, phone, url, encryptedstring,
//	           base64 (the base64 text), time ("15:04:05.000Z")
//	bool       boolean
//	int64      int, long
//	float64    double, currency, percent
//	time.Time  datetime (UTC, milliseconds) and date (UTC midnight)
//	Address    address (computed from its components)
//	Location   location (computed from its components)
//
// The query engine, the record store and the HTTP layer all use these.

// Address is the value of a compound address field. Each part is nil or a
// string, Latitude and Longitude nil or float64.
type Address struct {
	City, Country, GeocodeAccuracy, Latitude, Longitude, PostalCode, State, Street any
}

// Location is the value of a compound geolocation field: nil or float64
// parts.
type Location struct {
	Latitude, Longitude any
}

// Date and time layouts Salesforce uses on the wire.
const (
	DateLayout     = "2006-01-02"
	DateTimeLayout = "2006-01-02T15:04:05.000-0700" // renders UTC as +0000
	TimeLayout     = "15:04:05.000Z"
)

// valueError says a value does not fit a field's type; the record decoder
// turns it into Salesforce's JSON_PARSER_ERROR with a position.
type valueError struct {
	want  string // Salesforce's name for the type: date, datetime, double ...
	token string // VALUE_STRING, VALUE_NUMBER_INT ...
	text  string // the value as written
}

// javaType is the type name Salesforce's JSON errors use for a field type.
func javaType(t FieldType) string {
	switch t {
	case TypeDouble, TypeCurrency, TypePercent:
		return "double"
	case TypeDate, TypeDateTime, TypeTime, TypeBoolean, TypeInt, TypeLong, TypeBase64:
		return string(t)
	default:
		return "string"
	}
}

// ParseText converts text (a CSV cell, an external ID in a URL, a JSON
// string) to the canonical value of field type t. An empty string is nil.
func ParseText(t FieldType, s string) (any, error) {
	v, verr := fromString(t, s)
	if verr != nil {
		return nil, fmt.Errorf("%q is not a valid %s value", s, javaType(t))
	}
	return v, nil
}

func fromString(t FieldType, s string) (any, *valueError) {
	bad := &valueError{want: javaType(t), token: "VALUE_STRING", text: s}
	switch t {
	case TypeBoolean:
		switch strings.ToLower(s) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "":
			return nil, nil
		}
		return nil, bad
	case TypeInt, TypeLong:
		if s == "" {
			return nil, nil
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				return nil, bad
			}
			n = int64(f)
		}
		return n, nil
	case TypeDouble, TypeCurrency, TypePercent:
		if s == "" {
			return nil, nil
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, bad
		}
		return f, nil
	case TypeDate:
		if s == "" {
			return nil, nil
		}
		d, err := time.Parse(DateLayout, s)
		if err != nil {
			return nil, bad
		}
		return d, nil
	case TypeDateTime:
		if s == "" {
			return nil, nil
		}
		d, ok := parseDateTime(s)
		if !ok {
			return nil, bad
		}
		return d, nil
	case TypeTime:
		if s == "" {
			return nil, nil
		}
		for _, layout := range []string{"15:04:05.000Z", "15:04:05Z", "15:04:05.000", "15:04:05", "15:04"} {
			if d, err := time.Parse(layout, s); err == nil {
				return d.Format(TimeLayout), nil
			}
		}
		return nil, bad
	case TypeBase64:
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return nil, bad
		}
		return s, nil
	case TypeAddress, TypeLocation, TypeAnyType:
		return nil, bad
	default:
		if s == "" {
			return nil, nil
		}
		return s, nil
	}
}

// dateTimeLayouts are the datetime forms the REST API accepts.
var dateTimeLayouts = []string{
	"2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.000Z07:00",
	"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05.000", "2006-01-02T15:04:05",
}

func parseDateTime(s string) (time.Time, bool) {
	for _, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Millisecond), true
		}
	}
	// Fractions other than three digits.
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Truncate(time.Millisecond), true
	}
	return time.Time{}, false
}

// fromNumber converts a JSON number literal.
func fromNumber(t FieldType, lit string) (any, *valueError) {
	token := "VALUE_NUMBER_INT"
	if strings.ContainsAny(lit, ".eE") {
		token = "VALUE_NUMBER_FLOAT"
	}
	switch {
	case t.IsText() || t == TypeID || t == TypeReference:
		return lit, nil
	case t == TypeInt || t == TypeLong || t.IsNumber():
		v, bad := fromString(t, lit)
		if bad != nil {
			bad.token = token
		}
		return v, bad
	default:
		return nil, &valueError{want: javaType(t), token: token, text: lit}
	}
}

// fromBool converts a JSON true or false.
func fromBool(t FieldType, b bool) (any, *valueError) {
	switch {
	case t == TypeBoolean:
		return b, nil
	case t.IsText():
		return strconv.FormatBool(b), nil
	default:
		token := "VALUE_FALSE"
		if b {
			token = "VALUE_TRUE"
		}
		return nil, &valueError{want: javaType(t), token: token, text: strconv.FormatBool(b)}
	}
}

// appendNumber renders a double the way Salesforce's JSON does (Java's
// Double.toString): 1500 is "1500.0", 35000000 is "3.5E7", 0.0001 is
// "1.0E-4".
func appendNumber(dst []byte, f float64) []byte {
	if f == 0 {
		return append(dst, "0.0"...)
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		n := len(dst)
		dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
		if !strings.Contains(string(dst[n:]), ".") {
			dst = append(dst, ".0"...)
		}
		return dst
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 3.5E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	dst = append(dst, mant...)
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(e), 10)
}

// AppendJSON appends the JSON form of canonical value v of a field of type t:
// null, a string, a number, a boolean, or an object for address and
// location. Datetimes render as "2024-01-31T10:00:00.000+0000", dates as
// "2024-01-31".
func AppendJSON(dst []byte, t FieldType, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return appendString(dst, x)
	case bool:
		return strconv.AppendBool(dst, x)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case float64:
		if t == TypeInt || t == TypeLong {
			return strconv.AppendInt(dst, int64(x), 10)
		}
		return appendNumber(dst, x)
	case time.Time:
		dst = append(dst, '"')
		if t == TypeDate {
			dst = x.UTC().AppendFormat(dst, DateLayout)
		} else {
			dst = x.UTC().AppendFormat(dst, DateTimeLayout)
		}
		return append(dst, '"')
	case Address:
		parts := [...]struct {
			key string
			val any
		}{{"city", x.City}, {"country", x.Country}, {"geocodeAccuracy", x.GeocodeAccuracy}, {"latitude", x.Latitude},
			{"longitude", x.Longitude}, {"postalCode", x.PostalCode}, {"state", x.State}, {"street", x.Street}}
		dst = append(dst, '{')
		for i, p := range parts {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, p.key)
			dst = append(dst, ':')
			dst = AppendJSON(dst, TypeDouble, p.val)
		}
		return append(dst, '}')
	case Location:
		dst = append(dst, `{"latitude":`...)
		dst = AppendJSON(dst, TypeDouble, x.Latitude)
		dst = append(dst, `,"longitude":`...)
		dst = AppendJSON(dst, TypeDouble, x.Longitude)
		return append(dst, '}')
	default:
		return appendString(dst, fmt.Sprint(x))
	}
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping only what JSON requires
// (Salesforce does not escape <, > or &).
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		case c < utf8.RuneSelf:
			dst = append(dst, c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return append(dst, '"')
}

// FormatValue renders canonical value v as text, the way a CSV cell or a
// list-view column shows it: "" for nil, numbers and dates as in JSON
// without quotes.
func FormatValue(t FieldType, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time, float64, int64, bool:
		s := string(AppendJSON(nil, t, x))
		return strings.Trim(s, `"`)
	default:
		return string(AppendJSON(nil, t, x))
	}
}

// Compare orders two canonical values of the same field type: -1, 0 or +1,
// the way SOQL does (ORDER BY, MIN, MAX, <, >). nil sorts first. Strings
// compare case-insensitively, then by bytes so that the order is total;
// numbers by value whether float64 or int64; then times, and booleans with
// false first. It allocates only for values that are none of these.
func Compare(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case string:
		y, _ := b.(string)
		return compareFold(x, y)
	case float64:
		return cmpNum(x, Number(b))
	case int64:
		return cmpNum(float64(x), Number(b))
	case bool:
		y, _ := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		default:
			return 1
		}
	case time.Time:
		y, _ := b.(time.Time)
		return x.Compare(y)
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// Number is numeric canonical value v (float64 or int64) as a float64, and
// NaN for any other value.
func Number(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return math.NaN()
}

func cmpNum(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// compareFold compares two strings case-insensitively (rune by rune, without
// allocating), then by bytes so that the order is total.
func compareFold(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if ca < utf8.RuneSelf && cb < utf8.RuneSelf {
			la, lb := lowerASCII(ca), lowerASCII(cb)
			if la != lb {
				if la < lb {
					return -1
				}
				return 1
			}
			i++
			j++
			continue
		}
		ra, na := utf8.DecodeRuneInString(a[i:])
		rb, nb := utf8.DecodeRuneInString(b[j:])
		la, lb := unicode.ToLower(ra), unicode.ToLower(rb)
		if la != lb {
			if la < lb {
				return -1
			}
			return 1
		}
		i += na
		j += nb
	}
	switch {
	case len(a)-i < len(b)-j:
		return -1
	case len(a)-i > len(b)-j:
		return 1
	}
	return strings.Compare(a, b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
