package sheet

import (
	"regexp"
	"testing"
)

func TestIdent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix, name string
		taken        []string
		want         string
	}{
		{"", "Account Name", nil, "account_name"},
		{"", "  Numéro de téléphone  ", nil, "numero_de_telephone"},
		{"", "Straße & Œuvre", nil, "strasse_oeuvre"},
		{"", "Amount (USD) / Year", nil, "amount_usd_year"},
		{"", "2024 Revenue", nil, "c_2024_revenue"},
		{"", "日本語", nil, "c"},
		{"", "__private__", nil, "private"},
		{"", "Name", []string{"name"}, "name_2"},
		{"", "Name!", []string{"name", "name_2"}, "name_3"},
		{"", "A very long column name that goes on and on beyond any reasonable length", nil, "a_very_long_column_name_that_goes_on_and"},
		{"", "Ends here_ and then some more words to cut", nil, "ends_here_and_then_some_more_words_to_cu"},
		{"sheet_", "Accounts", nil, "sheet_accounts"},
		{"sheet_", "2024", nil, "sheet_2024"},
		{"sheet_", "!!!", nil, "sheet"},
		{"sheet_", "Accounts", []string{"sheet_accounts"}, "sheet_accounts_2"},
	}
	for _, tt := range tests {
		taken := map[string]bool{}
		for _, s := range tt.taken {
			taken[s] = true
		}
		if got := ident(tt.prefix, tt.name, func(s string) bool { return taken[s] }); got != tt.want {
			t.Errorf("ident(%q, %q) = %q, want %q", tt.prefix, tt.name, got, tt.want)
		}
	}
}

var validIdent = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

func FuzzIdent(f *testing.F) {
	for _, s := range []string{"Account Name", "éé", "_", "9", "a__b", "Ω≈ç√"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		taken := map[string]bool{"name": true}
		id := ident("", name, func(s string) bool { return taken[s] })
		if !validIdent.MatchString(id) || len(id) > maxIdentLen+4 || taken[id] {
			t.Fatalf("ident(%q) = %q: not a fresh identifier of lowercase words", name, id)
		}
	})
}
