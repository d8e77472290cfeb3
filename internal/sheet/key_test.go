package sheet_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sheet"
)

func TestIndexAndKeyText(t *testing.T) {
	f := setup(t)
	sh, err := sheet.Create(t.Context(), f.st, "people", []sheet.Column{{Name: "email", Type: sheet.TypeEmail}, {Name: "score", Type: sheet.TypeNumber, Precision: 5, Scale: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ids, _, err := sh.Insert(t.Context(), f.st, sheet.Batch{Columns: []string{"email", "score"}, Origin: sheet.OriginUser, Rows: []sheet.Input{
		{Values: []any{"ada@example.com", 1.25}}, {Values: []any{"bob@example.com", nil}}, {Values: []any{"ada@example.com", "3"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		column string
		value  any
		want   []int64
	}{
		{"email", "ada@example.com", []int64{ids[0], ids[2]}},
		{"EMAIL", "bob@example.com", []int64{ids[1]}},
		{"score", "1.3", []int64{ids[0]}}, // rounded to the column's scale, as stored
		{"score", 3, []int64{ids[2]}},
		{"score", "3.0", []int64{ids[2]}},
		{"email", "carol@example.com", nil},
	} {
		index, err := sh.Index(t.Context(), f.st, tc.column)
		if err != nil {
			t.Fatal(err)
		}
		key, err := sh.KeyText(tc.column, tc.value)
		if err != nil {
			t.Fatalf("%s %v: %v", tc.column, tc.value, err)
		}
		if got := index[key]; !slices.Equal(got, tc.want) {
			t.Errorf("%s %v (key %q): rows %v, want %v", tc.column, tc.value, key, got, tc.want)
		}
	}
	var ve *sheet.ValueError
	if _, err := sh.KeyText("score", "many"); !errors.As(err, &ve) || ve.Column != "score" {
		t.Errorf("KeyText of a bad number: %v, want a sheet.ValueError", err)
	}
	if _, err := sh.Index(t.Context(), f.st, "nope"); !errors.Is(err, sheet.ErrUnknownColumn) {
		t.Errorf("Index of an unknown column: %v", err)
	}
}
