package soql

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests use named zones; do not depend on the machine's zoneinfo
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("loading zone: %v", err)
	}
	return loc
}

func civil(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestDayRange checks every literal on a Wednesday, 31 January 2024, with
// calendar fiscal years and with fiscal years starting in April and February.
func TestDayRange(t *testing.T) {
	t.Parallel()
	wed := time.Date(2024, 1, 31, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		lit         string
		n           int
		fiscal      time.Month
		start, end  string
		description string
	}{
		{"TODAY", 0, 0, "2024-01-31", "2024-02-01", ""},
		{"YESTERDAY", 0, 0, "2024-01-30", "2024-01-31", ""},
		{"TOMORROW", 0, 0, "2024-02-01", "2024-02-02", ""},
		{"THIS_WEEK", 0, 0, "2024-01-28", "2024-02-04", "weeks start on Sunday"},
		{"LAST_WEEK", 0, 0, "2024-01-21", "2024-01-28", ""},
		{"NEXT_WEEK", 0, 0, "2024-02-04", "2024-02-11", ""},
		{"THIS_MONTH", 0, 0, "2024-01-01", "2024-02-01", ""},
		{"LAST_MONTH", 0, 0, "2023-12-01", "2024-01-01", "across the year boundary"},
		{"NEXT_MONTH", 0, 0, "2024-02-01", "2024-03-01", ""},
		{"LAST_90_DAYS", 0, 0, "2023-11-02", "2024-02-01", "90 days and today"},
		{"NEXT_90_DAYS", 0, 0, "2024-02-01", "2024-05-01", "from tomorrow, through a leap February"},
		{"LAST_N_DAYS", 1, 0, "2024-01-30", "2024-02-01", "yesterday and today"},
		{"LAST_N_DAYS", 0, 0, "2024-01-31", "2024-02-01", "today only"},
		{"NEXT_N_DAYS", 1, 0, "2024-02-01", "2024-02-02", "tomorrow only"},
		{"N_DAYS_AGO", 3, 0, "2024-01-28", "2024-01-29", ""},
		{"LAST_N_WEEKS", 2, 0, "2024-01-14", "2024-01-28", "without this week"},
		{"NEXT_N_WEEKS", 1, 0, "2024-02-04", "2024-02-11", ""},
		{"N_WEEKS_AGO", 1, 0, "2024-01-21", "2024-01-28", ""},
		{"LAST_N_MONTHS", 2, 0, "2023-11-01", "2024-01-01", "without this month"},
		{"NEXT_N_MONTHS", 2, 0, "2024-02-01", "2024-04-01", ""},
		{"N_MONTHS_AGO", 1, 0, "2023-12-01", "2024-01-01", ""},
		{"THIS_QUARTER", 0, 0, "2024-01-01", "2024-04-01", ""},
		{"LAST_QUARTER", 0, 0, "2023-10-01", "2024-01-01", ""},
		{"NEXT_QUARTER", 0, 0, "2024-04-01", "2024-07-01", ""},
		{"LAST_N_QUARTERS", 2, 0, "2023-07-01", "2024-01-01", ""},
		{"NEXT_N_QUARTERS", 2, 0, "2024-04-01", "2024-10-01", ""},
		{"N_QUARTERS_AGO", 4, 0, "2023-01-01", "2023-04-01", ""},
		{"THIS_YEAR", 0, 0, "2024-01-01", "2025-01-01", ""},
		{"LAST_YEAR", 0, 0, "2023-01-01", "2024-01-01", ""},
		{"NEXT_YEAR", 0, 0, "2025-01-01", "2026-01-01", ""},
		{"LAST_N_YEARS", 2, 0, "2022-01-01", "2024-01-01", ""},
		{"NEXT_N_YEARS", 1, 0, "2025-01-01", "2026-01-01", ""},
		{"N_YEARS_AGO", 2, 0, "2022-01-01", "2023-01-01", ""},
		{"THIS_FISCAL_YEAR", 0, 0, "2024-01-01", "2025-01-01", "no fiscal month means January"},
		{"THIS_FISCAL_QUARTER", 0, time.January, "2024-01-01", "2024-04-01", ""},
		{"THIS_FISCAL_YEAR", 0, time.April, "2023-04-01", "2024-04-01", "fiscal year from April"},
		{"LAST_FISCAL_YEAR", 0, time.April, "2022-04-01", "2023-04-01", ""},
		{"NEXT_FISCAL_YEAR", 0, time.April, "2024-04-01", "2025-04-01", ""},
		{"LAST_N_FISCAL_YEARS", 2, time.April, "2021-04-01", "2023-04-01", ""},
		{"NEXT_N_FISCAL_YEARS", 1, time.April, "2024-04-01", "2025-04-01", ""},
		{"N_FISCAL_YEARS_AGO", 1, time.April, "2022-04-01", "2023-04-01", ""},
		{"THIS_FISCAL_QUARTER", 0, time.April, "2024-01-01", "2024-04-01", "the fourth quarter of FY from April"},
		{"LAST_FISCAL_QUARTER", 0, time.April, "2023-10-01", "2024-01-01", ""},
		{"NEXT_FISCAL_QUARTER", 0, time.April, "2024-04-01", "2024-07-01", "into the next fiscal year"},
		{"LAST_N_FISCAL_QUARTERS", 3, time.April, "2023-04-01", "2024-01-01", ""},
		{"NEXT_N_FISCAL_QUARTERS", 2, time.April, "2024-04-01", "2024-10-01", ""},
		{"N_FISCAL_QUARTERS_AGO", 2, time.April, "2023-07-01", "2023-10-01", ""},
		{"THIS_FISCAL_YEAR", 0, time.February, "2023-02-01", "2024-02-01", "last day of a fiscal year from February"},
		{"THIS_FISCAL_QUARTER", 0, time.February, "2023-11-01", "2024-02-01", "quarter spanning the calendar year"},
		{"NEXT_FISCAL_QUARTER", 0, time.February, "2024-02-01", "2024-05-01", ""},
		{"THIS_FISCAL_YEAR", 0, time.December, "2023-12-01", "2024-12-01", ""},
	}
	for _, tt := range tests {
		d := &DateLiteral{Name: tt.lit, N: tt.n}
		start, end, ok := d.DayRange(wed, time.UTC, tt.fiscal)
		if !ok {
			t.Errorf("%s:%d: not a date literal", tt.lit, tt.n)
			continue
		}
		if !start.Equal(civil(tt.start)) || !end.Equal(civil(tt.end)) {
			t.Errorf("%s:%d fiscal %d (%s) = [%s, %s), want [%s, %s)", tt.lit, tt.n, tt.fiscal, tt.description,
				start.Format(time.DateOnly), end.Format(time.DateOnly), tt.start, tt.end)
		}
	}
}

// TestRangeTimeZones checks that ranges start at midnight in the user's zone.
func TestRangeTimeZones(t *testing.T) {
	t.Parallel()
	la := mustZone(t, "America/Los_Angeles")
	paris := mustZone(t, "Europe/Paris")
	tests := []struct {
		name       string
		lit        string
		now        time.Time
		loc        *time.Location
		start, end string
	}{
		{"west of UTC it is still yesterday", "TODAY", time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC), la,
			"2023-12-31T08:00:00Z", "2024-01-01T08:00:00Z"},
		{"year in Los Angeles", "THIS_YEAR", time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC), la,
			"2023-01-01T08:00:00Z", "2024-01-01T08:00:00Z"},
		{"day of the switch to summer time is 23 hours", "TODAY", time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC), paris,
			"2024-03-30T23:00:00Z", "2024-03-31T22:00:00Z"},
		{"nil zone is UTC", "TODAY", time.Date(2024, 3, 31, 23, 30, 0, 0, time.UTC), nil,
			"2024-03-31T00:00:00Z", "2024-04-01T00:00:00Z"},
		{"week across the new year", "LAST_WEEK", time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), time.UTC,
			"2023-12-24T00:00:00Z", "2023-12-31T00:00:00Z"},
		{"Sunday starts its own week", "THIS_WEEK", time.Date(2023, 12, 31, 12, 0, 0, 0, time.UTC), time.UTC,
			"2023-12-31T00:00:00Z", "2024-01-07T00:00:00Z"},
	}
	for _, tt := range tests {
		start, end, ok := (&DateLiteral{Name: tt.lit}).Range(tt.now, tt.loc, 0)
		if !ok {
			t.Errorf("%s: not a date literal", tt.name)
			continue
		}
		if got, want := start.Format(time.RFC3339)+" "+end.Format(time.RFC3339), tt.start+" "+tt.end; got != want {
			t.Errorf("%s: %s = %s, want %s", tt.name, tt.lit, got, want)
		}
		if start.Location() != time.UTC || end.Location() != time.UTC {
			t.Errorf("%s: range is not in UTC", tt.name)
		}
	}
	// A date field compares calendar days: the user's today, whatever UTC says.
	start, end, _ := (&DateLiteral{Name: "TODAY"}).DayRange(time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC), la, 0)
	if !start.Equal(civil("2023-12-31")) || !end.Equal(civil("2024-01-01")) {
		t.Errorf("DayRange(TODAY) in Los Angeles = [%s, %s), want [2023-12-31, 2024-01-01)", start, end)
	}
}

func TestUnknownDateLiteral(t *testing.T) {
	t.Parallel()
	if _, _, ok := (&DateLiteral{Name: "LAST_FORTNIGHT"}).Range(time.Now(), nil, 0); ok {
		t.Error("Range(LAST_FORTNIGHT) ok, want not ok")
	}
	if ok, _ := IsDateLiteral("last_fortnight"); ok {
		t.Error("IsDateLiteral(last_fortnight) = true")
	}
	if ok, takesN := IsDateLiteral("last_n_fiscal_quarters"); !ok || !takesN {
		t.Errorf("IsDateLiteral(last_n_fiscal_quarters) = %t, %t, want true, true", ok, takesN)
	}
}

func TestFiscalPeriods(t *testing.T) {
	t.Parallel()
	tests := []struct {
		date             string
		start            time.Month
		year, qtr, month int
	}{
		{"2024-01-31", time.January, 2024, 1, 1},
		{"2024-12-31", 0, 2024, 4, 12},
		{"2024-03-31", time.April, 2024, 4, 12},
		{"2024-04-01", time.April, 2025, 1, 1},
		{"2023-11-15", time.February, 2024, 4, 10},
		{"2024-02-01", time.February, 2025, 1, 1},
	}
	for _, tt := range tests {
		d := civil(tt.date)
		if y, q, m := FiscalYear(d, tt.start), FiscalQuarter(d, tt.start), FiscalMonth(d, tt.start); y != tt.year || q != tt.qtr || m != tt.month {
			t.Errorf("%s from month %d: year %d quarter %d month %d, want %d %d %d", tt.date, tt.start, y, q, m, tt.year, tt.qtr, tt.month)
		}
	}
}
