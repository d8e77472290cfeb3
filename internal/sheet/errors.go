package sheet

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrInvalidValue is wrapped by every ValueError: a value does not fit
	// its column.
	ErrInvalidValue = errors.New("sheet: invalid value")

	// ErrInvalidColumn means a column definition cannot be used: a bad
	// name, an unknown type, options that do not fit the type.
	ErrInvalidColumn = errors.New("sheet: invalid column")

	// ErrUnknownColumn means a batch, a filter or a lookup names a column
	// the sheet does not have.
	ErrUnknownColumn = errors.New("sheet: unknown column")

	// ErrInvalidName means a sheet name cannot be used.
	ErrInvalidName = errors.New("sheet: invalid sheet name")

	// ErrInvalidQuery means a filter cannot be applied: an operator that
	// does not fit the column's type, a value where none is expected, an
	// unknown status.
	ErrInvalidQuery = errors.New("sheet: invalid query")

	// ErrInvalidBatch means a batch is malformed: a column listed twice,
	// rows without the values of every column, no Salesforce ID where one
	// is the key, an unknown origin.
	ErrInvalidBatch = errors.New("sheet: invalid batch")
)

// ValueError reports a value that does not fit its column: which row,
// which column, what is wrong and how to fix it.
type ValueError struct {
	Row    int    // 1-based position of the row in its batch; 0 outside a batch (filters)
	SFID   string // the row's Salesforce ID, when it has one
	Column string // the column's user-facing name
	Type   Type
	Value  string    // the offending value, shortened for display
	Code   ValueCode // what is wrong, as a stable code for translated messages
	Reason string    // what is wrong and how to fix it, in English
}

// ValueCode says, as a stable code, why a value does not fit its column.
// Interfaces that speak other languages than English key their messages by
// it (ADR 0315); ValueError.Reason keeps the English sentence.
type ValueCode string

// The value codes.
const (
	ValueNotText       ValueCode = "not_text"        // a non-string given for a text-like column
	ValueBadText       ValueCode = "bad_text"        // invalid UTF-8 or a NUL character
	ValueTooLong       ValueCode = "too_long"        // more characters than the column allows
	ValueLineBreak     ValueCode = "line_break"      // a line break in a single-line column
	ValueNotInPicklist ValueCode = "not_in_picklist" // not one of the column's values
	ValueNotList       ValueCode = "not_list"        // a multi-picklist value that is not a list of strings
	ValueNotEmail      ValueCode = "not_email"
	ValueNotURL        ValueCode = "not_url"
	ValueNotNumber     ValueCode = "not_number" // not a finite number
	ValueTooManyDigits ValueCode = "too_many_digits"
	ValueNotCheckbox   ValueCode = "not_checkbox"
	ValueNotDate       ValueCode = "not_date"
	ValueNotDateTime   ValueCode = "not_datetime"
	ValueNotTime       ValueCode = "not_time"
	ValueNotAddress    ValueCode = "not_address"
	ValueNotID         ValueCode = "not_id"    // not a Salesforce ID (nor, for a reference, a row reference)
	ValueRequired      ValueCode = "required"  // empty where a value is needed
	ValueReadOnly      ValueCode = "read_only" // a system column: the API refuses it, package sheet does not (ADR 0315)
)

// ValueCodes lists every value code, for interfaces that check they word
// each one.
var ValueCodes = []ValueCode{ValueNotText, ValueBadText, ValueTooLong, ValueLineBreak, ValueNotInPicklist, ValueNotList,
	ValueNotEmail, ValueNotURL, ValueNotNumber, ValueTooManyDigits, ValueNotCheckbox, ValueNotDate, ValueNotDateTime,
	ValueNotTime, ValueNotAddress, ValueNotID, ValueRequired, ValueReadOnly}

func (e *ValueError) Error() string {
	var b strings.Builder
	if e.Row > 0 {
		fmt.Fprintf(&b, "row %d", e.Row)
		if e.SFID != "" {
			fmt.Fprintf(&b, " (Salesforce ID %s)", e.SFID)
		}
		b.WriteString(", ")
	}
	fmt.Fprintf(&b, "column %q (%s): %s", e.Column, e.Type, e.Value)
	if e.Reason != "" {
		b.WriteString(" ")
		b.WriteString(e.Reason)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalidValue) true.
func (e *ValueError) Unwrap() error { return ErrInvalidValue }

// maxReported is how many value errors a ValidationError keeps.
const maxReported = 20

// ValidationError collects the invalid values of a batch, which is then not
// written at all.
type ValidationError struct {
	Errors []*ValueError // the first invalid values, at most 20
	Total  int           // how many values were invalid
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	if e.Total == 1 {
		b.WriteString("sheet: 1 invalid value, nothing was written: ")
	} else {
		fmt.Fprintf(&b, "sheet: %d invalid values, nothing was written: ", e.Total)
	}
	for i, ve := range e.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(ve.Error())
	}
	if e.Total > len(e.Errors) {
		fmt.Fprintf(&b, "; and %d more", e.Total-len(e.Errors))
	}
	return b.String()
}

// Unwrap returns the collected value errors, so errors.As finds the first
// and errors.Is(err, ErrInvalidValue) holds.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, ve := range e.Errors {
		errs[i] = ve
	}
	return errs
}

// add records a value error.
func (e *ValidationError) add(ve *ValueError) {
	e.Total++
	if len(e.Errors) < maxReported {
		e.Errors = append(e.Errors, ve)
	}
}

// orNil returns e when it holds errors, else nil.
func (e *ValidationError) orNil() error {
	if e.Total == 0 {
		return nil
	}
	return e
}
