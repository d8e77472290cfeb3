package mapping

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRuleDecisions(t *testing.T) {
	t.Parallel()
	// The decisions the documentation promises, pinned one by one; the full
	// table is checked against docs/workflows.md by TestConversionTableDoc.
	tests := []struct {
		field       string
		col         ColumnType
		in, out     bool
		outFormat   bool   // outbound refused as is, allowed with a format step
		reasonWords string // part of the reason of a refusal
	}{
		{"datetime", ColumnDate, true, false, false, "no time of day"},
		{"date", ColumnText, true, false, true, "without a layout"},
		{"datetime", ColumnText, true, false, true, "without a layout"},
		{"string", ColumnText, true, true, false, ""},
		{"double", ColumnText, true, true, false, ""},
		{"string", ColumnNumber, true, true, false, ""}, // each value must read as a number
		{"currency", ColumnCurrency, true, true, false, ""},
		{"percent", ColumnNumber, true, true, false, ""},
		{"boolean", ColumnCheckbox, true, true, false, ""},
		{"boolean", ColumnNumber, false, false, false, "cannot become"},
		{"picklist", ColumnPicklist, true, true, false, ""},
		{"multipicklist", ColumnPicklist, false, true, false, "several values"},
		{"picklist", ColumnMultiPicklist, true, false, false, "several values"},
		{"multipicklist", ColumnText, true, true, false, ""},
		{"id", ColumnReference, true, false, false, "never written"},
		{"reference", ColumnReference, true, true, false, ""},
		{"reference", ColumnText, true, true, false, ""},
		{"address", ColumnAddress, true, true, false, ""},
		{"address", ColumnText, true, false, false, "split reliably"},
		{"location", ColumnText, true, false, false, "coordinates"},
		{"double", ColumnPhone, false, true, false, "phone columns hold text, not a number"},
		{"email", ColumnEmail, true, true, false, ""},
		{"phone", ColumnNumber, false, false, false, "phone fields hold text, not a number"},
		{"id", ColumnCheckbox, false, false, false, "id fields hold text, not a boolean"},
		{"time", ColumnTime, true, true, false, ""},
		{"datetime", ColumnTime, false, false, false, "time zone"},
		{"date", ColumnDateTime, false, false, false, "drop its time of day"},
	}
	for _, tt := range tests {
		in, out := Rule(tt.field, tt.col)
		if in.OK != tt.in || out.OK != tt.out || out.WithFormat != tt.outFormat {
			t.Errorf("Rule(%s, %s) = in %v, out %v (format %v); want in %v, out %v (format %v)",
				tt.field, tt.col, in.OK, out.OK, out.WithFormat, tt.in, tt.out, tt.outFormat)
			continue
		}
		if tt.reasonWords != "" {
			reasons := in.Reason + " | " + out.Reason
			if !strings.Contains(reasons, tt.reasonWords) {
				t.Errorf("Rule(%s, %s) reasons %q, want one with %q", tt.field, tt.col, reasons, tt.reasonWords)
			}
		}
		for _, v := range []Verdict{in, out} {
			if !v.OK && v.Hint == "" {
				t.Errorf("Rule(%s, %s): refusal %q has no hint", tt.field, tt.col, v.Reason)
			}
		}
	}
	for _, unsupported := range []string{"base64", "anyType", "encryptedstring"} {
		if in, out := Rule(unsupported, ColumnText); in.OK || out.OK {
			t.Errorf("Rule(%s, text) allowed", unsupported)
		}
	}
}

func TestConvert(t *testing.T) {
	t.Parallel()
	paris, _ := time.LoadLocation("Europe/Paris")
	late := DateTime(time.Date(2024, 1, 31, 23, 30, 0, 0, time.UTC))
	tests := []struct {
		name    string
		v       Value
		to      Kind
		loc     *time.Location
		want    string
		wantErr string
	}{
		{"null stays null", Null(), KindNumber, time.UTC, "", ""},
		{"number to text", mustNumber(t, "12.50"), KindText, time.UTC, "12.5", ""},
		{"text to number", Text(" 42 "), KindNumber, time.UTC, "42", ""},
		{"blank text to number is null", Text("  "), KindNumber, time.UTC, "", ""},
		{"bad number", Text("forty"), KindNumber, time.UTC, "", "expected a number"},
		{"yes to bool", Text("Yes"), KindBool, time.UTC, "true", ""},
		{"0 to bool", Text("0"), KindBool, time.UTC, "false", ""},
		{"bad bool", Text("maybe"), KindBool, time.UTC, "", "expected true, false"},
		{"text to list", Text("a; b;;c"), KindList, time.UTC, "a;b;c", ""},
		{"datetime to date in UTC", late, KindDate, time.UTC, "2024-01-31", ""},
		{"datetime to date in Paris", late, KindDate, paris, "2024-02-01", ""},
		{"date to datetime refused", Date(time.Now()), KindDateTime, time.UTC, "", "cannot become"},
		{"list to text", List("a", "b"), KindText, time.UTC, "a;b", ""},
	}
	for _, tt := range tests {
		got, err := convert(tt.v, tt.to, tt.loc)
		if tt.wantErr != "" {
			if !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got.String(), err, tt.want)
		}
		if !got.IsNull() && got.Kind() != tt.to {
			t.Errorf("%s: kind %v, want %v", tt.name, got.Kind(), tt.to)
		}
	}
}
