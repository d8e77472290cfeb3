package mapping

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

func mustNumber(t testing.TB, s string) Value {
	t.Helper()
	v, err := Number(s)
	if err != nil {
		t.Fatalf("Number(%q): %v", s, err)
	}
	return v
}

func TestNumberCanonical(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"-0.000", "0"},
		{"+12", "12"},
		{"007", "7"},
		{"12.50", "12.5"},
		{"1200", "1200"},
		{".5", "0.5"},
		{"5.", "5"},
		{"1e3", "1000"},
		{"1.5E-2", "0.015"},
		{"-123456789012345678.12", "-123456789012345678.12"}, // more digits than a float64 keeps
		{"0.1", "0.1"},
	}
	for _, tt := range tests {
		if got := mustNumber(t, tt.in).Str(); got != tt.want {
			t.Errorf("Number(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNumberRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "abc", "1/3", "0x1p4", "1,5", "--1", "1e", "1e99999", "Inf", "NaN", " 1"} {
		_, err := Number(in)
		if !errors.Is(err, ErrBadValue) {
			t.Errorf("Number(%q) error = %v, want ErrBadValue", in, err)
		}
	}
}

func TestFloatShortest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   float64
		want string
	}{{0.1, "0.1"}, {1e21, "1000000000000000000000"}, {-2.5, "-2.5"}, {100, "100"}, {1.0 / 3, "0.3333333333333333"}}
	for _, tt := range tests {
		if got := Float(tt.in).Str(); got != tt.want {
			t.Errorf("Float(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValueStringAndJSON(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 1, 31, 23, 30, 15, 123456789, paris)
	tests := []struct {
		name     string
		v        Value
		str, js  string
		wantKind Kind
	}{
		{"null", Null(), "", "null", KindNull},
		{"text", Text(`say "hi"`), `say "hi"`, `"say \"hi\""`, KindText},
		{"number", mustNumber(t, "1234.50"), "1234.5", "1234.5", KindNumber},
		{"bool", Bool(true), "true", "true", KindBool},
		{"date keeps the local day", Date(at), "2024-01-31", `"2024-01-31"`, KindDate},
		{"datetime in UTC, milliseconds", DateTime(at), "2024-01-31T22:30:15.123Z", `"2024-01-31T22:30:15.123Z"`, KindDateTime},
		{"time of day", TimeOfDay(at), "23:30:15.123", `"23:30:15.123"`, KindTime},
		{"list", List("a", "b"), "a;b", `["a","b"]`, KindList},
		{"empty list", List(), "", `[]`, KindList},
		{
			"address", AddressOf(Address{Street: "1 rue de Rivoli\nBât. B", City: "Paris", PostalCode: "75001", Country: "France"}),
			"1 rue de Rivoli, Bât. B, 75001 Paris, France",
			`{"street":"1 rue de Rivoli\nBât. B","city":"Paris","postalCode":"75001","country":"France"}`, KindAddress,
		},
		{"location", LocationOf(Location{Latitude: "48.8566", Longitude: "2.3522"}), "48.8566, 2.3522", `{"latitude":"48.8566","longitude":"2.3522"}`, KindLocation},
	}
	for _, tt := range tests {
		if tt.v.Kind() != tt.wantKind {
			t.Errorf("%s: kind %v, want %v", tt.name, tt.v.Kind(), tt.wantKind)
		}
		if got := tt.v.String(); got != tt.str {
			t.Errorf("%s: String() = %q, want %q", tt.name, got, tt.str)
		}
		b, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if string(b) != tt.js {
			t.Errorf("%s: JSON %s, want %s", tt.name, b, tt.js)
		}
	}
}

func TestCell(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 1, 31, 9, 30, 5, 0, time.UTC)
	tests := []struct {
		v    Value
		want any
	}{
		{Null(), nil},
		{Text("a"), "a"},
		{mustNumber(t, "12.5"), 12.5},
		{Bool(false), false},
		{Date(at), "2024-01-31"},
		{DateTime(at), "2024-01-31T09:30:05.000Z"},
		{TimeOfDay(at), "09:30:05.000"},
		{List("a", "b"), []string{"a", "b"}},
		{AddressOf(Address{City: "Lyon", Latitude: "45.76"}), map[string]any{"city": "Lyon", "latitude": 45.76}},
		{LocationOf(Location{Latitude: "1", Longitude: "2"}), "1, 2"},
	}
	for _, tt := range tests {
		if got := tt.v.Cell(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v.Cell() = %#v, want %#v", tt.v.Kind(), got, tt.want)
		}
	}
}

func TestEqualAndEmpty(t *testing.T) {
	t.Parallel()
	if !Equal(mustNumber(t, "1.50"), mustNumber(t, "1.5")) {
		t.Error("1.50 and 1.5 differ")
	}
	if Equal(Text("1"), mustNumber(t, "1")) {
		t.Error("text 1 equals number 1")
	}
	if !Equal(List("a"), List("a")) || Equal(List("a"), List("a", "b")) {
		t.Error("list equality")
	}
	for _, v := range []Value{Null(), Text("  "), List(), AddressOf(Address{})} {
		if !v.IsEmpty() {
			t.Errorf("%#v is not empty", v)
		}
	}
	for _, v := range []Value{Text("x"), Bool(false), Int(0)} {
		if v.IsEmpty() {
			t.Errorf("%v is empty", v)
		}
	}
}
