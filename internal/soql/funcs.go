package soql

import "strings"

// FuncKind is the family of a SOQL function.
type FuncKind int

// The function families.
const (
	FuncUnknown   FuncKind = iota
	FuncAggregate          // COUNT, COUNT_DISTINCT, SUM, AVG, MIN, MAX
	FuncGrouping           // GROUPING(field), with GROUP BY ROLLUP or CUBE
	FuncDate               // CALENDAR_YEAR, DAY_ONLY, HOUR_IN_DAY, ...
	FuncWrapper            // toLabel, FORMAT, convertCurrency: change how a value is shown
	FuncTimezone           // convertTimezone, only inside a date function
	FuncLocation           // DISTANCE, GEOLOCATION
)

type funcInfo struct {
	name     string // canonical spelling
	kind     FuncKind
	min, max int // number of arguments
}

// functions is keyed by the upper-case name.
var functions = map[string]funcInfo{}

func init() {
	for _, f := range []funcInfo{
		{"COUNT", FuncAggregate, 0, 1},
		{"COUNT_DISTINCT", FuncAggregate, 1, 1},
		{"SUM", FuncAggregate, 1, 1},
		{"AVG", FuncAggregate, 1, 1},
		{"MIN", FuncAggregate, 1, 1},
		{"MAX", FuncAggregate, 1, 1},
		{"GROUPING", FuncGrouping, 1, 1},
		{"toLabel", FuncWrapper, 1, 1},
		{"FORMAT", FuncWrapper, 1, 1},
		{"convertCurrency", FuncWrapper, 1, 1},
		{"convertTimezone", FuncTimezone, 1, 1},
		{"DISTANCE", FuncLocation, 3, 3},
		{"GEOLOCATION", FuncLocation, 2, 2},
		{"CALENDAR_MONTH", FuncDate, 1, 1},
		{"CALENDAR_QUARTER", FuncDate, 1, 1},
		{"CALENDAR_YEAR", FuncDate, 1, 1},
		{"DAY_IN_MONTH", FuncDate, 1, 1},
		{"DAY_IN_WEEK", FuncDate, 1, 1},
		{"DAY_IN_YEAR", FuncDate, 1, 1},
		{"DAY_ONLY", FuncDate, 1, 1},
		{"FISCAL_MONTH", FuncDate, 1, 1},
		{"FISCAL_QUARTER", FuncDate, 1, 1},
		{"FISCAL_YEAR", FuncDate, 1, 1},
		{"HOUR_IN_DAY", FuncDate, 1, 1},
		{"WEEK_IN_MONTH", FuncDate, 1, 1},
		{"WEEK_IN_YEAR", FuncDate, 1, 1},
	} {
		functions[strings.ToUpper(f.name)] = f
	}
}

// maxCallDepth is how deeply functions may nest: FORMAT(MIN(CloseDate)) and
// HOUR_IN_DAY(convertTimezone(CreatedDate)) are fine, a third level is not.
const maxCallDepth = 2
