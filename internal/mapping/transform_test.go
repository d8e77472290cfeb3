package mapping

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// bind builds one step for values of kind in, failing the test on error.
func bind(t *testing.T, name string, arg any, env Env, in Kind) Transform {
	t.Helper()
	s, err := NewStep(name, arg)
	if err != nil {
		t.Fatalf("NewStep(%s, %v): %v", name, arg, err)
	}
	tr, err := s.Bind(env, in)
	if err != nil {
		t.Fatalf("Bind(%s, %v): %v", name, in, err)
	}
	return tr
}

func jsonArg(t *testing.T, s string) any {
	t.Helper()
	if s == "" {
		return nil
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("arg %s: %v", s, err)
	}
	return v
}

func TestTransformsApply(t *testing.T) {
	t.Parallel()
	paris, _ := time.LoadLocation("Europe/Paris")
	frEnv := Env{Country: "FR", Location: paris, FieldLength: 10}
	at := time.Date(2024, 1, 31, 23, 30, 5, 0, time.UTC)
	tests := []struct {
		name    string
		step    string
		arg     string // JSON
		in      Value
		want    Value
		wantErr string
	}{
		{"trim", "trim", "", Text("  Acme \n"), Text("Acme"), ""},
		{"trim list", "trim", "", List(" a", "b "), List("a", "b"), ""},
		{"trim null", "trim", "", Null(), Null(), ""},
		{"upper", "upper", "", Text("Société générale"), Text("SOCIÉTÉ GÉNÉRALE"), ""},
		{"lower", "lower", "", Text("ÉCOLE"), Text("école"), ""},
		{"title", "title", "", Text("jean-luc O'NEIL"), Text("Jean-Luc O'Neil"), ""},
		{"default on null", "default", `"Unknown"`, Null(), Text("Unknown"), ""},
		{"default on blank", "default", `"Unknown"`, Text("  "), Text("Unknown"), ""},
		{"default keeps a value", "default", `"Unknown"`, Text("Acme"), Text("Acme"), ""},
		{"default number", "default", `0`, Null(), Int(0), ""},
		{"map", "map", `{"values": {"Hot": "Chaud", "Warm": "Tiède"}}`, Text("Hot"), Text("Chaud"), ""},
		{"map ignores case", "map", `{"values": {"Hot": "Chaud"}}`, Text("HOT"), Text("Chaud"), ""},
		{"map keeps unknown", "map", `{"values": {"Hot": "Chaud"}}`, Text("Cold"), Text("Cold"), ""},
		{"map otherwise", "map", `{"values": {"Hot": "Chaud"}, "otherwise": "Autre"}`, Text("Cold"), Text("Autre"), ""},
		{"map otherwise null", "map", `{"values": {"Hot": "Chaud"}, "otherwise": null}`, Text("Cold"), Text(""), ""},
		{"map list", "map", `{"values": {"Golf": "Le golf"}}`, List("Golf", "Tennis"), List("Le golf", "Tennis"), ""},
		{"map boolean", "map", `{"values": {"true": "Oui", "false": "Non"}}`, Bool(true), Text("Oui"), ""},
		{"format_date date", "format_date", `"DD/MM/YYYY"`, Date(at), Text("31/01/2024"), ""},
		{"format_date datetime in the workflow's zone", "format_date", `"DD/MM/YYYY HH:mm"`, DateTime(at), Text("01/02/2024 00:30"), ""},
		{"format_date datetime in the step's zone", "format_date", `{"layout": "YYYY-MM-DD hh:mm A", "timezone": "America/New_York"}`, DateTime(at), Text("2024-01-31 06:30 PM"), ""},
		{"format_date month names", "format_date", `"D MMMM YYYY"`, Date(at), Text("31 January 2024"), ""},
		{"format_date time", "format_date", `"HH:mm"`, TimeOfDay(at), Text("23:30"), ""},
		{"parse_date", "parse_date", `"DD/MM/YYYY"`, Text(" 05/03/2024 "), Date(time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)), ""},
		{"parse_date datetime in the workflow's zone", "parse_date", `"DD/MM/YYYY HH:mm"`, Text("01/02/2024 00:30"), DateTime(at.Add(-5 * time.Second)), ""},
		{"parse_date milliseconds", "parse_date", `"HH:mm:ss.SSS"`, Text("10:11:12.345"), TimeOfDay(time.Date(0, 1, 1, 10, 11, 12, 345e6, time.UTC)), ""},
		{"parse_date blank", "parse_date", `"DD/MM/YYYY"`, Text(""), Null(), ""},
		{"parse_date wrong", "parse_date", `"DD/MM/YYYY"`, Text("2024-03-05"), Null(), "expected a date written DD/MM/YYYY, like 31/01/2024"},
		{"parse_date impossible day", "parse_date", `"DD/MM/YYYY"`, Text("31/02/2024"), Null(), "expected a date"},
		{"format_number", "format_number", `{"decimals": 2, "decimal": ",", "thousands": " "}`, mustNumber(t, "1234.567"), Text("1 234,57"), ""},
		{"format_number decimals only", "format_number", `0`, mustNumber(t, "9.5"), Text("10"), ""},
		{"parse_number", "parse_number", `{"decimal": ","}`, Text("12,5"), mustNumber(t, "12.5"), ""},
		{"parse_number bad", "parse_number", ``, Text("12 apples"), Null(), "expected a number written like -1234567.50"},
		{"phone national", "phone", `"national"`, Text("+33 6 12 34 56 78"), Text("06 12 34 56 78"), ""},
		{"phone e164", "phone", `"e164"`, Text("06.12.34.56.78"), Text("+33612345678"), ""},
		{"phone bad", "phone", `"e164"`, Text("call me"), Null(), "only digits"},
		{"phone blank", "phone", `"e164"`, Text(""), Text(""), ""},
		{"concat", "concat", `" "`, List("Ada", "", "Lovelace"), Text("Ada Lovelace"), ""},
		{"concat nothing", "concat", `", "`, List("", ""), Null(), ""},
		{"split first", "split", `{"separator": " ", "part": 1}`, Text("Ada King Lovelace"), Text("Ada"), ""},
		{"split last", "split", `{"separator": " ", "part": -1}`, Text("Ada King Lovelace"), Text("Lovelace"), ""},
		{"split missing part", "split", `{"separator": "@", "part": 3}`, Text("ada@example.com"), Null(), ""},
		{"truncate to field length", "truncate", ``, Text("Société Générale"), Text("Société Gé"), ""},
		{"truncate n", "truncate", `3`, Text("Acme"), Text("Acm"), ""},
		{"truncate short", "truncate", `30`, Text("Acme"), Text("Acme"), ""},
		{"replace", "replace", `{"old": "-", "new": " "}`, Text("06-12-34"), Text("06 12 34"), ""},
		{"replace with nothing", "replace", `{"old": " Inc."}`, Text("Acme Inc."), Text("Acme"), ""},
	}
	for _, tt := range tests {
		in := tt.in.Kind()
		if in == KindNull {
			in = max(tt.want.Kind(), KindText)
		}
		tr := bind(t, tt.step, jsonArg(t, tt.arg), frEnv, in)
		got, err := tr.Apply(tt.in)
		if tt.wantErr != "" {
			if !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !Equal(got, tt.want) {
			t.Errorf("%s: got %v %q, want %v %q", tt.name, got.Kind(), got, tt.want.Kind(), tt.want)
		}
	}
}

// TestInverses checks every step with an inverse: transforming a value
// and applying the inverse gives the value back.
func TestInverses(t *testing.T) {
	t.Parallel()
	env := Env{Country: "FR", FieldLength: 20}
	at := DateTime(time.Date(2024, 1, 31, 9, 30, 0, 0, time.UTC))
	tests := []struct {
		step, arg string
		in        Value
		back      Value // what the inverse gives (the input, normalised)
	}{
		{"trim", "", Text("Acme"), Text("Acme")},
		{"default", `"n/a"`, Text("Acme"), Text("Acme")},
		{"map", `{"values": {"Hot": "Chaud", "Warm": "Tiède"}}`, Text("Warm"), Text("Warm")},
		{"map", `{"values": {"true": "Oui", "false": "Non"}}`, Bool(false), Bool(false)},
		{"map", `{"values": {"1": "one"}}`, Int(1), Int(1)},
		{"format_date", `"DD/MM/YYYY"`, Date(at.Time()), Date(at.Time())},
		{"format_date", `"YYYY-MM-DD HH:mm"`, at, at},
		{"parse_date", `"DD/MM/YYYY"`, Text("31/01/2024"), Text("31/01/2024")},
		{"format_number", `{"decimal": ",", "thousands": "."}`, mustNumber(t, "1234567.891"), mustNumber(t, "1234567.891")},
		{"parse_number", `{"decimal": ","}`, Text("12,5"), Text("12,5")},
		{"phone", `"national"`, Text("+33612345678"), Text("+33612345678")},
		{"phone", `"international"`, Text("+33612345678"), Text("+33612345678")},
		{"truncate", "", Text("short"), Text("short")},
	}
	for _, tt := range tests {
		tr := bind(t, tt.step, jsonArg(t, tt.arg), env, tt.in.Kind())
		inv, err := tr.Inverse()
		if err != nil {
			t.Errorf("%s %s: no inverse: %v", tt.step, tt.arg, err)
			continue
		}
		if inv.In() != tr.Out() || inv.Out() != tr.In() {
			t.Errorf("%s %s: inverse is %v->%v, want %v->%v", tt.step, tt.arg, inv.In(), inv.Out(), tr.Out(), tr.In())
		}
		out, err := tr.Apply(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.step, err)
		}
		back, err := inv.Apply(out)
		if err != nil || !Equal(back, tt.back) {
			t.Errorf("%s %s: %q -> %q -> %q, %v; want %q", tt.step, tt.arg, tt.in, out, back, err, tt.back)
		}
	}
}

func TestOneWay(t *testing.T) {
	t.Parallel()
	env := Env{Country: "FR", FieldLength: 20}
	tests := []struct {
		step, arg string
		in        Kind
		reason    string
	}{
		{"upper", "", KindText, "loses the original spelling"},
		{"title", "", KindText, "loses the original spelling"},
		{"map", `{"values": {"Hot": "Oui", "Warm": "oui"}}`, KindText, `"Hot" and "Warm" both become "oui"`},
		{"map", `{"values": {"Hot": "Chaud"}, "otherwise": "Autre"}`, KindText, "otherwise"},
		{"concat", "", KindList, "split back"},
		{"split", `{"separator": " ", "part": 1}`, KindText, "other parts are lost"},
		{"truncate", "5", KindText, "cutting to 5 characters"},
		{"replace", `{"old": "a", "new": "b"}`, KindText, "cannot be told apart"},
		{"format_date", `"DD/MM/YYYY"`, KindDateTime, "does not keep everything a datetime needs"},
	}
	for _, tt := range tests {
		tr := bind(t, tt.step, jsonArg(t, tt.arg), env, tt.in)
		_, err := tr.Inverse()
		if !errors.Is(err, ErrOneWay) || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("%s %s: inverse error %v, want ErrOneWay with %q", tt.step, tt.arg, err, tt.reason)
		}
	}
}

func TestStepErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		step, arg string
		wantErr   string
	}{
		{"trimm", "", `no transform "trimm"`},
		{"trim", `"x"`, "takes no argument"},
		{"default", `{"a": 1}`, "expected the value to use"},
		{"map", `{"Hot": "Chaud"}`, `the pairs go under "values"`},
		{"map", `{"values": {"a": "b"}, "else": "c"}`, "unknown key else (allowed: values, otherwise)"},
		{"map", `{"values": {}}`, "at least one"},
		{"map", `"Hot"`, "the pairs go under"},
		{"map", `{"values": {"a": ["b"]}}`, `value for "a": expected text`},
		{"format_date", `"dd/mm/yyyy"`, `"d" is neither a token`},
		{"parse_date", `"MM/YYYY"`, "needs the year, the month and the day"},
		{"parse_date", `"DD/MM/YYYY HH"`, "needs the minutes"},
		{"format_date", `"hh:mm"`, "needs A for AM/PM"},
		{"format_date", `"HH:mm:SSS"`, `SSS (milliseconds) must follow`},
		{"format_date", `"DD-MM-YYYY 2"`, `"2" is neither a token`},
		{"format_date", `{"layout": "DD/MM/YYYY", "timezone": "Mars/Olympus"}`, "not a known time zone"},
		{"format_date", `12`, "expected a layout"},
		{"format_number", `{"decimals": 40}`, "from 0 to 18"},
		{"format_number", `{"decimal": ",", "thousands": ","}`, "must differ"},
		{"format_number", `{"thousands": "."}`, `set decimal: ","`},
		{"format_number", `{"decimal": "1"}`, "not a digit"},
		{"parse_number", `2`, "expected nothing, or"},
		{"phone", `"local"`, "expected a format: e164, international or national"},
		{"phone", `{"format": "national", "country": "XX"}`, "no known numbering plan"},
		{"phone", `{"format": "national", "country_field": ""}`, `"country_field": expected the API name`},
		{"phone", `{"format": "national", "country_field": 3}`, `"country_field": expected the API name`},
		{"phone", `{"format": "national", "country_fields": "BillingCountry"}`, "unknown key country_fields"},
		{"concat", `["a"]`, "expected the separator"},
		{"split", `{"separator": ""}`, "separator"},
		{"split", `{"separator": " ", "part": 0}`, `"part:" a whole number`},
		{"split", `{"separator": " ", "part": 1.5}`, `"part:" a whole number`},
		{"truncate", `-1`, "positive number"},
		{"replace", `{"new": "x"}`, `"old:"`},
	}
	for _, tt := range tests {
		_, err := NewStep(tt.step, jsonArg(t, tt.arg))
		if !errors.Is(err, ErrBadStep) || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("NewStep(%s, %s) error %v, want %q", tt.step, tt.arg, err, tt.wantErr)
		}
	}
}

func TestBindErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		step, arg string
		env       Env
		in        Kind
		wantErr   string
	}{
		{"trim", "", Env{}, KindNumber, "trim takes a text or list value, not a number"},
		{"format_date", `"DD/MM/YYYY"`, Env{}, KindText, "format_date takes a date or datetime or time value, not a text"},
		{"format_date", `"DD/MM/YYYY HH:mm"`, Env{}, KindDate, "a date has none"},
		{"format_date", `"DD/MM/YYYY"`, Env{}, KindTime, "a time of day has none"},
		{"parse_date", `"DD/MM/YYYY"`, Env{}, KindDate, "parse_date takes a text value"},
		{"format_number", "", Env{}, KindText, "format_number takes a number value"},
		{"phone", `"national"`, Env{}, KindText, "needs a country"},
		{"concat", "", Env{}, KindText, "give the field several Salesforce fields"},
		{"truncate", "", Env{}, KindText, "this field has none"},
		{"default", `"abc"`, Env{}, KindNumber, `"abc" is not a number`},
		{"default", `"x"`, Env{}, KindAddress, "cannot fill a address"},
		{"map", `{"values": {"a": "b"}}`, Env{}, KindDate, "map takes a text or number or boolean or list value"},
	}
	for _, tt := range tests {
		s, err := NewStep(tt.step, jsonArg(t, tt.arg))
		if err != nil {
			t.Fatalf("NewStep(%s): %v", tt.step, err)
		}
		_, err = s.Bind(tt.env, tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Bind(%s %s, %v) error %v, want %q", tt.step, tt.arg, tt.in, err, tt.wantErr)
		}
	}
}

func TestChain(t *testing.T) {
	t.Parallel()
	steps := make([]*Step, 0, 3)
	for _, s := range []struct {
		name string
		arg  any
	}{{"trim", nil}, {"parse_date", "DD/MM/YYYY"}, {"format_date", "YYYY"}} {
		st, err := NewStep(s.name, s.arg)
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, st)
	}
	c, err := Bind(steps, Env{}, KindText)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Out(KindText); got != KindText {
		t.Errorf("chain out %v", got)
	}
	v, err := c.Apply(Text(" 05/03/2024 "))
	if err != nil || v.String() != "2024" {
		t.Errorf("chain gave %q, %v", v, err)
	}
	if got, want := c.String(), "trim | parse_date: DD/MM/YYYY | format_date: YYYY"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	_, err = c.Inverse()
	var se *StepError
	if !errors.As(err, &se) || se.Index != 2 || !errors.Is(err, ErrOneWay) {
		t.Errorf("inverse error %v, want one-way at step 2", err)
	}
	if _, err := Bind(steps, Env{}, KindNumber); !errors.As(err, &se) || se.Index != 0 {
		t.Errorf("Bind from a number: error %v, want at step 0", err)
	}
}

func TestStepJSON(t *testing.T) {
	t.Parallel()
	bare, _ := NewStep("trim", nil)
	withArg, _ := NewStep("phone", map[string]any{"format": "national", "country": "FR"})
	b, err := json.Marshal([]*Step{bare, withArg})
	if err != nil {
		t.Fatal(err)
	}
	if want := `["trim",{"phone":{"country":"FR","format":"national"}}]`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	if got, want := withArg.String(), "phone: {country: FR, format: national}"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
