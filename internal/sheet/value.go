package sheet

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Canonical text forms of temporal values, as stored and returned.
const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02T15:04:05.000Z"
	timeLayout     = "15:04:05.000"
)

// Address is a compound address, with the keys Salesforce uses.
type Address struct {
	Street          string   `json:"street,omitempty"`
	City            string   `json:"city,omitempty"`
	State           string   `json:"state,omitempty"`
	StateCode       string   `json:"stateCode,omitempty"`
	PostalCode      string   `json:"postalCode,omitempty"`
	Country         string   `json:"country,omitempty"`
	CountryCode     string   `json:"countryCode,omitempty"`
	Latitude        *float64 `json:"latitude,omitempty"`
	Longitude       *float64 `json:"longitude,omitempty"`
	GeocodeAccuracy string   `json:"geocodeAccuracy,omitempty"`
}

// invalid is the reason a value does not fit a column: its code, and what is
// wrong and how to fix it, written after the quoted value ("is not a date;
// write ..."). The zero invalid means the value fits.
type invalid struct {
	code ValueCode
	text string
}

// unfit returns the reason code, worded as text.
func unfit(code ValueCode, text string) invalid { return invalid{code, text} }

// fits reports whether there is no reason: the value fits.
func (r invalid) fits() bool { return r.code == "" }

// at returns the value error for v in column c.
func (r invalid) at(c *Column, v any) *ValueError {
	return &ValueError{Column: c.Name, Type: c.Type, Value: shorten(v), Code: r.code, Reason: r.text}
}

// encode checks v against the column and returns what is stored for it:
// nil (SQL NULL), a string, a float64 or a bool. Empty values (nil, "", an
// empty list or address) are stored as NULL, as Salesforce does, except for
// checkboxes, which are false.
func (c *Column) encode(v any) (any, invalid) {
	if v == nil {
		if c.Type == TypeCheckbox {
			return false, invalid{}
		}
		return nil, invalid{}
	}
	switch c.Type {
	case TypeNumber, TypeCurrency, TypePercent:
		return c.encodeNumber(v)
	case TypeCheckbox:
		return encodeCheckbox(v)
	case TypeDate, TypeDateTime, TypeTime:
		return c.encodeTemporal(v)
	case TypeMultiPicklist:
		return c.encodeMulti(v)
	case TypeAddress:
		return encodeAddress(v)
	}
	s, ok := v.(string)
	if !ok {
		return nil, unfit(ValueNotText, fmt.Sprintf("is a %T, not text; pass a string", v))
	}
	if s == "" {
		return nil, invalid{}
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return nil, unfit(ValueBadText, "is not valid text (invalid UTF-8 or a NUL character)")
	}
	if max := c.maxLength(); max > 0 && utf8.RuneCountInString(s) > max {
		return nil, unfit(ValueTooLong, fmt.Sprintf("has %d characters, the column allows %d; shorten it", utf8.RuneCountInString(s), max))
	}
	switch c.Type {
	case TypeText, TypePhone, TypeURL:
		if strings.ContainsAny(s, "\r\n") {
			return nil, unfit(ValueLineBreak, "has a line break; use a long_text column for text on several lines")
		}
	}
	switch c.Type {
	case TypePicklist:
		return c.pick(s)
	case TypeEmail:
		if a, err := mail.ParseAddress(s); err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
			return nil, unfit(ValueNotEmail, "is not an email address such as jane@example.com")
		}
	case TypeURL:
		if strings.ContainsAny(s, " \t") {
			return nil, unfit(ValueNotURL, "is not a URL: it has spaces; encode them as %20")
		}
		if _, err := url.Parse(s); err != nil {
			return nil, unfit(ValueNotURL, "is not a URL such as https://example.com/page")
		}
	case TypeReference:
		return encodeReference(s)
	}
	return s, invalid{}
}

// pick returns the allowed picklist value s matches, ignoring case.
func (c *Column) pick(s string) (any, invalid) {
	if len(c.Values) == 0 {
		return s, invalid{}
	}
	for _, v := range c.Values {
		if strings.EqualFold(v, s) {
			return v, invalid{}
		}
	}
	return nil, unfit(ValueNotInPicklist, "is not one of the column's values: "+quoteList(c.Values, 10))
}

func (c *Column) encodeMulti(v any) (any, invalid) {
	var items []string
	switch x := v.(type) {
	case string:
		items = strings.Split(x, ";")
	case []string:
		items = x
	case []any:
		for _, it := range x {
			s, ok := it.(string)
			if !ok {
				return nil, unfit(ValueNotList, fmt.Sprintf("has a %T among its values; give strings", it))
			}
			items = append(items, s)
		}
	default:
		return nil, unfit(ValueNotList, fmt.Sprintf("is a %T; give a list of strings or \"A;B\"", v))
	}
	var out []string
	seen := map[string]bool{}
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		if strings.Contains(it, ";") {
			return nil, unfit(ValueNotList, fmt.Sprintf("has the value %q with a ';'; list the values separately", it))
		}
		p, reason := c.pick(it)
		if !reason.fits() {
			return nil, unfit(ValueNotInPicklist, fmt.Sprintf("has %q, which is not one of the column's values: %s", it, quoteList(c.Values, 10)))
		}
		if s := p.(string); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, invalid{}
	}
	joined := strings.Join(out, ";")
	if utf8.RuneCountInString(joined) > c.maxLength() {
		return nil, unfit(ValueTooLong, fmt.Sprintf("has %d characters with its separators, the column allows %d", utf8.RuneCountInString(joined), c.maxLength()))
	}
	return joined, invalid{}
}

func (c *Column) encodeNumber(v any) (any, invalid) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int:
		f = float64(x)
	case int32:
		f = float64(x)
	case int64:
		f = float64(x)
	case json.Number:
		return c.encodeNumber(string(x))
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return nil, invalid{}
		}
		p, err := strconv.ParseFloat(s, 64)
		if err != nil || strings.Trim(s, "0123456789+-.eE") != "" {
			return nil, unfit(ValueNotNumber, "is not a number; write digits with a '.' for decimals and no thousands separator, e.g. 1234.5")
		}
		f = p
	default:
		return nil, unfit(ValueNotNumber, fmt.Sprintf("is a %T, not a number", v))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, unfit(ValueNotNumber, "is not a finite number")
	}
	if c.Precision > 0 {
		f = roundHalfUp(f, c.Scale)
		if limit := math.Pow10(c.Precision - c.Scale); math.Abs(f) >= limit {
			return nil, unfit(ValueTooManyDigits, fmt.Sprintf("has more than %d digits before the point (precision %d, scale %d)", c.Precision-c.Scale, c.Precision, c.Scale))
		}
	}
	if f == 0 {
		f = 0 // no negative zero
	}
	return f, invalid{}
}

// roundHalfUp rounds f to scale decimals, halves away from zero, as
// Salesforce rounds number fields. It rounds the shortest decimal form of f
// (what a user typed), not its binary value: 999.995 rounds up.
func roundHalfUp(f float64, scale int) float64 {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if dot := strings.IndexByte(s, '.'); dot < 0 || len(s)-dot-1 <= scale {
		return f // already within the scale
	}
	r, _ := new(big.Rat).SetString(s)
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	r.Mul(r, new(big.Rat).SetInt(pow))
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Abs(m).Lsh(m, 1).Cmp(r.Denom()) >= 0 {
		q.Add(q, big.NewInt(int64(r.Num().Sign())))
	}
	out, _ := new(big.Rat).SetFrac(q, pow).Float64()
	return out
}

func encodeCheckbox(v any) (any, invalid) {
	switch x := v.(type) {
	case bool:
		return x, invalid{}
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "1", "yes":
			return true, invalid{}
		case "false", "0", "no", "":
			return false, invalid{}
		}
	case int:
		if x == 0 || x == 1 {
			return x == 1, invalid{}
		}
	case int64:
		if x == 0 || x == 1 {
			return x == 1, invalid{}
		}
	case float64:
		if x == 0 || x == 1 {
			return x == 1, invalid{}
		}
	}
	return nil, unfit(ValueNotCheckbox, "is not a checkbox value; use true or false")
}

func (c *Column) encodeTemporal(v any) (any, invalid) {
	switch x := v.(type) {
	case time.Time:
		switch c.Type {
		case TypeDate:
			return x.Format(dateLayout), invalid{}
		case TypeDateTime:
			return x.UTC().Format(dateTimeLayout), invalid{}
		default:
			return x.Format(timeLayout), invalid{}
		}
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return nil, invalid{}
		}
		switch c.Type {
		case TypeDate:
			if t, err := time.Parse(dateLayout, s); err == nil {
				return t.Format(dateLayout), invalid{}
			}
			return nil, unfit(ValueNotDate, "is not a date; write it as YYYY-MM-DD, e.g. 2024-12-31")
		case TypeDateTime:
			// RFC 3339, and Salesforce's form with a +0000 offset.
			for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05-0700"} {
				if t, err := time.Parse(layout, s); err == nil {
					return t.UTC().Format(dateTimeLayout), invalid{}
				}
			}
			return nil, unfit(ValueNotDateTime, "is not a date and time; write it as 2024-12-31T23:59:59Z or with an offset, e.g. 2024-12-31T23:59:59.000+0100")
		default:
			s = strings.TrimSuffix(s, "Z") // Salesforce writes times as 13:45:00.000Z
			for _, layout := range []string{"15:04:05", "15:04"} {
				if t, err := time.Parse(layout, s); err == nil {
					return t.Format(timeLayout), invalid{}
				}
			}
			return nil, unfit(ValueNotTime, "is not a time of day; write it as HH:MM or HH:MM:SS.sss, e.g. 13:45:00.000")
		}
	}
	code := map[Type]ValueCode{TypeDate: ValueNotDate, TypeDateTime: ValueNotDateTime, TypeTime: ValueNotTime}[c.Type]
	return nil, unfit(code, fmt.Sprintf("is a %T; give a string or a time.Time", v))
}

var addressKeys = map[string]bool{
	"street": true, "city": true, "state": true, "stateCode": true, "postalCode": true,
	"country": true, "countryCode": true, "latitude": true, "longitude": true, "geocodeAccuracy": true,
}

func encodeAddress(v any) (any, invalid) {
	var a Address
	switch x := v.(type) {
	case Address:
		a = x
	case *Address:
		if x == nil {
			return nil, invalid{}
		}
		a = *x
	case string, map[string]any:
		var raw []byte
		if s, ok := x.(string); ok {
			if strings.TrimSpace(s) == "" {
				return nil, invalid{}
			}
			raw = []byte(s)
		} else {
			raw, _ = json.Marshal(x)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(raw, &keys); err != nil {
			return nil, unfit(ValueNotAddress, "is not an address: give a JSON object with street, city, state, postalCode, country ...")
		}
		for k := range keys {
			if !addressKeys[k] {
				return nil, unfit(ValueNotAddress, fmt.Sprintf("has the key %q; addresses have street, city, state, stateCode, postalCode, country, countryCode, latitude, longitude, geocodeAccuracy", k))
			}
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, unfit(ValueNotAddress, "is not an address: each key holds a string, except latitude and longitude, which hold numbers")
		}
	default:
		return nil, unfit(ValueNotAddress, fmt.Sprintf("is a %T; give an Address or a JSON object", v))
	}
	if a.Latitude != nil && (math.IsNaN(*a.Latitude) || math.Abs(*a.Latitude) > 90) ||
		a.Longitude != nil && (math.IsNaN(*a.Longitude) || math.Abs(*a.Longitude) > 180) {
		return nil, unfit(ValueNotAddress, "has a latitude outside -90..90 or a longitude outside -180..180")
	}
	if a == (Address{}) {
		return nil, invalid{}
	}
	b, err := json.Marshal(a)
	if err != nil {
		return nil, unfit(ValueNotAddress, "is not an address: "+err.Error())
	}
	return string(b), invalid{}
}

// encodeReference returns the 18-character form of a Salesforce ID, or a
// local row reference "#<row id>".
func encodeReference(s string) (any, invalid) {
	if rest, ok := strings.CutPrefix(s, "#"); ok {
		if n, err := strconv.ParseInt(rest, 10, 64); err == nil && n > 0 && strconv.FormatInt(n, 10) == rest {
			return s, invalid{}
		}
		return nil, unfit(ValueNotID, "is not a row reference: write # and the row id, e.g. #42")
	}
	id, reason := NormalizeID(s)
	if reason != "" {
		return nil, unfit(ValueNotID, reason+", nor a row reference such as #42")
	}
	return id, invalid{}
}

// decode turns what the database returns for a column into the canonical
// Go value (see Row.Values).
func (c *Column) decode(raw any) (any, error) {
	if b, ok := raw.([]byte); ok {
		raw = string(b)
	}
	if raw == nil {
		if c.Type == TypeCheckbox {
			return false, nil
		}
		return nil, nil
	}
	switch c.Type {
	case TypeNumber, TypeCurrency, TypePercent:
		switch x := raw.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case string:
			return strconv.ParseFloat(x, 64)
		}
	case TypeCheckbox:
		switch x := raw.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		}
	case TypeDate, TypeDateTime, TypeTime:
		switch raw.(type) {
		case string, time.Time:
			v, reason := c.encodeTemporal(raw)
			if !reason.fits() {
				return nil, fmt.Errorf("%v %s", raw, reason.text)
			}
			return v, nil
		}
	case TypeMultiPicklist:
		if s, ok := raw.(string); ok {
			return strings.Split(s, ";"), nil
		}
	case TypeAddress:
		if s, ok := raw.(string); ok {
			var a Address
			if err := json.Unmarshal([]byte(s), &a); err != nil {
				return nil, fmt.Errorf("the address %q is not valid: %w", s, err)
			}
			return a, nil
		}
	default:
		if s, ok := raw.(string); ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("the database returned a %T for a %s column", raw, c.Type)
}

// text renders a canonical value as text, for CSV: numbers without exponent
// (with Scale decimals when the column has a precision), checkboxes as
// true/false, multi-picklists as "A;B", addresses as JSON, empty as "".
func (c *Column) text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		if c.Precision > 0 {
			return strconv.FormatFloat(x, 'f', c.Scale, 64)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []string:
		return strings.Join(x, ";")
	case Address:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// quoteList quotes up to max values for a message.
func quoteList(vs []string, max int) string {
	var b strings.Builder
	for i, v := range vs {
		if i == max {
			fmt.Fprintf(&b, " and %d more", len(vs)-max)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", v)
	}
	return b.String()
}

// shorten renders a value for an error message, cut to 60 characters:
// strings quoted, other values as JSON.
func shorten(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(cut(s))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return cut(fmt.Sprint(v))
	}
	return cut(string(b))
}

func cut(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:57]) + "..."
}
