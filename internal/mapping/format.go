package mapping

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ---- date layouts ----

// A layout says how a date, datetime or time is written, with the tokens
// users know from spreadsheets rather than Go's reference time:
//
//	YYYY 2024   YY 24   MMMM January   MMM Jan   MM 01   M 1   DD 05   D 5
//	HH 09 (24 h)   hh 09 (12 h)   h 9 (12 h)   mm 30   ss 05   SSS 000 (after "." or ",")   A AM/PM
//
// and the separators space - / . : , T. Digits and other letters are
// refused: they would be taken as Go layout tokens.
type layout struct {
	text string // as written
	goL  string // the Go layout
	year, month, day,
	hour, minute, twelve, ampm bool
}

var layoutTokens = []struct{ tok, goTok string }{
	{"YYYY", "2006"}, {"MMMM", "January"}, {"MMM", "Jan"}, {"SSS", "000"},
	{"YY", "06"}, {"MM", "01"}, {"DD", "02"}, {"HH", "15"}, {"hh", "03"}, {"mm", "04"}, {"ss", "05"},
	{"M", "1"}, {"D", "2"}, {"h", "3"}, {"A", "PM"},
}

func parseLayout(s string) (layout, error) {
	l := layout{text: s}
	var b strings.Builder
	for i := 0; i < len(s); {
		matched := false
		for _, t := range layoutTokens {
			if !strings.HasPrefix(s[i:], t.tok) {
				continue
			}
			if t.tok == "SSS" && (i == 0 || (s[i-1] != '.' && s[i-1] != ',')) {
				return layout{}, fmt.Errorf("layout %q: SSS (milliseconds) must follow a \".\" or \",\"", s)
			}
			switch t.tok[0] {
			case 'Y':
				l.year = true
			case 'M':
				l.month = true
			case 'D':
				l.day = true
			case 'H':
				l.hour = true
			case 'h':
				l.hour, l.twelve = true, true
			case 'm':
				l.minute = true
			case 'A':
				l.ampm = true
			}
			b.WriteString(t.goTok)
			i += len(t.tok)
			matched = true
			break
		}
		if matched {
			continue
		}
		if !strings.ContainsRune(" -/.:,T", rune(s[i])) {
			return layout{}, fmt.Errorf("layout %q: %q is neither a token (YYYY MM DD HH mm ss ...) nor a separator (space - / . : , T)", s, s[i:i+1])
		}
		b.WriteByte(s[i])
		i++
	}
	l.goL = b.String()
	switch {
	case !l.hasDate() && !l.hour:
		return layout{}, fmt.Errorf("layout %q has no date or time token (YYYY MM DD HH mm ...)", s)
	case l.twelve != l.ampm:
		return layout{}, fmt.Errorf("layout %q: a 12-hour clock (hh, h) needs A for AM/PM, and A needs hh or h", s)
	}
	return l, nil
}

func (l layout) hasDate() bool { return l.year || l.month || l.day }

// readable checks that text in this layout can be read as a value: a day
// needs its year, month and day; a time needs its hour and minute.
func (l layout) readable() error {
	switch {
	case l.hasDate() && !(l.year && l.month && l.day):
		return fmt.Errorf("layout %q needs the year, the month and the day (YYYY, MM, DD) to be read", l.text)
	case l.hour && !l.minute:
		return fmt.Errorf("layout %q needs the minutes (mm) to be read", l.text)
	}
	return nil
}

// kind is what a text written in this layout reads as.
func (l layout) kind() Kind {
	switch {
	case l.hasDate() && l.hour:
		return KindDateTime
	case l.hasDate():
		return KindDate
	}
	return KindTime
}

// carries reports whether text in this layout keeps what a value of kind k
// needs to be read back: the day for a date, the hour and minute for a time,
// both for a datetime.
func (l layout) carries(k Kind) bool {
	date := l.year && l.month && l.day
	clock := l.hour && l.minute
	switch k {
	case KindDate:
		return date && !l.hour
	case KindTime:
		return clock && !l.hasDate()
	}
	return date && clock
}

// layoutArg reads format_date and parse_date arguments: a layout, or a map
// with layout and timezone.
func layoutArg(arg any) (layout, *time.Location, error) {
	var text string
	var tz *time.Location
	switch a := arg.(type) {
	case string:
		text = a
	case map[string]any:
		m, err := argMap(a, "layout", "timezone")
		if err != nil {
			return layout{}, nil, err
		}
		var ok bool
		if text, ok = m["layout"].(string); !ok {
			return layout{}, nil, errors.New(`expected "layout:", e.g. DD/MM/YYYY`)
		}
		if z, present := m["timezone"]; present {
			name, ok := z.(string)
			if !ok {
				return layout{}, nil, errors.New(`"timezone": expected a name like Europe/Paris`)
			}
			if tz, err = time.LoadLocation(name); err != nil {
				return layout{}, nil, fmt.Errorf("timezone %q: not a known time zone (use a name like Europe/Paris)", name)
			}
		}
	default:
		return layout{}, nil, errors.New("expected a layout such as DD/MM/YYYY, or {layout: ..., timezone: ...}")
	}
	l, err := parseLayout(text)
	return l, tz, err
}

// dateT formats (Date, DateTime, Time -> Text) or parses (Text -> the kind
// the layout carries) with a layout, in a time zone.
type dateT struct {
	kinds
	l   layout
	loc *time.Location
	tz  bool // the time zone was given on the step, not taken from the workflow
}

func dateParser(format bool) stepParser {
	return func(arg any) (builder, error) {
		l, tz, err := layoutArg(arg)
		if err == nil && !format {
			err = l.readable()
		}
		if err != nil {
			return nil, err
		}
		return func(env Env, in Kind) (Transform, error) {
			t := dateT{l: l, loc: tz, tz: tz != nil}
			if t.loc == nil {
				t.loc = env.location()
			}
			if !format {
				if in != KindText {
					return nil, wrongKind("parse_date", in, KindText)
				}
				t.kinds = kinds{KindText, l.kind()}
				return t, nil
			}
			switch {
			case in == KindDate && l.hour:
				return nil, fmt.Errorf("layout %q writes a time of day, and a date has none", l.text)
			case in == KindTime && l.hasDate():
				return nil, fmt.Errorf("layout %q writes a day, and a time of day has none", l.text)
			case in != KindDate && in != KindDateTime && in != KindTime:
				return nil, wrongKind("format_date", in, KindDate, KindDateTime, KindTime)
			}
			t.kinds = kinds{in, KindText}
			return t, nil
		}, nil
	}
}

func (t dateT) Apply(v Value) (Value, error) {
	if t.in != KindText {
		switch v.kind {
		case KindDate, KindTime:
			return Text(v.t.Format(t.l.goL)), nil
		case KindDateTime:
			return Text(v.t.In(t.loc).Format(t.l.goL)), nil
		}
		return v, nil
	}
	if v.kind != KindText {
		return v, nil
	}
	s := strings.TrimSpace(v.s)
	if s == "" {
		return Null(), nil
	}
	parsed, err := time.ParseInLocation(t.l.goL, s, t.loc)
	if err != nil {
		example := time.Date(2024, 1, 31, 9, 30, 0, 0, time.UTC).Format(t.l.goL)
		return Value{}, badValue(s, "expected a %s written %s, like %s", t.out, t.l.text, example)
	}
	switch t.out {
	case KindDate:
		return Date(parsed), nil
	case KindTime:
		return TimeOfDay(parsed), nil
	}
	return DateTime(parsed), nil
}

func (t dateT) Inverse() (Transform, error) {
	if t.in == KindText {
		return dateT{kinds{t.out, KindText}, t.l, t.loc, t.tz}, nil
	}
	if !t.l.carries(t.in) {
		return nil, oneWay(fmt.Sprintf("layout %q does not keep everything a %s needs to be read back", t.l.text, t.in))
	}
	return dateT{kinds{KindText, t.in}, t.l, t.loc, t.tz}, nil
}

func (t dateT) String() string {
	name := "format_date"
	if t.in == KindText {
		name = "parse_date"
	}
	if t.tz {
		return name + ": " + argText(map[string]any{"layout": t.l.text, "timezone": t.loc.String()})
	}
	return name + ": " + argText(t.l.text)
}

// ---- numbers ----

// numberArg reads format_number and parse_number arguments: nothing, a
// number of decimals (format only), or a map of decimals, decimal and
// thousands.
func numberArg(arg any, format bool) (numberFormat, error) {
	f := numberFormat{Decimals: -1}
	switch a := arg.(type) {
	case nil:
		return f, nil
	case map[string]any:
		allowed := []string{"decimal", "thousands"}
		if format {
			allowed = append([]string{"decimals"}, allowed...)
		}
		m, err := argMap(a, allowed...)
		if err != nil {
			return f, err
		}
		if d, present := m["decimals"]; present {
			n, ok := argInt(d)
			if !ok || n < 0 || n > 18 {
				return f, errors.New(`"decimals": expected a whole number from 0 to 18`)
			}
			f.Decimals = n
		}
		for key, dst := range map[string]*string{"decimal": &f.Decimal, "thousands": &f.Thousands} {
			if v, present := m[key]; present {
				s, ok := v.(string)
				if !ok || strings.ContainsAny(s, "0123456789+-") || len([]rune(s)) > 1 {
					return f, fmt.Errorf("%q: expected one character that is not a digit or a sign", key)
				}
				*dst = s
			}
		}
		if f.Decimal != "" && f.Decimal == f.Thousands {
			return f, errors.New(`"decimal" and "thousands" must differ`)
		}
		if f.Decimal == "" && f.Thousands == "." {
			return f, errors.New(`"thousands" is "." but "decimal" is not set; set decimal: ","`)
		}
		return f, nil
	}
	if n, ok := argInt(arg); ok && format && n >= 0 && n <= 18 {
		f.Decimals = n
		return f, nil
	}
	if format {
		return f, errors.New("expected a number of decimals, or {decimals: 2, decimal: \",\", thousands: \" \"}")
	}
	return f, errors.New("expected nothing, or {decimal: \",\", thousands: \" \"}")
}

// numberT formats (Number -> Text) or parses (Text -> Number) numbers.
type numberT struct {
	kinds
	f numberFormat
}

func numberParser(format bool) stepParser {
	return func(arg any) (builder, error) {
		f, err := numberArg(arg, format)
		if err != nil {
			return nil, err
		}
		return func(_ Env, in Kind) (Transform, error) {
			if format {
				if in != KindNumber {
					return nil, wrongKind("format_number", in, KindNumber)
				}
				return numberT{kinds{KindNumber, KindText}, f}, nil
			}
			if in != KindText {
				return nil, wrongKind("parse_number", in, KindText)
			}
			return numberT{kinds{KindText, KindNumber}, f}, nil
		}, nil
	}
}

func (t numberT) Apply(v Value) (Value, error) {
	switch {
	case t.in == KindNumber && v.kind == KindNumber:
		return Text(t.f.format(v.s)), nil
	case t.in == KindText && v.kind == KindText:
		if strings.TrimSpace(v.s) == "" {
			return Null(), nil
		}
		d, err := t.f.parse(v.s)
		if err != nil {
			return Value{}, badValue(v.s, "expected a number written like %s", t.f.example())
		}
		return Value{kind: KindNumber, s: d}, nil
	}
	return v, nil
}

// Inverse: formatting and parsing with the same separators undo each other
// (up to the rounding to Decimals the user chose).
func (t numberT) Inverse() (Transform, error) {
	f := t.f
	if t.in == KindText {
		f.Decimals = -1
	}
	return numberT{kinds{t.out, t.in}, f}, nil
}

func (t numberT) String() string {
	name := "format_number"
	if t.in == KindText {
		name = "parse_number"
	}
	arg := map[string]any{}
	if t.f.Decimals >= 0 && t.in == KindNumber {
		arg["decimals"] = t.f.Decimals
	}
	if t.f.Decimal != "" {
		arg["decimal"] = t.f.Decimal
	}
	if t.f.Thousands != "" {
		arg["thousands"] = t.f.Thousands
	}
	if len(arg) == 0 {
		return name
	}
	return name + ": " + argText(arg)
}
