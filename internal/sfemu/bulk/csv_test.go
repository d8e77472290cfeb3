package bulk

import (
	"errors"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/query"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

func TestAppendRow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, delim, eol string
		lead, cells      []string
		want             string
	}{
		{"plain", "COMMA", "LF", nil, []string{"a", "b"}, "\"a\",\"b\"\n"},
		{"quotes doubled", "COMMA", "LF", nil, []string{`say "hi"`, `""`}, "\"say \"\"hi\"\"\",\"\"\"\"\"\"\n"},
		{"delimiter and newline kept in quotes", "COMMA", "CRLF", nil, []string{"a,b", "c\nd"}, "\"a,b\",\"c\nd\"\r\n"},
		{"lead then cells", "TAB", "LF", []string{"001", "true"}, []string{"x"}, "\"001\"\t\"true\"\t\"x\"\n"},
		{"lead only", "PIPE", "LF", []string{"001", "true"}, nil, "\"001\"|\"true\"\n"},
		{"empty cells", "CARET", "LF", nil, []string{"", ""}, "\"\"^\"\"\n"},
		{"backquote", "BACKQUOTE", "CRLF", nil, []string{"a", "b"}, "\"a\"`\"b\"\r\n"},
		{"semicolon", "SEMICOLON", "LF", nil, []string{"a"}, "\"a\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := newDialect(tc.delim, tc.eol)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(d.appendRow(nil, tc.lead, tc.cells)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFormatCell(t *testing.T) {
	t.Parallel()
	dt := time.Date(2024, 1, 31, 10, 0, 0, 123e6, time.UTC)
	for _, tc := range []struct {
		typ  schema.FieldType
		v    any
		want string
	}{
		{schema.TypeDateTime, dt, "2024-01-31T10:00:00.123Z"},
		{schema.TypeDateTime, dt.In(time.FixedZone("x", 3600)), "2024-01-31T10:00:00.123Z"},
		{schema.TypeDate, time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), "2024-01-31"},
		{schema.TypeCurrency, 912260031.0, "9.12260031E8"},
		{schema.TypeDouble, 1500.0, "1500.0"},
		{schema.TypeInt, int64(2676), "2676"},
		{schema.TypeBoolean, true, "true"},
		{schema.TypeString, nil, ""},
		{schema.TypeTime, "15:04:05.000Z", "15:04:05.000Z"},
	} {
		if got := formatCell(tc.typ, tc.v); got != tc.want {
			t.Errorf("formatCell(%s, %v) = %q, want %q", tc.typ, tc.v, got, tc.want)
		}
	}
}

func TestSFError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  *schema.Error
		want string
	}{
		{schema.NewError("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", "LastName"),
			"REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"},
		{schema.NewError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"),
			"INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--"},
		{schema.NewError("FIELD_INTEGRITY_EXCEPTION", "bad: a:b", "A", "B"), "FIELD_INTEGRITY_EXCEPTION:bad: a:b:A,B --"},
	} {
		if got := sfError(tc.err); got != tc.want {
			t.Errorf("sfError(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestLocator(t *testing.T) {
	t.Parallel()
	if got := encodeLocator(10000); got != "MTAwMDA" { // as Salesforce's documentation shows
		t.Errorf("encodeLocator(10000) = %q, want MTAwMDA", got)
	}
	for _, n := range []int{0, 1, 999, 123456789} {
		if got, ok := decodeLocator(encodeLocator(n)); !ok || got != n {
			t.Errorf("round trip of %d gave %d, %t", n, got, ok)
		}
	}
	for _, bad := range []string{"", "!!", "LTE", "YWJj"} { // "", not base64, "-1", "abc"
		if n, ok := decodeLocator(bad); ok {
			t.Errorf("decodeLocator(%q) = %d, want refused", bad, n)
		}
	}
}

// standardSchema is the standard objects, as the org's schema.
type standardSchema struct{}

func (standardSchema) Registry() *schema.Registry { return schema.Standard() }

func TestNewConfig(t *testing.T) {
	t.Parallel()
	good := Config{Clock: clock.New(), Schema: standardSchema{}, Query: query.New(nil)}
	for name, mutate := range map[string]func(*Config){
		"no clock":           func(c *Config) { c.Clock = nil },
		"no schema":          func(c *Config) { c.Schema = nil },
		"no query":           func(c *Config) { c.Query = nil },
		"negative page size": func(c *Config) { c.MaxRecords = -1 },
	} {
		c := good
		mutate(&c)
		if _, err := New(c); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: New returned %v, want ErrInvalidConfig", name, err)
		}
	}
	h, err := New(good)
	if err != nil {
		t.Fatal(err)
	}
	if h.cfg.ProcessingDelay != DefaultProcessingDelay || h.cfg.MaxRecords != DefaultMaxRecords {
		t.Errorf("defaults: delay %s, page %d", h.cfg.ProcessingDelay, h.cfg.MaxRecords)
	}
	good.ProcessingDelay = -1
	if h, err = New(good); err != nil || h.cfg.ProcessingDelay != 0 {
		t.Errorf("a negative delay gave %v, %v; want no delay", h.cfg.ProcessingDelay, err)
	}
}
