package mapping

import (
	"strings"
	"testing"
)

func TestNumberFormat(t *testing.T) {
	t.Parallel()
	fr := numberFormat{Decimals: 2, Decimal: ",", Thousands: " "}
	tests := []struct {
		f    numberFormat
		in   string
		want string
	}{
		{numberFormat{Decimals: -1}, "1234567.891", "1234567.891"},
		{numberFormat{Decimals: 2}, "1234.5", "1234.50"},
		{numberFormat{Decimals: 0}, "2.5", "3"},   // halves away from zero
		{numberFormat{Decimals: 0}, "-2.5", "-3"}, // halves away from zero
		{numberFormat{Decimals: 1}, "-0.04", "0.0"},
		{fr, "1234567.891", "1 234 567,89"},
		{fr, "-999.999", "-1 000,00"},
		{fr, "12", "12,00"},
		{numberFormat{Decimals: -1, Thousands: ","}, "1234567", "1,234,567"},
		{numberFormat{Decimals: -1, Thousands: ","}, "123", "123"},
	}
	for _, tt := range tests {
		if got := tt.f.format(tt.in); got != tt.want {
			t.Errorf("%+v.format(%q) = %q, want %q", tt.f, tt.in, got, tt.want)
		}
	}
}

func TestNumberParse(t *testing.T) {
	t.Parallel()
	fr := numberFormat{Decimals: -1, Decimal: ",", Thousands: " "}
	de := numberFormat{Decimals: -1, Decimal: ",", Thousands: "."}
	us := numberFormat{Decimals: -1, Thousands: ","}
	tests := []struct {
		f       numberFormat
		in      string
		want    string
		wantErr string
	}{
		{fr, "1 234 567,89", "1234567.89", ""},
		{fr, "1\u202f234,5", "1234.5", ""}, // narrow no-break space, as French locales write it
		{fr, " -12,50 ", "-12.5", ""},
		{fr, "12.5", "", `has a "." but the decimal separator is ","`},
		{de, "1.234.567,8", "1234567.8", ""},
		{us, "1,234.5", "1234.5", ""},
		{us, "abc", "", "not a number written like -1,234,567.50"},
		{numberFormat{Decimals: -1}, "+7", "7", ""},
	}
	for _, tt := range tests {
		got, err := tt.f.parse(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%+v.parse(%q) error = %v, want %q", tt.f, tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%+v.parse(%q) = %q, %v; want %q", tt.f, tt.in, got, err, tt.want)
		}
	}
}

// FuzzDecimal checks that whatever parses has a canonical form that parses
// to itself, and that formatting then parsing with the same separators
// gives the number back.
func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"0", "-1.50", "1e3", "123456789012345678.12", ".5", "1e-400", "9" + strings.Repeat("9", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseDecimal(s)
		if err != nil {
			return
		}
		if r, err := decimalRat(s); err != nil || canonicalDecimal(r) != c {
			t.Fatalf("%q: fast path gives %q, exact path %v %v", s, c, r, err)
		}
		again, err := parseDecimal(c)
		if err != nil || again != c {
			t.Fatalf("canonical %q of %q reparses as %q, %v", c, s, again, err)
		}
		fr := numberFormat{Decimals: -1, Decimal: ",", Thousands: " "}
		back, err := fr.parse(fr.format(c))
		if err != nil || back != c {
			t.Fatalf("format/parse of %q gave %q, %v", c, back, err)
		}
	})
}
