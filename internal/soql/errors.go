package soql

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Code is a Salesforce error code, as it appears in the errorCode member of a
// REST error body.
type Code string

// The error codes the parser and the query engine report.
const (
	CodeMalformedQuery          Code = "MALFORMED_QUERY"
	CodeMalformedSearch         Code = "MALFORMED_SEARCH"
	CodeInvalidField            Code = "INVALID_FIELD"
	CodeInvalidType             Code = "INVALID_TYPE"
	CodeNumberOutsideValidRange Code = "NUMBER_OUTSIDE_VALID_RANGE"
)

// Sentinels, one per Code, so callers can test with errors.Is:
//
//	if errors.Is(err, soql.ErrMalformedQuery) { ... }
var (
	ErrMalformedQuery          = errors.New("malformed query")
	ErrMalformedSearch         = errors.New("malformed search")
	ErrInvalidField            = errors.New("invalid field")
	ErrInvalidType             = errors.New("invalid type")
	ErrNumberOutsideValidRange = errors.New("number outside valid range")
)

var sentinels = map[Code]error{
	CodeMalformedQuery:          ErrMalformedQuery,
	CodeMalformedSearch:         ErrMalformedSearch,
	CodeInvalidField:            ErrInvalidField,
	CodeInvalidType:             ErrInvalidType,
	CodeNumberOutsideValidRange: ErrNumberOutsideValidRange,
}

// Error is a query error as Salesforce reports it: a code, the position in
// the query text (Row and Column, 0 when Salesforce gives none) and a message.
// Error() renders it the way the REST API's message member does, with the
// offending line of the query and a caret:
//
//	\nSELECT Id FRM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'Account'
type Error struct {
	Code    Code
	Row     int
	Column  int
	Message string

	query string // the query text, to render the offending line
}

// NewError returns an error at pos in query. A zero pos gives an error
// without position, rendered as the bare message.
func NewError(code Code, query string, pos Pos, message string) *Error {
	return &Error{Code: code, Row: pos.Line, Column: pos.Col, Message: message, query: query}
}

func errorf(code Code, query string, pos Pos, format string, args ...any) *Error {
	return NewError(code, query, pos, fmt.Sprintf(format, args...))
}

// Error renders the error like the message of a Salesforce REST error.
func (e *Error) Error() string {
	if e.Row == 0 {
		return e.Message
	}
	line := lineOf(e.query, e.Row)
	snippet, caret := window(line, e.Column)
	return "\n" + snippet + "\n" + strings.Repeat(" ", caret) + "^\nERROR at Row:" +
		fmt.Sprint(e.Row) + ":Column:" + fmt.Sprint(e.Column) + "\n" + e.Message
}

// Unwrap returns the sentinel of the error's code.
func (e *Error) Unwrap() error { return sentinels[e.Code] }

// lineOf returns the n-th line (1-based) of s.
func lineOf(s string, n int) string {
	for i := 1; i < n; i++ {
		j := strings.IndexByte(s, '\n')
		if j < 0 {
			return ""
		}
		s = s[j+1:]
	}
	if j := strings.IndexByte(s, '\n'); j >= 0 {
		s = s[:j]
	}
	return strings.TrimSuffix(s, "\r")
}

// Snippet window: Salesforce shows a long line only around the error, about
// 30 characters before it and 40 after, cut at word boundaries.
const (
	windowBefore = 30
	windowAfter  = 40
	windowWhole  = windowBefore + windowAfter
)

// window returns the part of line to show for an error at column col
// (1-based, in characters) and the number of spaces before the caret.
func window(line string, col int) (string, int) {
	caret := max(col-1, 0)
	runes := []rune(line)
	if len(runes) <= windowWhole || caret >= len(runes) {
		return line, caret
	}
	start := max(caret-windowBefore, 0)
	for start > 0 && start < caret && !isSpaceOrPunct(runes[start-1]) {
		start++
	}
	for start < caret && runes[start] == ' ' {
		start++
	}
	end := min(caret+windowAfter, len(runes))
	for end < len(runes) && end > caret+1 && !isSpaceOrPunct(runes[end]) {
		end--
	}
	return string(runes[start:end]), caret - start
}

func isSpaceOrPunct(r rune) bool {
	return r == ' ' || r == '\t' || r == ',' || r == '(' || r == ')' || r == '=' || r == utf8.RuneError
}
