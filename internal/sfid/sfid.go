package sfid

import "strings"

const (
	// Len15 is the length of the case-sensitive form.
	Len15 = 15
	// Len18 is the length of the case-insensitive form the API returns.
	Len18 = 18
	// MaxNumber is the largest record number that fits in nine base-62 digits.
	MaxNumber uint64 = 13537086546263551 // 62^9 - 1

	digits   = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	checkSet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
)

// Parts are the components of a record ID.
type Parts struct {
	Prefix   string // key prefix, 3 characters
	Pod      string // pod or instance, 2 characters
	Reserved byte   // 1 character
	Number   uint64 // record number
}

// New makes the 18-character ID of record number n for an object with the
// given 3-character key prefix, on the given 2-character pod.
func New(prefix, pod string, n uint64) (string, error) {
	var b [Len18]byte
	if len(prefix) != 3 || !alnum(prefix) {
		return "", invalid(prefix, "key prefix must be 3 letters or digits")
	}
	if len(pod) != 2 || !alnum(pod) {
		return "", invalid(pod, "pod must be 2 letters or digits")
	}
	if n > MaxNumber {
		return "", invalid(prefix+pod, "record number %d is above the maximum %d", n, MaxNumber)
	}
	copy(b[:3], prefix)
	copy(b[3:5], pod)
	b[5] = '0'
	for i := 14; i >= 6; i-- {
		b[i] = digits[n%62]
		n /= 62
	}
	putChecksum(&b)
	return string(b[:]), nil
}

// To18 validates s, a 15- or 18-character ID, and returns its 18-character
// form. An 18-character input is case-insensitive: its letters are given the
// case its checksum records, so "001B000000UNQ2VIAF" and
// "001b000000unq2viaf" both give "001B000000UnQ2vIAF".
func To18(s string) (string, error) {
	switch len(s) {
	case Len15:
		if i := badChar(s); i >= 0 {
			return "", invalid(s, "character %q at position %d is not a letter or digit", s[i], i+1)
		}
		var b [Len18]byte
		copy(b[:], s)
		putChecksum(&b)
		return string(b[:]), nil
	case Len18:
		if i := badChar(s); i >= 0 {
			return "", invalid(s, "character %q at position %d is not a letter or digit", s[i], i+1)
		}
		var b [Len18]byte
		copy(b[:], s)
		for block := range 3 {
			c := upper(b[15+block])
			bits := strings.IndexByte(checkSet, c)
			if bits < 0 {
				return "", invalid(s, "checksum character %q at position %d must be A-Z or 0-5", s[15+block], 16+block)
			}
			b[15+block] = c
			for j := range 5 {
				p := block*5 + j
				wantUpper := bits&(1<<j) != 0
				switch ch := b[p]; {
				case isLetter(ch) && wantUpper:
					b[p] = upper(ch)
				case isLetter(ch):
					b[p] = lower(ch)
				case wantUpper:
					return "", invalid(s, "checksum %q says character %d is an upper-case letter, but it is %q", s[15:], p+1, ch)
				}
			}
		}
		return string(b[:]), nil
	default:
		return "", invalid(s, "length %d, want 15 or 18", len(s))
	}
}

// To15 validates s and returns its 15-character, case-sensitive form.
func To15(s string) (string, error) {
	id, err := To18(s)
	if err != nil {
		return "", err
	}
	return id[:Len15], nil
}

// Valid reports whether s is a well-formed 15- or 18-character ID.
func Valid(s string) bool {
	_, err := To18(s)
	return err == nil
}

// Equal reports whether a and b name the same record: each may be in its 15-
// or 18-character form. Malformed IDs are equal to nothing.
func Equal(a, b string) bool {
	x, err := To18(a)
	if err != nil {
		return false
	}
	y, err := To18(b)
	return err == nil && x == y
}

// Checksum returns the three-character suffix of a 15-character ID.
func Checksum(id15 string) (string, error) {
	if len(id15) != Len15 {
		return "", invalid(id15, "length %d, want 15", len(id15))
	}
	id, err := To18(id15)
	if err != nil {
		return "", err
	}
	return id[Len15:], nil
}

// Decode validates s and returns its parts.
func Decode(s string) (Parts, error) {
	id, err := To18(s)
	if err != nil {
		return Parts{}, err
	}
	var n uint64
	for i := 6; i < Len15; i++ {
		n = n*62 + uint64(strings.IndexByte(digits, id[i]))
	}
	return Parts{Prefix: id[:3], Pod: id[3:5], Reserved: id[5], Number: n}, nil
}

// KeyPrefix returns the first three characters of s, or "" when s is shorter.
// It does not validate s.
func KeyPrefix(s string) string {
	if len(s) < 3 {
		return ""
	}
	return s[:3]
}

func putChecksum(b *[Len18]byte) {
	for block := range 3 {
		bits := 0
		for j := range 5 {
			if c := b[block*5+j]; c >= 'A' && c <= 'Z' {
				bits |= 1 << j
			}
		}
		b[15+block] = checkSet[bits]
	}
}

func badChar(s string) int {
	for i := range Len15 {
		if !isAlnum(s[i]) {
			return i
		}
	}
	return -1
}

func alnum(s string) bool {
	for i := range len(s) {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool  { return c >= '0' && c <= '9' || isLetter(c) }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c - 'A' + 'a'
	}
	return c
}
