package mapping

import (
	"errors"
	"strings"
	"testing"
)

func TestPhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, country                   string
		e164, international, national string
	}{
		// France: the brief's example, both ways, and the usual notations.
		{"+33 6 12 34 56 78", "FR", "+33612345678", "+33 6 12 34 56 78", "06 12 34 56 78"},
		{"06 12 34 56 78", "FR", "+33612345678", "+33 6 12 34 56 78", "06 12 34 56 78"},
		{"06.12.34.56.78", "FR", "+33612345678", "+33 6 12 34 56 78", "06 12 34 56 78"},
		{"0033612345678", "FR", "+33612345678", "+33 6 12 34 56 78", "06 12 34 56 78"},
		{"+33 (0)1 42 68 53 00", "FR", "+33142685300", "+33 1 42 68 53 00", "01 42 68 53 00"},
		{"+33 06 12 34 56 78", "FR", "+33612345678", "+33 6 12 34 56 78", "06 12 34 56 78"},
		// A French number seen from elsewhere stays international.
		{"+33 6 12 34 56 78", "US", "+33612345678", "+33 6 12 34 56 78", "+33 6 12 34 56 78"},
		{"0033 6 12 34 56 78", "", "+33612345678", "+33 6 12 34 56 78", "+33 6 12 34 56 78"},
		// North America.
		{"(415) 555-2671", "US", "+14155552671", "+1 415 555 2671", "(415) 555-2671"},
		{"1-415-555-2671", "US", "+14155552671", "+1 415 555 2671", "(415) 555-2671"},
		{"+1 416 555 0199", "CA", "+14165550199", "+1 416 555 0199", "(416) 555-0199"},
		{"011 33 6 12 34 56 78", "US", "+33612345678", "+33 6 12 34 56 78", "+33 6 12 34 56 78"},
		// Europe: trunk prefixes dropped (DE, GB, BE, NL, CH, SE) or kept (IT), none (ES).
		{"030 1234567", "DE", "+49301234567", "+49 301234567", "0301234567"},
		{"0151 23456789", "DE", "+4915123456789", "+49 151 23456789", "0151 23456789"},
		{"020 7946 0018", "GB", "+442079460018", "+44 20 7946 0018", "020 7946 0018"},
		{"07700 900123", "GB", "+447700900123", "+44 7700 900123", "07700 900123"},
		{"0470 12 34 56", "BE", "+32470123456", "+32 470 12 34 56", "0470 12 34 56"},
		{"06 12345678", "NL", "+31612345678", "+31 6 12345678", "06 12345678"},
		{"078 123 45 67", "CH", "+41781234567", "+41 78 123 45 67", "078 123 45 67"},
		{"06 1234 5678", "IT", "+390612345678", "+39 06 1234 5678", "06 1234 5678"},
		{"+39 312 345 6789", "IT", "+393123456789", "+39 312 345 6789", "312 345 6789"},
		{"612 34 56 78", "ES", "+34612345678", "+34 612 345 678", "612 345 678"},
		{"070-123 45 67", "SE", "+46701234567", "+46 70 123 45 67", "070 123 45 67"},
		{"512 345 678", "PL", "+48512345678", "+48 512 345 678", "512 345 678"},
		// A country we have no plan for keeps its digits.
		{"+81 3-1234-5678", "FR", "+81312345678", "+81312345678", "+81312345678"},
	}
	for _, tt := range tests {
		n, err := parsePhone(tt.in, tt.country)
		if err != nil {
			t.Errorf("parsePhone(%q, %s): %v", tt.in, tt.country, err)
			continue
		}
		if n.plan != nil && n.e164() != tt.e164 || n.plan == nil && "+"+n.nsn != tt.e164 {
			t.Errorf("%q (%s): e164 %q, want %q", tt.in, tt.country, n.e164(), tt.e164)
		}
		if got := n.international(); got != tt.international {
			t.Errorf("%q (%s): international %q, want %q", tt.in, tt.country, got, tt.international)
		}
		if got := n.national(tt.country); got != tt.national {
			t.Errorf("%q (%s): national %q, want %q", tt.in, tt.country, got, tt.national)
		}
		// What we write reads back as the same number.
		for _, out := range []string{n.e164(), n.international(), n.national(tt.country)} {
			again, err := parsePhone(out, tt.country)
			if err != nil || again.code != n.code || again.nsn != n.nsn {
				t.Errorf("%q (%s): %q reads back as %+v, %v", tt.in, tt.country, out, again, err)
			}
		}
	}
}

func TestPhoneErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, country, wantErr string }{
		{"06 12 34 56 78", "", "needs a default country"},
		{"06 12 34 56", "FR", "8 digits is not a FR number (expected 9 digits without the country code)"},
		{"+33 61", "FR", "2 digits after +33"},
		{"+999 123", "FR", "an international number has 7 to 15 digits"},
		{"+33 6 12 34 56 78 90 12 34", "FR", "at most 15 digits"},
		{"+33 6 12 34", "FR", "5 digits after +33"},
		{"+33 6 12 34 56 78 90", "FR", "11 digits after +33"},
		{"+", "FR", "an international number has 7 to 15 digits"},
		{"06 12 34 56 78 ext. 12", "FR", "only digits"},
		{"415 555 267", "US", "9 digits is not a US number"},
		{"06 12 34 56 78", "ZZ", `no numbering plan for country "ZZ"`},
		{"0032000000000", "FR", "no number of +32 starts with 0"},
		{"(115) 555-2671", "US", "area codes start with 2 to 9"},
	}
	for _, tt := range tests {
		_, err := parsePhone(tt.in, tt.country)
		if !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("parsePhone(%q, %q) error %v, want %q", tt.in, tt.country, err, tt.wantErr)
		}
	}
}

// FuzzPhone checks that a number that parses is written in forms that all
// parse back to it.
func FuzzPhone(f *testing.F) {
	for _, s := range []string{"+33 6 12 34 56 78", "06 12 34 56 78", "(415) 555-2671", "0033612345678", "+81312345678", "011 44 20 7946 0018"} {
		f.Add(s, "FR")
		f.Add(s, "US")
	}
	f.Fuzz(func(t *testing.T, s, country string) {
		n, err := parsePhone(s, country)
		if err != nil {
			return
		}
		for _, out := range []string{n.e164(), n.international(), n.national(country)} {
			again, err := parsePhone(out, country)
			if err != nil || again.code != n.code || again.nsn != n.nsn {
				t.Fatalf("%q (%s): wrote %q, read back %+v, %v", s, country, out, again, err)
			}
		}
	})
}
