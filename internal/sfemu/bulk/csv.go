package bulk

import (
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// dialect is a job's CSV format: its column delimiter and line ending.
type dialect struct {
	name       string // columnDelimiter: COMMA, TAB, PIPE, SEMICOLON, CARET or BACKQUOTE
	delim      rune
	lineEnding string // LF or CRLF
}

var delimiters = map[string]rune{
	"COMMA": ',', "TAB": '\t', "PIPE": '|', "SEMICOLON": ';', "CARET": '^', "BACKQUOTE": '`',
}

// newDialect checks a job's columnDelimiter and lineEnding; empty means
// COMMA and LF.
func newDialect(delim, lineEnding string) (dialect, error) {
	if delim == "" {
		delim = "COMMA"
	}
	if lineEnding == "" {
		lineEnding = "LF"
	}
	r, ok := delimiters[delim]
	if !ok {
		return dialect{}, invalidJob("Invalid columnDelimiter %q: use COMMA, TAB, PIPE, SEMICOLON, CARET or BACKQUOTE", delim)
	}
	if lineEnding != "LF" && lineEnding != "CRLF" {
		return dialect{}, invalidJob("Invalid lineEnding %q: use LF or CRLF", lineEnding)
	}
	return dialect{name: delim, delim: r, lineEnding: lineEnding}, nil
}

func (d dialect) eol() string {
	if d.lineEnding == "CRLF" {
		return "\r\n"
	}
	return "\n"
}

// appendRow appends a row of Bulk CSV, the cells of lead then those of
// cells: every cell in double quotes (quotes doubled), separated by the
// delimiter, ended by the line ending.
func (d dialect) appendRow(dst []byte, lead, cells []string) []byte {
	for i, c := range lead {
		if i > 0 {
			dst = append(dst, string(d.delim)...)
		}
		dst = appendQuoted(dst, c)
	}
	for i, c := range cells {
		if i > 0 || len(lead) > 0 {
			dst = append(dst, string(d.delim)...)
		}
		dst = appendQuoted(dst, c)
	}
	return append(dst, d.eol()...)
}

func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		dst = append(dst, s[:i+1]...)
		dst = append(dst, '"')
		s = s[i+1:]
	}
	dst = append(dst, s...)
	return append(dst, '"')
}

// csvDateTime is how Bulk CSV writes datetimes: UTC with a Z.
const csvDateTime = "2006-01-02T15:04:05.000Z"

// formatCell renders a canonical value as a Bulk CSV cell: empty for null,
// datetimes as 2024-01-31T10:00:00.000Z, doubles as Java prints them
// (9.12260031E8), the rest as the REST API writes them.
func formatCell(t schema.FieldType, v any) string {
	if ts, ok := v.(time.Time); ok && t == schema.TypeDateTime {
		return ts.UTC().Format(csvDateTime)
	}
	return schema.FormatValue(t, v)
}
