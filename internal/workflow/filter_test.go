package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/mapping"
)

// planWhen compiles an inbound workflow on object with the given "when"
// (YAML) and settings.
func planWhen(t *testing.T, object, when, settings string) *Plan {
	t.Helper()
	_, env := setup(t)
	doc := fmt.Sprintf("version: 1\nname: t\norg: demo\nowner: qa@example.com\nobject: %s\nsheet: s\ndirection: inbound\n%s\nwhen: %s\nfields:\n  - { salesforce: Id, column: id }\n",
		object, settings, when)
	_, plan, err := Load(context.Background(), "t.yaml", []byte(doc), env)
	if err != nil {
		t.Fatalf("%s\n%v", doc, err)
	}
	return plan
}

func record(t testing.TB, js string) mapping.Map {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(js))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("record %s: %v", js, err)
	}
	return m
}

// TestMatches pins the Go evaluation of conditions to SOQL's semantics:
// case-insensitive text, null matching "!=" and "not in", checkboxes never
// null, relative dates in the workflow's time zone.
func TestMatches(t *testing.T) {
	t.Parallel()
	// Friday 15 March 2024, noon in Paris.
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2024, 3, 15, 12, 0, 0, 0, paris)
	tests := []struct {
		object, when, settings string
		cases                  map[string]bool // record JSON -> matches
	}{
		{"Lead", `{ field: Rating, op: "=", value: Hot }`, "", map[string]bool{
			`{"Rating": "Hot"}`: true, `{"Rating": "hot"}`: true, `{"Rating": "Warm"}`: false, `{"Rating": null}`: false, `{}`: false,
		}},
		{"Lead", `{ field: Status, op: "!=", value: Closed - Converted }`, "", map[string]bool{
			`{"Status": "Closed - Converted"}`: false, `{"Status": "CLOSED - CONVERTED"}`: false, `{"Status": "Open - Not Contacted"}`: true, `{"Status": null}`: true,
		}},
		{"Opportunity", `{ field: Amount, op: ">", value: 10000 }`, "", map[string]bool{
			`{"Amount": 15000}`: true, `{"Amount": 10000}`: false, `{"Amount": 10000.01}`: true, `{"Amount": null}`: false,
			`{"Amount": "10000.000000000000000001"}`: true, // Bulk CSV text, compared exactly
		}},
		{"Opportunity", `{ field: Amount, op: "<=", value: 1e4 }`, "", map[string]bool{`{"Amount": 10000}`: true, `{"Amount": 10000.5}`: false}},
		{"Opportunity", `{ field: StageName, op: not in, value: [Closed Won, Closed Lost] }`, "", map[string]bool{
			`{"StageName": "closed won"}`: false, `{"StageName": "Prospecting"}`: true, `{"StageName": null}`: true,
		}},
		{"Opportunity", `{ field: StageName, op: in, value: [Closed Won, Closed Lost] }`, "", map[string]bool{
			`{"StageName": "Closed Lost"}`: true, `{"StageName": null}`: false,
		}},
		{"Account", `{ field: Name, op: like, value: "Acme%" }`, "", map[string]bool{
			`{"Name": "ACME corp"}`: true, `{"Name": "The Acme"}`: false, `{"Name": "Acme"}`: true, `{"Name": null}`: false,
		}},
		{"Account", `{ field: Name, op: like, value: "_0\\% off" }`, "", map[string]bool{
			`{"Name": "50% off"}`: true, `{"Name": "500 off"}`: false, `{"Name": "5% off"}`: false,
		}},
		{"Opportunity", `{ field: IsWon, op: "!=", value: true }`, "", map[string]bool{
			`{"IsWon": true}`: false, `{"IsWon": false}`: true, `{"IsWon": null}`: true,
		}},
		{"Opportunity", `{ field: IsClosed, op: "=", value: false }`, "", map[string]bool{
			`{"IsClosed": null}`: true, `{"IsClosed": "true"}`: false,
		}},
		{"Opportunity", `{ field: AccountId, op: "=", value: 001B000000UnQ2v }`, "", map[string]bool{
			`{"AccountId": "001B000000UnQ2vIAF"}`: true, `{"AccountId": "001b000000unq2viaf"}`: true, `{"AccountId": "001B000000UnQ2w"}`: false,
		}},
		{"Opportunity", `{ field: Account.Name, op: "=", value: Acme }`, "", map[string]bool{
			`{"Account": {"Name": "Acme"}}`: true, `{"Account": null}`: false,
		}},
		{"Opportunity", `{ field: Account.Name, op: "!=", value: Acme }`, "", map[string]bool{
			`{"Account": {"Name": "Acme"}}`: false, `{"Account": null}`: true,
		}},
		{"Opportunity", `{ field: Account.Owner.Name, op: is null }`, "", map[string]bool{
			`{"Account": {"Owner": {"Name": "Ada"}}}`: false, `{"Account": {"Owner": null}}`: true, `{"Account": {"Owner": {"Name": ""}}}`: true,
		}},
		{"Lead", `{ field: CreatedDate, op: ">", value: "2024-01-31T10:00:00+01:00" }`, "", map[string]bool{
			`{"CreatedDate": "2024-01-31T09:00:01.000+0000"}`: true, `{"CreatedDate": "2024-01-31T09:00:00.000+0000"}`: false,
		}},
		{"Opportunity", `{ field: CloseDate, op: "=", value: THIS_MONTH }`, "", map[string]bool{
			`{"CloseDate": "2024-03-01"}`: true, `{"CloseDate": "2024-03-31"}`: true, `{"CloseDate": "2024-02-29"}`: false, `{"CloseDate": "2024-04-01"}`: false,
		}},
		{"Opportunity", `{ field: CloseDate, op: "<", value: NEXT_N_QUARTERS:2 }`, "", map[string]bool{
			`{"CloseDate": "2024-03-31"}`: true, `{"CloseDate": "2024-04-01"}`: false, `{"CloseDate": null}`: false,
		}},
		{"Opportunity", `{ field: CloseDate, op: ">", value: LAST_YEAR }`, "", map[string]bool{
			`{"CloseDate": "2023-12-31"}`: false, `{"CloseDate": "2024-01-01"}`: true,
		}},
		{"Lead", `{ field: CreatedDate, op: "=", value: LAST_N_DAYS:2 }`, "timezone: Europe/Paris", map[string]bool{
			`{"CreatedDate": "2024-03-12T23:30:00.000+0000"}`: true,  // 13 March, 00:30 in Paris
			`{"CreatedDate": "2024-03-12T22:30:00.000+0000"}`: false, // 12 March, 23:30 in Paris
			`{"CreatedDate": "2024-03-15T22:59:59.000+0000"}`: true,  // the end of today in Paris
			`{"CreatedDate": "2024-03-15T23:00:00.000+0000"}`: false, // tomorrow in Paris
		}},
		{"Lead", `{ field: CreatedDate, op: "=", value: LAST_N_DAYS:2 }`, "", map[string]bool{
			`{"CreatedDate": "2024-03-12T23:30:00.000+0000"}`: false, // in UTC, 12 March is out
		}},
		{"Opportunity", `{ field: LastStageChangeDate, op: "=", value: THIS_WEEK }`, "timezone: Europe/Paris\nweek_start: monday", map[string]bool{
			`{"LastStageChangeDate": "2024-03-10T23:00:00.000+0000"}`: true,  // Monday 11th, 00:00 in Paris
			`{"LastStageChangeDate": "2024-03-10T22:59:00.000+0000"}`: false, // Sunday 10th
		}},
		{"Opportunity", `{ field: LastStageChangeDate, op: "=", value: THIS_WEEK }`, "timezone: Europe/Paris", map[string]bool{
			`{"LastStageChangeDate": "2024-03-10T22:59:00.000+0000"}`: true, // weeks start on Sunday
		}},
		{"Invoice__c", `{ field: Channels__c, op: includes, value: ["Email;Portal", Post] }`, "", map[string]bool{
			`{"Channels__c": "Email;Portal"}`: true, `{"Channels__c": "Portal;email;Post"}`: true, `{"Channels__c": "Email"}`: false,
			`{"Channels__c": "Post"}`: true, `{"Channels__c": null}`: false,
		}},
		{"Invoice__c", `{ field: Channels__c, op: excludes, value: [Post] }`, "", map[string]bool{
			`{"Channels__c": "Email;Post"}`: false, `{"Channels__c": "Email"}`: true, `{"Channels__c": null}`: true,
		}},
		{"Invoice__c", `{ field: Channels__c, op: "=", value: "Email;Post" }`, "", map[string]bool{
			`{"Channels__c": "Post;Email"}`: true, `{"Channels__c": "Post"}`: false,
		}},
		{"Event", `{ field: Who.Type, op: "=", value: Contact }`, "", map[string]bool{
			`{"Who": {"Type": "Contact"}}`: true, `{"Who": {"Type": "Lead"}}`: false, `{"Who": null}`: false,
		}},
		{"Lead", `{ not: { field: LeadSource, op: is null } }`, "", map[string]bool{
			`{"LeadSource": "Web"}`: true, `{"LeadSource": ""}`: false, `{"LeadSource": null}`: false, `{"LeadSource": " "}`: true,
		}},
		{"Lead", `{ any: [ { field: Rating, op: "=", value: Hot }, { all: [ { field: Rating, op: "=", value: Warm }, { field: NumberOfEmployees, op: ">=", value: 500 } ] } ] }`, "", map[string]bool{
			`{"Rating": "Hot", "NumberOfEmployees": 1}`: true, `{"Rating": "Warm", "NumberOfEmployees": 500}`: true,
			`{"Rating": "Warm", "NumberOfEmployees": 499}`: false, `{"Rating": "Cold", "NumberOfEmployees": 900}`: false,
		}},
		{"Account", `[ { field: Name, op: "<", value: m }, { field: Name, op: ">=", value: B } ]`, "", map[string]bool{
			`{"Name": "acme"}`: false, `{"Name": "Blue"}`: true, `{"Name": "lima"}`: true, `{"Name": "Mars"}`: false,
		}},
	}
	for _, tt := range tests {
		plan := planWhen(t, tt.object, tt.when, tt.settings)
		for js, want := range tt.cases {
			got, err := plan.Matches(record(t, js), now)
			if err != nil || got != want {
				t.Errorf("%s WHERE %s\n  record %s: got %v, %v; want %v", tt.object, plan.Where, js, got, err, want)
			}
		}
	}
}

func TestMatchesErrors(t *testing.T) {
	t.Parallel()
	plan := planWhen(t, "Opportunity", `{ field: Amount, op: ">", value: 1 }`, "")
	_, err := plan.Matches(record(t, `{"Amount": "lots"}`), time.Now())
	if err == nil || !strings.Contains(err.Error(), `evaluating Amount: field Amount: value "lots": expected a number`) {
		t.Errorf("error %v", err)
	}
	all := planWhen(t, "Opportunity", `{ field: Name, op: "=", value: x }`, "")
	all.filter = nil
	if ok, err := all.Matches(nil, time.Now()); !ok || err != nil {
		t.Errorf("a plan without conditions matches everything: %v, %v", ok, err)
	}
}

func TestWhereClause(t *testing.T) {
	t.Parallel()
	tests := []struct{ object, when, want string }{
		{"Lead", `{ field: Rating, op: "=", value: Hot }`, `Rating = 'Hot'`},
		{"Lead", `[ { field: Rating, op: "=", value: Hot }, { any: [ { field: Status, op: "=", value: Working - Contacted }, { field: Email, op: is null } ] } ]`,
			`Rating = 'Hot' AND (Status = 'Working - Contacted' OR Email = NULL)`},
		{"Lead", `{ not: { field: Rating, op: "=", value: Hot } }`, `NOT Rating = 'Hot'`},
		{"Lead", `{ not: { any: [ { field: Rating, op: "=", value: Hot }, { field: Rating, op: "=", value: Warm } ] } }`, `NOT (Rating = 'Hot' OR Rating = 'Warm')`},
		{"Lead", `{ any: [ { not: { field: Rating, op: "=", value: Hot } }, { field: Email, op: is not null } ] }`, `(NOT Rating = 'Hot') OR Email != NULL`},
		{"Lead", `{ all: [ { field: Rating, op: "=", value: Hot } ] }`, `Rating = 'Hot'`},
		{"Lead", `{ field: Company, op: "=", value: "O'Brien \\ Sons\ttab" }`, `Company = 'O\'Brien \\ Sons\ttab'`},
		{"Lead", `{ field: Company, op: like, value: "100\\%_done\\x" }`, `Company LIKE '100\%_done\\x'`},
		{"Lead", `{ field: Company, op: "=", value: "bell\a" }`, `Company = 'bell\u0007'`},
		{"Lead", `{ field: Company, op: in, value: [a, "b'c"] }`, `Company IN ('a', 'b\'c')`},
		{"Lead", `{ field: NumberOfEmployees, op: ">", value: "007" }`, `NumberOfEmployees > 7`},
		{"Lead", `{ field: CreatedDate, op: "<", value: "2024-01-31T23:30:00-05:00" }`, `CreatedDate < 2024-02-01T04:30:00Z`},
		{"Lead", `{ field: CreatedDate, op: ">=", value: n_days_ago:3 }`, `CreatedDate >= N_DAYS_AGO:3`},
		{"Lead", `{ field: IsConverted, op: "=", value: FALSE }`, `IsConverted = FALSE`},
		{"Lead", `{ field: OwnerId, op: "!=", value: 005000000000001 }`, `OwnerId != '005000000000001AAA'`},
		{"Invoice__c", `{ field: Channels__c, op: excludes, value: [post] }`, `Channels__c EXCLUDES ('Post')`},
	}
	for _, tt := range tests {
		if got := planWhen(t, tt.object, tt.when, "").Where; got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.when, got, tt.want)
		}
	}
}

func TestDateLiteralBounds(t *testing.T) {
	t.Parallel()
	paris, _ := time.LoadLocation("Europe/Paris")
	// Wednesday 27 March 2024 in Paris; summer time starts on Sunday 31st.
	now := time.Date(2024, 3, 27, 15, 0, 0, 0, paris)
	day := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 0, 0, 0, 0, paris) }
	tests := []struct {
		lit        string
		week       time.Weekday
		start, end time.Time
	}{
		{"TODAY", time.Sunday, day(3, 27), day(3, 28)},
		{"YESTERDAY", time.Sunday, day(3, 26), day(3, 27)},
		{"TOMORROW", time.Sunday, day(3, 28), day(3, 29)},
		{"THIS_WEEK", time.Sunday, day(3, 24), day(3, 31)},
		{"THIS_WEEK", time.Monday, day(3, 25), day(4, 1)}, // the week spans the change to summer time
		{"NEXT_WEEK", time.Monday, day(4, 1), day(4, 8)},
		{"LAST_WEEK", time.Monday, day(3, 18), day(3, 25)},
		{"THIS_MONTH", time.Sunday, day(3, 1), day(4, 1)},
		{"LAST_MONTH", time.Sunday, day(2, 1), day(3, 1)},
		{"THIS_QUARTER", time.Sunday, day(1, 1), day(4, 1)},
		{"NEXT_QUARTER", time.Sunday, day(4, 1), day(7, 1)},
		{"THIS_YEAR", time.Sunday, day(1, 1), time.Date(2025, 1, 1, 0, 0, 0, 0, paris)},
		{"LAST_90_DAYS", time.Sunday, day(3, 27).AddDate(0, 0, -90), day(3, 28)},
		{"NEXT_90_DAYS", time.Sunday, day(3, 28), day(3, 28).AddDate(0, 0, 90)},
		{"LAST_N_DAYS:1", time.Sunday, day(3, 26), day(3, 28)},
		{"NEXT_N_DAYS:3", time.Sunday, day(3, 28), day(3, 31)},
		{"N_DAYS_AGO:10", time.Sunday, day(3, 17), day(3, 18)},
		{"LAST_N_WEEKS:2", time.Sunday, day(3, 10), day(3, 24)},
		{"LAST_N_MONTHS:2", time.Sunday, day(1, 1), day(3, 1)},
		{"NEXT_N_MONTHS:1", time.Sunday, day(4, 1), day(5, 1)},
		{"N_MONTHS_AGO:1", time.Sunday, day(2, 1), day(3, 1)},
		{"LAST_N_QUARTERS:1", time.Sunday, time.Date(2023, 10, 1, 0, 0, 0, 0, paris), day(1, 1)},
		{"N_YEARS_AGO:1", time.Sunday, time.Date(2023, 1, 1, 0, 0, 0, 0, paris), day(1, 1)},
		{"NEXT_N_YEARS:2", time.Sunday, time.Date(2025, 1, 1, 0, 0, 0, 0, paris), time.Date(2027, 1, 1, 0, 0, 0, 0, paris)},
	}
	for _, tt := range tests {
		l, err := parseDateLiteral(tt.lit)
		if err != nil {
			t.Errorf("%s: %v", tt.lit, err)
			continue
		}
		start, end := l.bounds(now, paris, tt.week, false)
		if !start.Equal(tt.start) || !end.Equal(tt.end) {
			t.Errorf("%s (week from %v): [%v, %v), want [%v, %v)", tt.lit, tt.week, start, end, tt.start, tt.end)
		}
		// The same range in days, as date fields are compared.
		ds, de := l.bounds(now, paris, tt.week, true)
		civil := func(t time.Time) time.Time {
			y, m, d := t.In(paris).Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		}
		if !ds.Equal(civil(tt.start)) || !de.Equal(civil(tt.end)) {
			t.Errorf("%s (week from %v): days [%v, %v), want [%v, %v)", tt.lit, tt.week, ds, de, civil(tt.start), civil(tt.end))
		}
	}
	for _, bad := range []string{"LAST_N_DAYS", "LAST_N_DAYS:-1", "LAST_N_DAYS:x", "NEXT_N_WEEKS:100001", "THIS_FISCAL_YEAR", "TODAY:3"} {
		if _, err := parseDateLiteral(bad); err == nil || err == errNotDateLiteral {
			t.Errorf("%s: error %v, want a description", bad, err)
		}
	}
	if _, err := parseDateLiteral("2024-01-01"); err != errNotDateLiteral {
		t.Errorf("a date is not a literal: %v", err)
	}
}

func TestLikeRegexp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"a%", "ABC", true},
		{"%b%", "abc", true},
		{"a_c", "abc", true},
		{"a_c", "abbc", false},
		{`100\%`, "100%", true},
		{`100\%`, "1000", false},
		{`a\_b`, "a_b", true},
		{`a\_b`, "axb", false},
		{"a.b", "axb", false}, // regexp characters are literal
		{"(x)", "(x)", true},
		{"%", "", true},
		{"é%", "ÉCOLE", true},
	}
	for _, tt := range tests {
		if got := likeRegexp(tt.pattern).MatchString(tt.s); got != tt.want {
			t.Errorf("%q LIKE %q = %v, want %v", tt.s, tt.pattern, got, tt.want)
		}
	}
}
