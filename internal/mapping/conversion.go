package mapping

import (
	"fmt"
	"strings"
	"time"
)

// Verdict says whether values of one type can become another, and why not
// or how.
type Verdict struct {
	OK bool
	// Note says, when OK, what the conversion does if that is not obvious
	// ("joined with ;"), or what each value must look like.
	Note string
	// Reason says, when not OK, why.
	Reason string
	// Hint says, when not OK, how to make it work.
	Hint string
	// WithFormat is set when the conversion is refused as is but a format
	// transform (parse_date) makes it work.
	WithFormat bool
}

func allow(note string) Verdict { return Verdict{OK: true, Note: note} }

func refuse(reason, hint string) Verdict { return Verdict{Reason: reason, Hint: hint} }

// cast is the conversion table between value kinds. Conversions are allowed
// when they keep the information (a number into text) or when each value
// either converts exactly or fails with a clear per-row error (text into a
// number). They are refused when they would invent information (a date into
// a datetime needs a time of day), guess (text into a date: is 01/02 the
// first of February?) or lose it without the user asking (a datetime into a
// time of day). One deliberate loss is allowed: a datetime into a date,
// which is how sheets usually show "when".
func cast(from, to Kind) Verdict {
	if from == to {
		return allow("")
	}
	if to == KindText {
		switch from {
		case KindNumber:
			return allow("written as a plain decimal, 1234.5")
		case KindBool:
			return allow(`written "true" or "false"`)
		case KindDate:
			return allow("written 2024-01-31")
		case KindDateTime:
			return allow("written 2024-01-31T09:30:00Z (UTC)")
		case KindTime:
			return allow("written 09:30:00")
		case KindList:
			return allow(`values joined with ";"`)
		case KindAddress:
			return allow("written on one line: street, postal code and city, state, country")
		case KindLocation:
			return allow(`written "latitude, longitude"`)
		}
	}
	if from == KindText {
		switch to {
		case KindNumber:
			return allow("each value must be a number like 1234.5")
		case KindBool:
			return allow("each value must be true, false, yes, no, 1 or 0")
		case KindList:
			return allow(`split on ";"`)
		case KindDate, KindDateTime, KindTime:
			return Verdict{
				WithFormat: true,
				Reason:     fmt.Sprintf("text cannot become a %s without a layout (is 01/02/2024 in January or February?)", to),
				Hint:       `say how the text is written with a "parse_date: DD/MM/YYYY"-style step (on a two-way field, "format_date" works both ways)`,
			}
		case KindAddress:
			return refuse("free text cannot be split reliably into street, city, postal code and country",
				"map the address parts (Street, City, PostalCode ...) to columns of their own")
		case KindLocation:
			return refuse("free text cannot be read reliably as coordinates",
				"map the Latitude and Longitude parts to number columns")
		}
	}
	switch {
	case from == KindDateTime && to == KindDate:
		return allow("the day in the workflow's time zone; the time of day is dropped (from Salesforce to a sheet only)")
	case from == KindDate && to == KindDateTime:
		return refuse("a date has no time of day, and making one up would store a wrong instant",
			"use a date on both sides, or a datetime on both sides")
	case from == KindDateTime && to == KindTime:
		return refuse("the time of day of an instant depends on a time zone and drops the day",
			`use a datetime, or "format_date" into a text column`)
	}
	return refuse(fmt.Sprintf("a %s cannot become a %s", from, to), "map it to a column of a matching type")
}

// ToColumn says whether a value of kind from (a Salesforce field's, after
// the inbound transforms) can land in a column of type col.
func ToColumn(from Kind, col ColumnType) Verdict {
	switch {
	case !col.Valid():
		return refuse(fmt.Sprintf("%q is not a column type", col), "")
	case from == KindList && col == ColumnPicklist:
		return refuse("a multi-select value can hold several values and a picklist column holds one",
			`use a multi_picklist column, or "concat" the values into a text column`)
	case col.typedText() && from != KindText:
		return refuse(fmt.Sprintf("%s columns hold text, not a %s", col, from), "use a text column")
	}
	return cast(from, col.Kind())
}

// fieldToColumn says whether a field of type fieldType can land in a
// column of type col as it is (no transform in between). It is ToColumn,
// except that text with a meaning (a record ID, an e-mail, a phone number,
// a URL) does not become a number or a checkbox.
func fieldToColumn(fieldType string, col ColumnType) Verdict {
	kind, ok := FieldKind(fieldType)
	switch {
	case !ok:
		return refuse(fmt.Sprintf("sfbridge does not sync %s fields", fieldType), "leave this field out of the workflow")
	case typedTextField(fieldType) && fieldType != "picklist" && col.Kind() != KindText && col.Kind() != KindList:
		return refuse(fmt.Sprintf("%s fields hold text, not a %s", fieldType, col.Kind()), "use a text-like column")
	}
	return ToColumn(kind, col)
}

// ToField says whether a value of kind from (a cell's, after the outbound
// transforms) can be written to a Salesforce field of type fieldType.
func ToField(from Kind, fieldType string) Verdict {
	kind, ok := FieldKind(fieldType)
	switch {
	case !ok:
		return refuse(fmt.Sprintf("sfbridge does not sync %s fields", fieldType), "leave this field out of the workflow")
	case fieldType == "id":
		return refuse("the record ID is set by Salesforce and never written",
			"to update records by ID, use an update operation matched by id (the default)")
	case from == KindList && (fieldType == "picklist" || fieldType == "combobox"):
		return refuse("a multi-select value can hold several values and a picklist field holds one",
			"use a picklist column")
	case typedTextField(fieldType) && from != KindText:
		return refuse(fmt.Sprintf("%s fields hold text, not a %s", fieldType, from), "use a text-like column")
	case kind == KindAddress && from == KindAddress:
		return allow("written through the address parts (Street, City ...)")
	case kind == KindDate && from == KindDateTime:
		// The one loss cast allows is for showing a day in a sheet; written
		// back, it would silently drop the time of day the cell holds.
		return refuse("writing a datetime into a date field would drop its time of day",
			"use a date column, or make the field inbound")
	}
	return cast(from, kind)
}

// Rule returns the verdicts for a field of type fieldType and a column of
// type col with no transform in between: inbound (Salesforce to sheet) and
// outbound (sheet to Salesforce). This is the table in docs/workflows.md.
func Rule(fieldType string, col ColumnType) (in, out Verdict) {
	return fieldToColumn(fieldType, col), ToField(col.Kind(), fieldType)
}

// convert turns v into kind to, following the cast table. Null stays null.
// loc is the time zone a datetime's day is taken in.
func convert(v Value, to Kind, loc *time.Location) (Value, error) {
	if v.kind == KindNull || v.kind == to {
		return v, nil
	}
	switch to {
	case KindText:
		return Text(v.String()), nil
	case KindNumber:
		if v.kind == KindText {
			s := strings.TrimSpace(v.s)
			if s == "" {
				return Null(), nil
			}
			d, err := parseDecimal(s)
			if err != nil {
				return Value{}, badValue(v.s, "expected a number like 1234.5")
			}
			return Value{kind: KindNumber, s: d}, nil
		}
	case KindBool:
		if v.kind == KindText {
			return parseBool(v.s)
		}
	case KindList:
		if v.kind == KindText {
			return splitList(v.s), nil
		}
	case KindDate:
		if v.kind == KindDateTime {
			return Date(v.t.In(loc)), nil
		}
	}
	return Value{}, badValue(v.String(), "a %s cannot become a %s", v.kind, to)
}

// parseBool reads the usual spellings of a checkbox; blank is null.
func parseBool(s string) (Value, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1":
		return Bool(true), nil
	case "false", "no", "0":
		return Bool(false), nil
	case "":
		return Null(), nil
	}
	return Value{}, badValue(s, "expected true, false, yes, no, 1 or 0")
}

// splitList reads "a;b;c" (Salesforce's multi-select format); blanks are
// dropped, so "" is the empty list.
func splitList(s string) Value {
	var items []string
	for _, it := range strings.Split(s, ";") {
		if it = strings.TrimSpace(it); it != "" {
			items = append(items, it)
		}
	}
	return Value{kind: KindList, list: items}
}
