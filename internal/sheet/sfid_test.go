package sheet

import (
	"strings"
	"testing"
)

func TestNormalizeID(t *testing.T) {
	t.Parallel()
	// Vectors from reference/salesforce-api.md §4.1.
	tests := []struct{ in, want, reason string }{
		{"001B000000UnQ2v", "001B000000UnQ2vIAF", ""},
		{"a0RE000000IJmcN", "a0RE000000IJmcNMAT", ""},
		{"a01M00000062mPg", "a01M00000062mPgIAI", ""},
		{"0F9E000000092w2", "0F9E000000092w2KAA", ""},
		{"AbCdEfGhIjKlMnO", "AbCdEfGhIjKlMnOVKV", ""},
		{"aBcDEfgHIJKLMNO", "aBcDEfgHIJKLMNO025", ""},
		{"001B000000UnQ2vIAF", "001B000000UnQ2vIAF", ""},
		{"001B000000UnQ2viaf", "001B000000UnQ2vIAF", ""},
		{"001B000000UnQ2vIAG", "", "do not match the checksum"},
		{"001b000000UnQ2vIAF", "", "do not match the checksum"},
		{"001B000000UnQ2", "", "15 or 18"},
		{"001B000000UnQ2-v", "", "15 or 18"},
		{"001B000000UnQ-v", "", "only letters and digits"},
		{"", "", "15 or 18"},
	}
	for _, tt := range tests {
		got, reason := NormalizeID(tt.in)
		if got != tt.want || !strings.Contains(reason, tt.reason) || (tt.reason == "") != (reason == "") {
			t.Errorf("NormalizeID(%q) = %q, %q; want %q, reason containing %q", tt.in, got, reason, tt.want, tt.reason)
		}
	}
}
