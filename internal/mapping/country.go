package mapping

import (
	"strings"
	"unicode"
)

// countryNames maps the ways Salesforce records name a country to its ISO
// 3166 code: the English names the State and Country Picklists use
// (BillingCountry "United States"), the usual short forms, and the
// country's own name, as users type them in free-text country fields.
// Keys are lower case; see CountryCode for the matching.
var countryNames = map[string]string{
	"united states": "US", "united states of america": "US", "usa": "US", "u.s.a.": "US", "u.s.": "US", "america": "US",
	"canada":         "CA",
	"united kingdom": "GB", "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB",
	"england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
	"france":  "FR",
	"belgium": "BE", "belgique": "BE", "belgië": "BE", "belgie": "BE",
	"netherlands": "NL", "nederland": "NL", "holland": "NL",
	"luxembourg": "LU", "luxemburg": "LU",
	"germany": "DE", "deutschland": "DE",
	"austria": "AT", "österreich": "AT", "osterreich": "AT",
	"switzerland": "CH", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
	"italy": "IT", "italia": "IT",
	"spain": "ES", "españa": "ES", "espana": "ES",
	"portugal": "PT",
	"ireland":  "IE", "éire": "IE", "eire": "IE",
	"denmark": "DK", "danmark": "DK",
	"norway": "NO", "norge": "NO",
	"sweden": "SE", "sverige": "SE",
	"finland": "FI", "suomi": "FI",
	"poland": "PL", "polska": "PL",
	"australia": "AU",
	"japan":     "JP", "nippon": "JP",
}

// CountryCode returns the ISO 3166 code of a country as a Salesforce
// record holds it: an ISO code in any case ("fr", as BillingCountryCode
// holds it), or a name ("France", "United Kingdom", "USA", "Deutschland"),
// matched ignoring case, surrounding spaces and a leading "the". ok is
// false for an empty value and for a name it does not know.
func CountryCode(s string) (code string, ok bool) {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	s = strings.TrimPrefix(s, "the ")
	if len(s) == 2 && isLetter(rune(s[0])) && isLetter(rune(s[1])) {
		return strings.ToUpper(s), true
	}
	code, ok = countryNames[s]
	return code, ok
}

func isLetter(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) }
