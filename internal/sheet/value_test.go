package sheet

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEncode(t *testing.T) {
	t.Parallel()
	lat := 48.8566
	amount := Column{Name: "Amount", Type: TypeCurrency, Precision: 5, Scale: 2}
	stage := Column{Name: "Stage", Type: TypePicklist, Values: []string{"Prospecting", "Closed Won"}}
	tags := Column{Name: "Tags", Type: TypeMultiPicklist, Values: []string{"A", "B", "C"}}
	tests := []struct {
		col    Column
		in     any
		want   any    // stored form, when valid
		reason string // substring of the reason, when invalid
	}{
		{Column{Type: TypeText}, "Acme", "Acme", ""},
		{Column{Type: TypeText}, "", nil, ""},
		{Column{Type: TypeText}, nil, nil, ""},
		{Column{Type: TypeText}, strings.Repeat("é", 255), strings.Repeat("é", 255), ""},
		{Column{Type: TypeText}, strings.Repeat("é", 256), nil, "has 256 characters, the column allows 255"},
		{Column{Type: TypeText, Length: 3}, "abcd", nil, "allows 3"},
		{Column{Type: TypeText}, "two\nlines", nil, "use a long_text column"},
		{Column{Type: TypeText}, "nul\x00", nil, "NUL"},
		{Column{Type: TypeText}, "\xff", nil, "invalid UTF-8"},
		{Column{Type: TypeText}, 12, nil, "is a int, not text"},
		{Column{Type: TypeLongText}, "two\nlines", "two\nlines", ""},
		{Column{Type: TypeNumber}, 12.5, 12.5, ""},
		{Column{Type: TypeNumber}, int64(-3), -3.0, ""},
		{Column{Type: TypeNumber}, json.Number("1e3"), 1000.0, ""},
		{Column{Type: TypeNumber}, " 42.0 ", 42.0, ""},
		{Column{Type: TypeNumber}, "", nil, ""},
		{Column{Type: TypeNumber}, "1,234.5", nil, "no thousands separator"},
		{Column{Type: TypeNumber}, "0x1p3", nil, "is not a number"},
		{Column{Type: TypeNumber}, "Inf", nil, "is not a number"},
		{Column{Type: TypeNumber}, "1e400", nil, "is not a number"},
		{Column{Type: TypeNumber}, -0.0, 0.0, ""},
		{Column{Type: TypeNumber}, true, nil, "is a bool, not a number"},
		{amount, 123.456, 123.46, ""},
		{amount, "999.994", 999.99, ""},
		{amount, 999.995, nil, "more than 3 digits before the point"},
		{Column{Type: TypePercent, Precision: 3}, 12.5, 13.0, ""},
		{Column{Type: TypePercent, Precision: 3}, -12.5, -13.0, ""},
		{Column{Type: TypeNumber, Precision: 4, Scale: 2}, 1.005, 1.01, ""},
		{Column{Type: TypeNumber, Precision: 4, Scale: 2}, 1.0049, 1.0, ""},
		{Column{Type: TypeCheckbox}, true, true, ""},
		{Column{Type: TypeCheckbox}, nil, false, ""},
		{Column{Type: TypeCheckbox}, "Yes", true, ""},
		{Column{Type: TypeCheckbox}, "0", false, ""},
		{Column{Type: TypeCheckbox}, 1.0, true, ""},
		{Column{Type: TypeCheckbox}, "maybe", nil, "use true or false"},
		{Column{Type: TypeCheckbox}, 2, nil, "use true or false"},
		{Column{Type: TypeDate}, "2024-02-29", "2024-02-29", ""},
		{Column{Type: TypeDate}, time.Date(2024, 12, 31, 23, 0, 0, 0, time.FixedZone("X", -5*3600)), "2024-12-31", ""},
		{Column{Type: TypeDate}, "2023-02-29", nil, "YYYY-MM-DD"},
		{Column{Type: TypeDate}, "31/12/2024", nil, "e.g. 2024-12-31"},
		{Column{Type: TypeDateTime}, "2024-01-02T03:04:05.123+0000", "2024-01-02T03:04:05.123Z", ""},
		{Column{Type: TypeDateTime}, "2024-01-02T03:04:05+01:00", "2024-01-02T02:04:05.000Z", ""},
		{Column{Type: TypeDateTime}, "2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05.123Z", ""},
		{Column{Type: TypeDateTime}, time.Date(2024, 1, 2, 3, 4, 5, 999999999, time.UTC), "2024-01-02T03:04:05.999Z", ""},
		{Column{Type: TypeDateTime}, "2024-01-02 03:04:05", nil, "is not a date and time"},
		{Column{Type: TypeDateTime}, 1704164645, nil, "is a int"},
		{Column{Type: TypeTime}, "13:45:00.000Z", "13:45:00.000", ""},
		{Column{Type: TypeTime}, "09:05", "09:05:00.000", ""},
		{Column{Type: TypeTime}, "23:59:59.5", "23:59:59.500", ""},
		{Column{Type: TypeTime}, "24:00", nil, "HH:MM"},
		{stage, "closed won", "Closed Won", ""},
		{stage, "Lost", nil, `"Prospecting", "Closed Won"`},
		{Column{Type: TypePicklist}, "anything", "anything", ""},
		{tags, "b; a;;B", "B;A", ""},
		{tags, []string{"C"}, "C", ""},
		{tags, []any{"a", "c"}, "A;C", ""},
		{tags, []any{"a", 1}, nil, "give strings"},
		{tags, "A;D", nil, `has "D"`},
		{tags, []string{}, nil, ""},
		{Column{Type: TypeEmail}, "jane@example.com", "jane@example.com", ""},
		{Column{Type: TypeEmail}, "Jane <jane@example.com>", nil, "is not an email address"},
		{Column{Type: TypeEmail}, "jane@localhost", nil, "is not an email address"},
		{Column{Type: TypeEmail}, "jane.example.com", nil, "is not an email address"},
		{Column{Type: TypePhone}, "+33 1 23 45 67 89", "+33 1 23 45 67 89", ""},
		{Column{Type: TypePhone}, strings.Repeat("1", 41), nil, "allows 40"},
		{Column{Type: TypeURL}, "www.example.com/a?b=c", "www.example.com/a?b=c", ""},
		{Column{Type: TypeURL}, "https://example.com/a b", nil, "has spaces"},
		{Column{Type: TypeURL}, "http://[::1", nil, "is not a URL"},
		{Column{Type: TypeAddress}, map[string]any{"street": "1 Main St", "city": "Springfield", "latitude": lat}, `{"street":"1 Main St","city":"Springfield","latitude":48.8566}`, ""},
		{Column{Type: TypeAddress}, Address{City: "Paris", CountryCode: "FR"}, `{"city":"Paris","countryCode":"FR"}`, ""},
		{Column{Type: TypeAddress}, `{"postalCode":"75001"}`, `{"postalCode":"75001"}`, ""},
		{Column{Type: TypeAddress}, Address{}, nil, ""},
		{Column{Type: TypeAddress}, map[string]any{"zip": "75001"}, nil, `has the key "zip"`},
		{Column{Type: TypeAddress}, map[string]any{"city": 75}, nil, "each key holds a string"},
		{Column{Type: TypeAddress}, Address{Latitude: new(91.0)}, nil, "latitude outside"},
		{Column{Type: TypeAddress}, "[1]", nil, "give a JSON object"},
		{Column{Type: TypeReference}, "001B000000UnQ2v", "001B000000UnQ2vIAF", ""},
		{Column{Type: TypeReference}, "#42", "#42", ""},
		{Column{Type: TypeReference}, "#042", nil, "e.g. #42"},
		{Column{Type: TypeReference}, "#0", nil, "e.g. #42"},
		{Column{Type: TypeReference}, "001B000000UnQ2vXXX", nil, "checksum"},
	}
	for _, tt := range tests {
		got, reason := tt.col.encode(tt.in)
		if tt.reason != "" {
			if !strings.Contains(reason.text, tt.reason) {
				t.Errorf("%s: encode(%#v) reason = %q, want one containing %q", tt.col.Type, tt.in, reason, tt.reason)
			}
			continue
		}
		if !reason.fits() || got != tt.want {
			t.Errorf("%s: encode(%#v) = %#v, %q; want %#v", tt.col.Type, tt.in, got, reason, tt.want)
		}
	}
}

// TestEncodeCodes pins the stable code of each kind of refused value: the
// console translates by it (ADR 0315).
func TestEncodeCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		col  Column
		in   any
		want ValueCode
	}{
		{Column{Type: TypeText}, 12, ValueNotText},
		{Column{Type: TypeText}, "\xff", ValueBadText},
		{Column{Type: TypeText, Length: 3}, "abcd", ValueTooLong},
		{Column{Type: TypeText}, "two\nlines", ValueLineBreak},
		{Column{Type: TypePicklist, Values: []string{"Hot", "Cold"}}, "Warm", ValueNotInPicklist},
		{Column{Type: TypeMultiPicklist, Values: []string{"A", "B"}}, "A;C", ValueNotInPicklist},
		{Column{Type: TypeMultiPicklist, Values: []string{"A"}}, 7, ValueNotList},
		{Column{Type: TypeEmail}, "jane", ValueNotEmail},
		{Column{Type: TypeURL}, "a b", ValueNotURL},
		{Column{Type: TypeNumber}, "beaucoup", ValueNotNumber},
		{Column{Type: TypeCurrency, Precision: 4, Scale: 2}, 123.4, ValueTooManyDigits},
		{Column{Type: TypeCheckbox}, "maybe", ValueNotCheckbox},
		{Column{Type: TypeDate}, "31/12/2024", ValueNotDate},
		{Column{Type: TypeDateTime}, "tomorrow", ValueNotDateTime},
		{Column{Type: TypeTime}, "noon", ValueNotTime},
		{Column{Type: TypeTime}, 12, ValueNotTime},
		{Column{Type: TypeDateTime}, true, ValueNotDateTime},
		{Column{Type: TypeAddress}, "[1]", ValueNotAddress},
		{Column{Type: TypeReference}, "#0", ValueNotID},
		{Column{Type: TypeReference}, "001B000000UnQ2vXXX", ValueNotID},
	}
	for _, tt := range tests {
		_, reason := tt.col.encode(tt.in)
		if reason.code != tt.want || reason.text == "" {
			t.Errorf("%s: encode(%#v) = %s %q; want code %s and a message", tt.col.Type, tt.in, reason.code, reason.text, tt.want)
		}
	}
}

func TestDecodeCanonicalForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		col  Column
		raw  any
		want any
	}{
		{Column{Type: TypeNumber}, int64(3), 3.0},
		{Column{Type: TypeNumber}, "12.50", 12.5},
		{Column{Type: TypeCheckbox}, int64(1), true},
		{Column{Type: TypeCheckbox}, nil, false},
		{Column{Type: TypeDate}, time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), "2024-05-06"},
		{Column{Type: TypeDateTime}, time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("X", 3600)), "2024-05-06T06:08:09.000Z"},
		{Column{Type: TypeMultiPicklist}, "A;B", []string{"A", "B"}},
		{Column{Type: TypeAddress}, []byte(`{"city":"Paris"}`), Address{City: "Paris"}},
		{Column{Type: TypeText}, nil, nil},
	}
	for _, tt := range tests {
		got, err := tt.col.decode(tt.raw)
		if err != nil || !cmp.Equal(got, tt.want) {
			t.Errorf("%s: decode(%#v) = %#v, %v; want %#v", tt.col.Type, tt.raw, got, err, tt.want)
		}
	}
	if _, err := (&Column{Type: TypeCheckbox}).decode("yes"); err == nil {
		t.Error("a checkbox decoded from text")
	}
	if _, err := (&Column{Type: TypeDate}).decode("2024-13-01"); err == nil {
		t.Error("an impossible date decoded")
	}
}

func TestColumnCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		col    Column
		reason string
	}{
		{Column{Name: "Ok", Type: TypeText, Length: 80}, ""},
		{Column{Name: "Ok", Type: "Long_Text"}, ""},
		{Column{Name: "", Type: TypeText}, "is empty"},
		{Column{Name: " padded", Type: TypeText}, "spaces at either end"},
		{Column{Name: "tab\there", Type: TypeText}, "control characters"},
		{Column{Name: strings.Repeat("x", 81), Type: TypeText}, "longer than 80"},
		{Column{Name: "sync status", Type: TypeText}, "name of a system column"},
		{Column{Name: "X", Type: "string"}, `unknown type "string"`},
		{Column{Name: "X", Type: TypeNumber, Length: 3}, "length applies only"},
		{Column{Name: "X", Type: TypeNumber, Precision: 2, Scale: 3}, "0 ≤ scale ≤ precision ≤ 18"},
		{Column{Name: "X", Type: TypeText, Precision: 4}, "precision and scale apply only"},
		{Column{Name: "X", Type: TypeText, Values: []string{"a"}}, "values apply only"},
		{Column{Name: "X", Type: TypePicklist, Values: []string{"a", "A"}}, "listed twice"},
		{Column{Name: "X", Type: TypeMultiPicklist, Values: []string{"a;b"}}, "has a ';'"},
		{Column{Name: "X", Type: TypePicklist, Values: []string{" a"}}, "spaces around"},
		{Column{Name: "X", Type: TypeText, Target: "Account"}, "target applies only"},
	}
	for _, tt := range tests {
		err := tt.col.check()
		if tt.reason == "" && err != nil || tt.reason != "" && (err == nil || !strings.Contains(err.Error(), tt.reason)) {
			t.Errorf("check(%+v) = %v, want %q", tt.col, err, tt.reason)
		}
	}
}

// FuzzEncode checks that encoding accepts what it produced: the stored form
// of a value is a fixed point, for every type.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"", "Acme", "12.5", "2024-02-29", "2024-01-02T03:04:05.123+0000", "13:45", "A;B", `{"city":"x"}`, "001B000000UnQ2v", "#7", "yes", "a@b.co"} {
		f.Add(s)
	}
	cols := make([]Column, len(Types))
	for i, typ := range Types {
		cols[i] = Column{Name: "c", Type: typ}
	}
	cols = append(cols, Column{Name: "money", Type: TypeCurrency, Precision: 10, Scale: 2})
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range cols {
			v, reason := c.encode(s)
			if reason.code != "" && reason.text == "" {
				t.Fatalf("%s: %q refused with code %s and no message", c.Type, s, reason.code)
			}
			if !reason.fits() || v == nil {
				continue
			}
			raw := v
			if b, ok := v.(bool); ok { // stored as an integer by SQLite
				raw = map[bool]int64{false: 0, true: 1}[b]
			}
			back, err := c.decode(raw)
			if err != nil {
				t.Fatalf("%s: %q stored as %#v does not decode: %v", c.Type, s, v, err)
			}
			again, reason := c.encode(back)
			if !reason.fits() || again != v {
				t.Fatalf("%s: %q stored as %#v, decoded %#v, re-encoded %#v (%s)", c.Type, s, v, back, again, reason)
			}
		}
	})
}
