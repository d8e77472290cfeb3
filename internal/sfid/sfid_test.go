package sfid

import (
	"errors"
	"strings"
	"testing"
)

// The documented vectors (salesforce-api.md §4.1), including a real ID.
var vectors = []struct{ in15, want18 string }{
	{"001B000000UnQ2v", "001B000000UnQ2vIAF"},
	{"a0RE000000IJmcN", "a0RE000000IJmcNMAT"},
	{"a01M00000062mPg", "a01M00000062mPgIAI"},
	{"0F9E000000092w2", "0F9E000000092w2KAA"},
	{"AbCdEfGhIjKlMnO", "AbCdEfGhIjKlMnOVKV"},
	{"aBcDEfgHIJKLMNO", "aBcDEfgHIJKLMNO025"},
}

func TestTo18Vectors(t *testing.T) {
	t.Parallel()
	for _, v := range vectors {
		got, err := To18(v.in15)
		if err != nil || got != v.want18 {
			t.Errorf("To18(%q) = %q, %v; want %q", v.in15, got, err, v.want18)
		}
		sum, err := Checksum(v.in15)
		if err != nil || sum != v.want18[15:] {
			t.Errorf("Checksum(%q) = %q, %v; want %q", v.in15, sum, err, v.want18[15:])
		}
		// The 18-character form is idempotent and case-insensitive.
		for _, in := range []string{v.want18, strings.ToUpper(v.want18), strings.ToLower(v.want18)} {
			got, err := To18(in)
			if err != nil || got != v.want18 {
				t.Errorf("To18(%q) = %q, %v; want %q", in, got, err, v.want18)
			}
		}
		if got, err := To15(strings.ToLower(v.want18)); err != nil || got != v.in15 {
			t.Errorf("To15(lower %q) = %q, %v; want %q", v.want18, got, err, v.in15)
		}
	}
}

func TestTo18Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, reason string
	}{
		{"", "length 0, want 15 or 18"},
		{"001B000000UnQ2", "length 14, want 15 or 18"},
		{"001B000000UnQ2vIA", "length 17, want 15 or 18"},
		{"001B000000UnQ-v", `character '-' at position 14 is not a letter or digit`},
		{"001B000000UnQ2vIA!", `checksum character '!' at position 18 must be A-Z or 0-5`},
		{"001B000000UnQ2vIA9", `checksum character '9' at position 18 must be A-Z or 0-5`},
		// Checksum 'B' says the first character is upper case, but it is a digit.
		{"001B000000UnQ2vBAF", `checksum "BAF" says character 1 is an upper-case letter, but it is '0'`},
		{"001B000000UnQ2v\x00AF", `checksum character '\x00' at position 16 must be A-Z or 0-5`},
	}
	for _, tt := range tests {
		_, err := To18(tt.in)
		var e *Error
		if !errors.As(err, &e) || e.Reason != tt.reason || e.Input != tt.in || !errors.Is(err, ErrInvalid) {
			t.Errorf("To18(%q) error = %v; want reason %q", tt.in, err, tt.reason)
		}
		if Valid(tt.in) {
			t.Errorf("Valid(%q) = true", tt.in)
		}
	}
}

func TestNewAndDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix, pod string
		n           uint64
		want        string
	}{
		{"001", "B0", 0, "001B00000000000"},
		{"001", "B0", 61, "001B0000000000z"},
		{"003", "5e", 62, "0035e0000000010"},
		{"a00", "xY", MaxNumber, "a00xY0zzzzzzzzz"},
	}
	for _, tt := range tests {
		got, err := New(tt.prefix, tt.pod, tt.n)
		want18, _ := To18(tt.want)
		if err != nil || got != want18 {
			t.Errorf("New(%q, %q, %d) = %q, %v; want %q", tt.prefix, tt.pod, tt.n, got, err, want18)
			continue
		}
		p, err := Decode(strings.ToUpper(got))
		if err != nil || p != (Parts{Prefix: tt.prefix, Pod: tt.pod, Reserved: '0', Number: tt.n}) {
			t.Errorf("Decode(%q) = %+v, %v", got, p, err)
		}
	}
	for _, bad := range []struct {
		prefix, pod string
		n           uint64
	}{{"01", "B0", 1}, {"001", "B", 1}, {"0_1", "B0", 1}, {"001", "B0", MaxNumber + 1}} {
		if id, err := New(bad.prefix, bad.pod, bad.n); !errors.Is(err, ErrInvalid) {
			t.Errorf("New(%q, %q, %d) = %q, %v; want an error", bad.prefix, bad.pod, bad.n, id, err)
		}
	}
}

// IDs of one object and pod sort in record-number order, which the emulator
// relies on for its Id-ordered indexes.
func TestNewSortsByNumber(t *testing.T) {
	t.Parallel()
	prev := ""
	for _, n := range []uint64{0, 9, 10, 35, 36, 61, 62, 3843, 3844, 1 << 40, MaxNumber} {
		id, err := New("006", "Zz", n)
		if err != nil {
			t.Fatal(err)
		}
		if id[:15] <= prev {
			t.Fatalf("New(%d) = %q does not sort after %q", n, id, prev)
		}
		prev = id[:15]
	}
}

func TestEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"001B000000UnQ2v", "001B000000UnQ2vIAF", true},
		{"001B000000UnQ2vIAF", "001b000000unq2viaf", true},
		{"001B000000UnQ2v", "001B000000UNQ2V", false}, // 15-character IDs are case-sensitive
		{"001B000000UnQ2v", "001B000000UnQ2w", false},
		{"bad", "bad", false},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%q, %q) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
	if KeyPrefix("001B000000UnQ2v") != "001" || KeyPrefix("00") != "" {
		t.Error("KeyPrefix")
	}
}

func FuzzTo18(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.in15)
		f.Add(v.want18)
	}
	f.Add("001B000000UnQ2vBAF")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := To18(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("To18(%q) error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		if len(id) != Len18 {
			t.Fatalf("To18(%q) = %q, length %d", s, id, len(id))
		}
		if again, err := To18(id); err != nil || again != id {
			t.Fatalf("To18 not idempotent: %q -> %q, %v", id, again, err)
		}
		if from15, err := To18(id[:15]); err != nil || from15 != id {
			t.Fatalf("checksum of %q: To18(%q) = %q, %v", id, id[:15], from15, err)
		}
		for _, folded := range []string{strings.ToUpper(id), strings.ToLower(id)} {
			if got, err := To18(folded); err != nil || got != id {
				t.Fatalf("To18(%q) = %q, %v; want %q", folded, got, err, id)
			}
		}
		if len(s) == Len15 && id[:15] != s {
			t.Fatalf("To18 changed the 15 characters of %q: %q", s, id)
		}
		p, err := Decode(id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Reserved == '0' {
			if back, err := New(p.Prefix, p.Pod, p.Number); err != nil || back != id {
				t.Fatalf("New(Decode(%q)) = %q, %v", id, back, err)
			}
		}
	})
}
