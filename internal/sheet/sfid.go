package sheet

import "strings"

const sfidSuffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// NormalizeID checks a Salesforce record ID and returns its 18-character,
// case-insensitive form. A 15-character ID gets its checksum suffix; an
// 18-character ID must carry the right one. The reason is empty when the ID
// is valid.
func NormalizeID(id string) (string, string) {
	if len(id) != 15 && len(id) != 18 {
		return "", "is not a Salesforce ID: IDs have 15 or 18 letters and digits"
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", "is not a Salesforce ID: IDs have only letters and digits"
		}
	}
	var suffix [3]byte
	for chunk := range 3 {
		bits := 0
		for i := range 5 {
			if c := id[chunk*5+i]; c >= 'A' && c <= 'Z' {
				bits |= 1 << i
			}
		}
		suffix[chunk] = sfidSuffixAlphabet[bits]
	}
	if len(id) == 18 && !strings.EqualFold(id[15:], string(suffix[:])) {
		return "", "is not a Salesforce ID: its last 3 characters do not match the checksum of the first 15; check for a typo or a change of case"
	}
	return id[:15] + string(suffix[:]), ""
}
