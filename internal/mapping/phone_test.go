package mapping

import (
	"cmp"
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
		{"030 1234567", "DE", "+49301234567", "+49 30 1234567", "030 1234567"},
		{"0221 1234567", "DE", "+492211234567", "+49 2211234567", "02211234567"}, // Cologne: no grouping known
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
		{"31 12 34 56", "DK", "+4531123456", "+45 31 12 34 56", "31 12 34 56"},
		// Australia and Japan: trunk prefix 0, mobiles grouped apart.
		{"(02) 9374 4000", "AU", "+61293744000", "+61 2 9374 4000", "02 9374 4000"},
		{"0412 345 678", "AU", "+61412345678", "+61 412 345 678", "0412 345 678"},
		{"03-1234-5678", "JP", "+81312345678", "+81 3 1234 5678", "03 1234 5678"},
		{"090-1234-5678", "JP", "+819012345678", "+81 90 1234 5678", "090 1234 5678"},
		// An explicit country code wins over any default country, 00 included.
		{"0045 32 12 34 56", "US", "+4532123456", "+45 32 12 34 56", "+45 32 12 34 56"},
		{"+1 (415) 555-2671", "FR", "+14155552671", "+1 415 555 2671", "+1 415 555 2671"},
		{"00 44 20 7946 0018", "", "+442079460018", "+44 20 7946 0018", "+44 20 7946 0018"},
		// A country we have no plan for keeps its digits.
		{"+86 10 1234 5678", "FR", "+861012345678", "+861012345678", "+861012345678"},
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
		{"0045 32 12 34 5", "US", "7 digits after +45 (expected 8 digits"},
		{"(285) 714-1481", "FR", "10 digits is not a FR number"},
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
	for _, s := range []string{"+33 6 12 34 56 78", "06 12 34 56 78", "(415) 555-2671", "0033612345678", "+81312345678", "011 44 20 7946 0018", "03-1234-5678"} {
		f.Add(s, "FR")
		f.Add(s, "US")
		f.Add(s, "JP")
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

func TestCountryCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"France", "FR", true},
		{"fr", "FR", true},
		{"  United   States ", "US", true},
		{"USA", "US", true},
		{"United Kingdom", "GB", true},
		{"The Netherlands", "NL", true},
		{"Deutschland", "DE", true},
		{"ÖSTERREICH", "AT", true},
		{"Japan", "JP", true},
		{"CN", "CN", true}, // a code without a plan is still a code
		{"", "", false},
		{"Narnia", "", false},
		{"F1", "", false},
	}
	for _, tt := range tests {
		got, ok := CountryCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CountryCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	// Every country with a numbering plan has a name too.
	named := map[string]bool{}
	for _, code := range countryNames {
		named[code] = true
	}
	for _, c := range PhoneCountries() {
		if !named[c] {
			t.Errorf("no country name gives %s", c)
		}
	}
}

// TestPhoneCountryField reads each record's number as one of its own
// country, and writes each row's back the same way.
func TestPhoneCountryField(t *testing.T) {
	t.Parallel()
	country := src("BillingCountry", field("BillingCountry", "string"))
	spec := Spec{
		Column: "phone", ColumnType: ColumnPhone, Direction: Both,
		Sources: []Source{src("Phone", field("Phone", "phone"))},
		Steps:   steps(t, "phone", map[string]any{"format": "national", "country_field": "BillingCountry"}),
		Env:     Env{Country: "FR"}, Country: &country, CountryColumn: "country",
	}
	f, err := Compile(spec)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		phone, country string
		cell           string // inbound
		wantErr        string
	}{
		{"01 42 68 53 00", "France", "01 42 68 53 00", ""},
		{"(415) 555-2671", "United States", "(415) 555-2671", ""},
		{"(416) 555-0199", "CA", "(416) 555-0199", ""},
		{"03-1234-5678", "Japan", "03 1234 5678", ""},
		{"+33 1 42 68 53 00", "United States", "+33 1 42 68 53 00", ""}, // an explicit code wins
		{"0045 32 12 34 56", "United States", "+45 32 12 34 56", ""},
		{"01 42 68 53 00", "", "01 42 68 53 00", ""}, // no country: the workflow's
		{"01 42 68 53 00", "Narnia", "", `no numbering plan for country "Narnia" (the record's BillingCountry is "Narnia")`},
		{"(415) 555-2671", "France", "", `10 digits is not a FR number (expected 9 digits without the country code) (the record's BillingCountry is "France")`},
	}
	for _, tt := range tests {
		rec := Map{"Phone": tt.phone, "BillingCountry": tt.country}
		if tt.country == "" {
			rec["BillingCountry"] = nil
		}
		got, err := f.Inbound(rec)
		if tt.wantErr != "" {
			if !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "field Phone (column phone)") {
				t.Errorf("%q in %q: error %v, want %q", tt.phone, tt.country, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.String() != tt.cell {
			t.Errorf("%q in %q: inbound %q, %v; want %q", tt.phone, tt.country, got.String(), err, tt.cell)
			continue
		}
		// Back to Salesforce, the cell is read as a number of its row's
		// country: from a text column, or from an address column.
		back, err := f.OutboundRow(map[string]Value{"phone": got, "country": Text(tt.country)})
		want, _ := parsePhone(tt.phone, cmp.Or(countryContext(tt.country).Country, "FR"))
		if err != nil || back["Phone"] != want.e164() {
			t.Errorf("%q in %q: outbound %v, %v; want %s", tt.phone, tt.country, back, err, want.e164())
		}
		addr, err := f.OutboundRow(map[string]Value{"phone": got, "country": AddressOf(Address{Country: tt.country})})
		if err != nil || addr["Phone"] != want.e164() {
			t.Errorf("%q in an address of %q: outbound %v, %v; want %s", tt.phone, tt.country, addr, err, want.e164())
		}
	}
	if _, err := f.Outbound(Text("01 42 68 53 00")); err == nil || !strings.Contains(err.Error(), "OutboundRow") {
		t.Errorf("Outbound without the row: %v", err)
	}
	if got := f.InboundChain().String(); got != "phone: {country_field: BillingCountry, format: national}" {
		t.Errorf("chain = %s", got)
	}

	// The country field must be given, and a column must hold it outbound.
	for _, tt := range []struct {
		change  func(*Spec)
		wantErr string
	}{
		{func(s *Spec) { s.Country = nil }, "country_field BillingCountry: no describe"},
		{func(s *Spec) { s.CountryColumn = "" }, "map BillingCountry to one"},
		{func(s *Spec) {
			s.Steps = append(s.Steps, steps(t, "phone", map[string]any{"format": "e164", "country_field": "ShippingCountry"})...)
		}, "from BillingCountry and from ShippingCountry"},
	} {
		bad := spec
		tt.change(&bad)
		if _, err := Compile(bad); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Compile: %v, want %q", err, tt.wantErr)
		}
	}
	inbound := spec
	inbound.Direction, inbound.CountryColumn = Inbound, ""
	if _, err := Compile(inbound); err != nil {
		t.Errorf("an inbound field needs no country column: %v", err)
	}
}
