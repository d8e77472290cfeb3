package mapping

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Phone numbers are read in any usual notation ("+33 6 12 34 56 78",
// "0033 612345678", "06.12.34.56.78" with a default country of FR,
// "(415) 555-2671" with US) and written in one of three formats:
//
//	e164           +33612345678
//	international  +33 6 12 34 56 78
//	national       06 12 34 56 78  (numbers of other countries stay international)
//
// Only the numbering plans below are known; a "+" number of another country
// is kept as its digits, written the same in every format. The grouping of
// digits is a readable approximation of each country's habit, not a full
// numbering-plan database: the digits, which are what Salesforce and
// dialling need, are always exact.

// numberingPlan describes one country's telephone numbering.
type numberingPlan struct {
	code     string // country calling code, without "+"
	trunk    string // national prefix dropped in international form ("0"), or "" (Italy, Spain ...)
	min, max int    // length of the national significant number
	// group returns the sizes of the digit groups of the national
	// significant number (international form); nil means no grouping.
	group func(nsn string) []int
	// national writes the national form; nil means trunk + grouped NSN.
	national func(nsn string) string
}

func groups(sizes ...int) func(string) []int { return func(string) []int { return sizes } }

// leadRule groups the numbers starting with prefix ("" matches any).
type leadRule struct {
	prefix string
	sizes  []int
}

func lead(prefix string, sizes ...int) leadRule { return leadRule{prefix, sizes} }

// byLead chooses the grouping from the number's first digits: the first
// rule whose prefix matches; no match means no grouping.
func byLead(rules ...leadRule) func(string) []int {
	return func(nsn string) []int {
		for _, r := range rules {
			if strings.HasPrefix(nsn, r.prefix) {
				return r.sizes
			}
		}
		return nil
	}
}

// plans holds the numbering plans by ISO 3166 country code.
var plans = map[string]*numberingPlan{
	"FR": {code: "33", trunk: "0", min: 9, max: 9, group: groups(1, 2, 2, 2, 2)},
	"BE": {code: "32", trunk: "0", min: 8, max: 9, group: byLead(lead("4", 3, 2, 2, 2), lead("2", 1, 3, 2, 2), lead("", 2, 2, 2, 2))},
	"NL": {code: "31", trunk: "0", min: 9, max: 9, group: byLead(lead("6", 1, 8), lead("", 2, 3, 4))},
	"LU": {code: "352", min: 4, max: 11, group: byLead(lead("6", 3, 3, 3))},
	"DE": {code: "49", trunk: "0", min: 6, max: 13, group: byLead(lead("15", 3, 8), lead("16", 3, 8), lead("17", 3, 8),
		lead("30", 2, 9), lead("40", 2, 9), lead("69", 2, 9), lead("89", 2, 9))}, // mobiles; Berlin, Hamburg, Frankfurt, Munich
	"AT": {code: "43", trunk: "0", min: 4, max: 13, group: byLead(lead("6", 3, 8))},
	"CH": {code: "41", trunk: "0", min: 9, max: 9, group: groups(2, 3, 2, 2)},
	"IT": {code: "39", min: 6, max: 11, group: byLead(lead("3", 3, 3, 4), lead("0", 2, 4, 4))},
	"ES": {code: "34", min: 9, max: 9, group: groups(3, 3, 3)},
	"PT": {code: "351", min: 9, max: 9, group: groups(3, 3, 3)},
	"GB": {code: "44", trunk: "0", min: 9, max: 10, group: byLead(lead("7", 4, 6), lead("2", 2, 4, 4), lead("", 4, 6))},
	"IE": {code: "353", trunk: "0", min: 7, max: 9, group: byLead(lead("8", 2, 3, 4), lead("1", 1, 3, 4))},
	"DK": {code: "45", min: 8, max: 8, group: groups(2, 2, 2, 2)},
	"NO": {code: "47", min: 8, max: 8, group: groups(3, 2, 3)},
	"SE": {code: "46", trunk: "0", min: 7, max: 9, group: byLead(lead("7", 2, 3, 2, 2), lead("8", 1, 3, 2, 2))},
	"FI": {code: "358", trunk: "0", min: 5, max: 11, group: byLead(lead("4", 2, 3, 4), lead("5", 2, 3, 4))},
	"PL": {code: "48", min: 9, max: 9, group: groups(3, 3, 3)},
	"AU": {code: "61", trunk: "0", min: 9, max: 9, group: byLead(lead("4", 3, 3, 3), lead("", 1, 4, 4))},
	"JP": {code: "81", trunk: "0", min: 9, max: 10, group: byLead(lead("3", 1, 4, 4), lead("6", 1, 4, 4),
		lead("70", 2, 4, 4), lead("80", 2, 4, 4), lead("90", 2, 4, 4))},
	"US": nanp,
	"CA": nanp,
}

// nanp is the North American Numbering Plan (+1): the United States,
// Canada and the Caribbean share it.
var nanp = &numberingPlan{
	code: "1", trunk: "1", min: 10, max: 10,
	group:    groups(3, 3, 4),
	national: func(nsn string) string { return "(" + nsn[:3] + ") " + nsn[3:6] + "-" + nsn[6:] },
}

// plansByCode holds the plans by calling code; countries sharing a code
// (US and CA) share the plan.
var plansByCode = func() map[string]*numberingPlan {
	m := make(map[string]*numberingPlan, len(plans))
	for _, p := range plans {
		m[p.code] = p
	}
	return m
}()

// PhoneCountries lists the countries whose numbering is known, sorted.
func PhoneCountries() []string {
	cs := make([]string, 0, len(plans))
	for c := range plans {
		cs = append(cs, c)
	}
	slices.Sort(cs)
	return cs
}

// phoneNumber is a parsed number: a calling code and the national
// significant number; plan is nil for a country not in plans.
type phoneNumber struct {
	code, nsn string
	plan      *numberingPlan
}

// parsePhone reads a phone number written in any usual notation. country
// is the ISO code used for numbers written without a country code.
func parsePhone(s, country string) (phoneNumber, error) {
	raw := strings.TrimSpace(s)
	t := strings.ReplaceAll(raw, "(0)", "") // "+33 (0)6 ..." writes the trunk prefix for national callers
	intl := false
	var digits strings.Builder
	for i, r := range t {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
			intl = true
		case strings.ContainsRune(" .-/()\u00a0", r):
		default:
			return phoneNumber{}, badValue(s, "a phone number has only digits, spaces, \". - / ( )\" and a leading \"+\"")
		}
	}
	d := digits.String()
	home := plans[country]
	switch {
	case intl:
	case strings.HasPrefix(d, "00"):
		// No national number starts with 00 (North America's start with
		// 2 to 9, the others' trunk prefix 0 is never followed by 0), so
		// 00 is the international prefix whatever the default country.
		d, intl = d[2:], true
	case strings.HasPrefix(d, "011") && home == nanp:
		d, intl = d[3:], true
	}
	if intl {
		return internationalNumber(s, d)
	}
	if home == nil {
		if country == "" {
			return phoneNumber{}, badValue(s, "a number without a country code needs a default country (set country: on the workflow or the step)")
		}
		return phoneNumber{}, badValue(s, "no numbering plan for country %q", country)
	}
	if home.trunk != "" && strings.HasPrefix(d, home.trunk) && len(d)-len(home.trunk) >= home.min {
		d = d[len(home.trunk):]
	}
	if len(d) < home.min || len(d) > home.max {
		return phoneNumber{}, badValue(s, "%d digits is not a %s number (%s)", len(d), country, lengths(home))
	}
	if err := home.checkLead(s, d); err != nil {
		return phoneNumber{}, err
	}
	return phoneNumber{code: home.code, nsn: d, plan: home}, nil
}

// internationalNumber reads the digits after "+" (or "00"): the longest
// known calling code, else any E.164 number.
func internationalNumber(s, d string) (phoneNumber, error) {
	if len(d) > 15 {
		return phoneNumber{}, badValue(s, "an international number has at most 15 digits after the +")
	}
	for n := min(3, len(d)); n >= 1; n-- {
		p := plansByCode[d[:n]]
		if p == nil {
			continue
		}
		nsn := d[n:]
		if p.trunk == "0" && strings.HasPrefix(nsn, "0") {
			nsn = nsn[1:] // "+33 06 ..." repeats the trunk prefix
		}
		if len(nsn) < p.min || len(nsn) > p.max {
			return phoneNumber{}, badValue(s, "%d digits after +%s (%s)", len(nsn), p.code, lengths(p))
		}
		if err := p.checkLead(s, nsn); err != nil {
			return phoneNumber{}, err
		}
		return phoneNumber{code: p.code, nsn: nsn, plan: p}, nil
	}
	if len(d) < 7 {
		return phoneNumber{}, badValue(s, "an international number has 7 to 15 digits after the +")
	}
	return phoneNumber{nsn: d}, nil
}

// checkLead refuses national significant numbers that cannot exist: after
// the trunk prefix 0 no number starts with 0 again, and North American
// area codes start with 2 to 9.
func (p *numberingPlan) checkLead(s, nsn string) error {
	switch {
	case p.trunk == "0" && nsn[0] == '0':
		return badValue(s, "not a valid number: no number of +%s starts with 0 after the country code", p.code)
	case p == nanp && nsn[0] < '2':
		return badValue(s, "not a valid number: North American area codes start with 2 to 9")
	}
	return nil
}

func lengths(p *numberingPlan) string {
	if p.min == p.max {
		return fmt.Sprintf("expected %d digits without the country code", p.min)
	}
	return fmt.Sprintf("expected %d to %d digits without the country code", p.min, p.max)
}

func (n phoneNumber) e164() string { return "+" + n.code + n.nsn }

func (n phoneNumber) international() string {
	if n.plan == nil {
		return "+" + n.nsn
	}
	return "+" + n.code + " " + grouped(n.nsn, n.plan.group(n.nsn))
}

// national writes the number as dialled inside country; numbers of other
// countries stay international.
func (n phoneNumber) national(country string) string {
	home := plans[country]
	if n.plan == nil || home == nil || home.code != n.code {
		return n.international()
	}
	if n.plan.national != nil {
		return n.plan.national(n.nsn)
	}
	sizes := n.plan.group(n.nsn)
	if len(sizes) > 0 && n.plan.trunk != "" {
		sizes = append([]int{sizes[0] + len(n.plan.trunk)}, sizes[1:]...)
	}
	return grouped(n.plan.trunk+n.nsn, sizes)
}

// grouped writes digits in groups of the given sizes, the rest in a last
// group; no sizes, or sizes that do not fit, give the digits as one group.
func grouped(digits string, sizes []int) string {
	var parts []string
	rest := digits
	for _, n := range sizes {
		if n >= len(rest) {
			break
		}
		parts = append(parts, rest[:n])
		rest = rest[n:]
	}
	return strings.Join(append(parts, rest), " ")
}

// phoneT normalises phone numbers to one format.
type phoneT struct {
	kinds
	format  string // e164, international, national
	country string // the default country: the step's, else the workflow's
	own     bool   // the country was given on the step
	// field is the Salesforce field holding each record's own country
	// (country_field), which wins over country when the record has one.
	field string
}

var phoneFormats = []string{"e164", "international", "national"}

func parsePhoneStep(arg any) (builder, error) {
	var format, country, field string
	switch a := arg.(type) {
	case string:
		format = a
	case map[string]any:
		m, err := argMap(a, "format", "country", "country_field")
		if err != nil {
			return nil, err
		}
		format, _ = m["format"].(string)
		if c, present := m["country"]; present {
			s, ok := c.(string)
			if !ok || plans[strings.ToUpper(s)] == nil {
				return nil, fmt.Errorf(`"country": %v has no known numbering plan (known: %s)`, c, strings.Join(PhoneCountries(), ", "))
			}
			country = strings.ToUpper(s)
		}
		if f, present := m["country_field"]; present {
			s, ok := f.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return nil, fmt.Errorf(`"country_field": expected the API name of the field holding each record's country (BillingCountry), not %v`, argText(f))
			}
			field = strings.TrimSpace(s)
		}
	}
	if !slices.Contains(phoneFormats, format) {
		return nil, errors.New("expected a format: e164, international or national (or {format: national, country: FR, country_field: BillingCountry})")
	}
	return func(env Env, in Kind) (Transform, error) {
		if in != KindText {
			return nil, wrongKind("phone", in, KindText)
		}
		t := phoneT{kinds{KindText, KindText}, format, country, country != "", field}
		if !t.own {
			t.country = strings.ToUpper(env.Country)
		}
		if format == "national" && plans[t.country] == nil && field == "" {
			return nil, errors.New(`the national format needs a country: set "country:" on the workflow or the step, or "country_field:" on the step`)
		}
		return t, nil
	}, nil
}

func (t phoneT) Apply(v Value) (Value, error) { return t.applyIn(rowContext{}, v) }

// applyIn reads a number as one of the record's country when the step has
// a country field and the record a country, else of the default country.
func (t phoneT) applyIn(ctx rowContext, v Value) (Value, error) {
	if v.kind != KindText || strings.TrimSpace(v.s) == "" {
		return v, nil
	}
	country := t.country
	fromRecord := t.field != "" && ctx.Country != ""
	if fromRecord {
		country = ctx.Country
	}
	n, err := parsePhone(v.s, country)
	if err != nil {
		var ve *ValueError
		if fromRecord && errors.As(err, &ve) {
			ve.Reason += fmt.Sprintf(" (the record's %s is %q)", t.field, ctx.Stored)
		}
		return Value{}, err
	}
	switch t.format {
	case "international":
		return Text(n.international()), nil
	case "national":
		return Text(n.national(country)), nil
	}
	return Text(n.e164()), nil
}

// Inverse writes E.164, which every format reads back as the same number
// and which Salesforce dials from anywhere.
func (t phoneT) Inverse() (Transform, error) {
	return phoneT{t.kinds, "e164", t.country, t.own, t.field}, nil
}

func (t phoneT) String() string {
	if !t.own && t.field == "" {
		return "phone: " + t.format
	}
	arg := map[string]any{"format": t.format}
	if t.own {
		arg["country"] = t.country
	}
	if t.field != "" {
		arg["country_field"] = t.field
	}
	return "phone: " + argText(arg)
}
