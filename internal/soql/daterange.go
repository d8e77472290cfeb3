package soql

import (
	"strings"
	"time"
)

// period is the unit a relative date literal counts in.
type period int

const (
	periodDay period = iota + 1
	periodWeek
	periodMonth
	periodQuarter
	periodYear
	periodFiscalQuarter
	periodFiscalYear
)

// shape says which periods, relative to the current one, a literal covers.
type shape int

const (
	shapeThis  shape = iota // the current period
	shapeLast               // the previous period
	shapeNext               // the next period
	shapeLastN              // the n periods before the current one (LAST_N_DAYS also covers today)
	shapeNextN              // the n periods after the current one
	shapeNAgo               // the period n periods back
)

type dateLiteralInfo struct {
	unit   period
	shape  shape
	takesN bool
	fixedN int // LAST_90_DAYS and NEXT_90_DAYS
}

// dateLiterals lists every relative date literal, keyed by name.
var dateLiterals = map[string]dateLiteralInfo{
	"YESTERDAY":    {unit: periodDay, shape: shapeLast},
	"TODAY":        {unit: periodDay, shape: shapeThis},
	"TOMORROW":     {unit: periodDay, shape: shapeNext},
	"LAST_90_DAYS": {unit: periodDay, shape: shapeLastN, fixedN: 90},
	"NEXT_90_DAYS": {unit: periodDay, shape: shapeNextN, fixedN: 90},
}

func init() {
	for _, u := range []struct {
		unit                   period
		this, last, next, plur string
	}{
		{periodDay, "", "", "", "DAYS"},
		{periodWeek, "THIS_WEEK", "LAST_WEEK", "NEXT_WEEK", "WEEKS"},
		{periodMonth, "THIS_MONTH", "LAST_MONTH", "NEXT_MONTH", "MONTHS"},
		{periodQuarter, "THIS_QUARTER", "LAST_QUARTER", "NEXT_QUARTER", "QUARTERS"},
		{periodYear, "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR", "YEARS"},
		{periodFiscalQuarter, "THIS_FISCAL_QUARTER", "LAST_FISCAL_QUARTER", "NEXT_FISCAL_QUARTER", "FISCAL_QUARTERS"},
		{periodFiscalYear, "THIS_FISCAL_YEAR", "LAST_FISCAL_YEAR", "NEXT_FISCAL_YEAR", "FISCAL_YEARS"},
	} {
		if u.this != "" {
			dateLiterals[u.this] = dateLiteralInfo{unit: u.unit, shape: shapeThis}
			dateLiterals[u.last] = dateLiteralInfo{unit: u.unit, shape: shapeLast}
			dateLiterals[u.next] = dateLiteralInfo{unit: u.unit, shape: shapeNext}
		}
		dateLiterals["LAST_N_"+u.plur] = dateLiteralInfo{unit: u.unit, shape: shapeLastN, takesN: true}
		dateLiterals["NEXT_N_"+u.plur] = dateLiteralInfo{unit: u.unit, shape: shapeNextN, takesN: true}
		dateLiterals["N_"+u.plur+"_AGO"] = dateLiteralInfo{unit: u.unit, shape: shapeNAgo, takesN: true}
	}
}

// IsDateLiteral tells whether name (in any case) is a relative date
// literal, and whether it takes an :n argument.
func IsDateLiteral(name string) (ok, takesN bool) {
	info, ok := dateLiterals[strings.ToUpper(name)]
	return ok, info.takesN
}

// Range returns the instants [start, end) the literal covers, in UTC, for a
// user in time zone loc (nil means UTC) whose org's fiscal year starts in
// month fiscalStart (0 means January; standard fiscal years only). Weeks
// start on Sunday (the en_US locale). ok is false for an unknown name.
//
// Each range starts at midnight in loc: TODAY is today from 00:00 to
// tomorrow 00:00; LAST_N_DAYS:n is the n days before today and today
// (LAST_N_DAYS:1 is yesterday and today, as Salesforce really behaves);
// NEXT_N_DAYS:n is the n days after today; LAST_N_WEEKS:n and the other
// LAST_N_ literals are the n whole periods before the current one, without
// it; N_DAYS_AGO:n and the other _AGO literals are the single period n
// periods back. See ADR 0012.
func (d *DateLiteral) Range(now time.Time, loc *time.Location, fiscalStart time.Month) (start, end time.Time, ok bool) {
	if loc == nil {
		loc = time.UTC
	}
	s, e, ok := d.days(now.In(loc), fiscalStart)
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	return time.Date(s.y, s.m, s.d, 0, 0, 0, 0, loc).UTC(), time.Date(e.y, e.m, e.d, 0, 0, 0, 0, loc).UTC(), true
}

// DayRange is Range for date fields, which hold calendar days: it returns
// the first day covered and the first day after the range, each as UTC
// midnight (the representation of a date value), for the user's today in loc.
func (d *DateLiteral) DayRange(now time.Time, loc *time.Location, fiscalStart time.Month) (start, end time.Time, ok bool) {
	if loc == nil {
		loc = time.UTC
	}
	s, e, ok := d.days(now.In(loc), fiscalStart)
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	return s.utc(), e.utc(), true
}

// day is a calendar day.
type day struct {
	y int
	m time.Month
	d int
}

func (c day) utc() time.Time { return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC) }

// add returns the day n days later, normalised.
func (c day) add(n int) day {
	t := c.utc().AddDate(0, 0, n)
	return day{t.Year(), t.Month(), t.Day()}
}

// days computes the literal's first day and the first day after it, for a
// local time now.
func (d *DateLiteral) days(now time.Time, fiscalStart time.Month) (day, day, bool) {
	info, ok := dateLiterals[d.Name]
	if !ok {
		return day{}, day{}, false
	}
	n := d.N
	if info.fixedN != 0 {
		n = info.fixedN
	}
	if fiscalStart < time.January || fiscalStart > time.December {
		fiscalStart = time.January
	}
	today := day{now.Year(), now.Month(), now.Day()}
	var from, to int // in periods relative to the current one
	switch info.shape {
	case shapeThis:
		from, to = 0, 1
	case shapeLast:
		from, to = -1, 0
	case shapeNext:
		from, to = 1, 2
	case shapeLastN:
		from, to = -n, 0
		if info.unit == periodDay {
			to = 1
		}
	case shapeNextN:
		from, to = 1, 1+n
	case shapeNAgo:
		from, to = -n, -n+1
	}
	return periodStart(today, info.unit, from, fiscalStart), periodStart(today, info.unit, to, fiscalStart), true
}

// periodStart returns the first day of the period k periods after the one
// holding today.
func periodStart(today day, unit period, k int, fiscalStart time.Month) day {
	switch unit {
	case periodDay:
		return today.add(k)
	case periodWeek:
		wd := int(today.utc().Weekday()) // Sunday is 0
		return today.add(-wd + 7*k)
	}
	months, anchor := 1, time.January
	switch unit {
	case periodQuarter:
		months = 3
	case periodYear:
		months = 12
	case periodFiscalQuarter:
		months, anchor = 3, fiscalStart
	case periodFiscalYear:
		months, anchor = 12, fiscalStart
	}
	idx := today.y*12 + int(today.m-1) // months since year 0
	idx -= mod(idx-int(anchor-1), months)
	idx += k * months
	return day{floorDiv(idx, 12), time.Month(mod(idx, 12) + 1), 1}
}

// FiscalYear returns the fiscal year holding the day of t, named after the
// calendar year in which it ends (Salesforce's default), for a fiscal year
// starting in month fiscalStart.
func FiscalYear(t time.Time, fiscalStart time.Month) int {
	if fiscalStart <= time.January || fiscalStart > time.December || t.Month() < fiscalStart {
		return t.Year()
	}
	return t.Year() + 1
}

// FiscalQuarter and FiscalMonth return the 1-based quarter and month of t
// within its fiscal year.
func FiscalQuarter(t time.Time, fiscalStart time.Month) int {
	return (FiscalMonth(t, fiscalStart)-1)/3 + 1
}

// FiscalMonth: see FiscalQuarter.
func FiscalMonth(t time.Time, fiscalStart time.Month) int {
	if fiscalStart < time.January || fiscalStart > time.December {
		fiscalStart = time.January
	}
	return mod(int(t.Month()-fiscalStart), 12) + 1
}

func mod(a, b int) int {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}

func floorDiv(a, b int) int {
	return (a - mod(a, b)) / b
}
