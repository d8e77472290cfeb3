package query

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestDatetimePrecision: Salesforce ignores milliseconds when it compares
// datetimes in SOQL, in every comparison and on every access path, while
// ORDER BY still sorts by them (ADR 0130).
func TestDatetimePrecision(t *testing.T) {
	t.Parallel()
	e, s, base, _ := setup(t)
	who := *base // TODAY is 1 March 2024 in UTC
	who.now, who.loc = mustTime("2024-03-01T12:00:00Z"), time.UTC
	// Five accounts around 2024-03-01T10:00:00Z, one more a day later.
	stamps := map[string]string{
		"P-early":  "2024-03-01T09:59:59.999Z",
		"P-zero":   "2024-03-01T10:00:00.000Z",
		"P-mid":    "2024-03-01T10:00:00.500Z",
		"P-late":   "2024-03-01T10:00:00.900Z",
		"P-next":   "2024-03-01T10:00:01.000Z",
		"P-morrow": "2024-03-02T00:00:00.001Z",
	}
	ids := map[string]string{}
	for name, stamp := range stamps {
		ts := mustTime(stamp)
		ids[name] = s.add(t, "Account", map[string]any{"Name": name, "SystemModstamp": ts, "CreatedDate": ts})
		s.add(t, "Contact", map[string]any{"LastName": name, "AccountId": ids[name]})
	}
	const ten = "2024-03-01T10:00:00Z"
	for _, tc := range []struct {
		where string
		want  []string // in SystemModstamp order
	}{
		{"SystemModstamp = " + ten, []string{"P-zero", "P-mid", "P-late"}},
		{"SystemModstamp = 2024-03-01T10:00:00.700Z", []string{"P-zero", "P-mid", "P-late"}},
		{"SystemModstamp != " + ten, []string{"P-early", "P-next", "P-morrow"}},
		{"SystemModstamp < " + ten, []string{"P-early"}},
		{"SystemModstamp <= " + ten, []string{"P-early", "P-zero", "P-mid", "P-late"}},
		{"SystemModstamp > " + ten, []string{"P-next", "P-morrow"}},
		{"SystemModstamp >= " + ten, []string{"P-zero", "P-mid", "P-late", "P-next", "P-morrow"}},
		{"SystemModstamp > 2024-03-01T09:59:59.100Z", []string{"P-zero", "P-mid", "P-late", "P-next", "P-morrow"}},
		{"SystemModstamp IN (" + ten + ", 2024-03-02T00:00:00Z)", []string{"P-zero", "P-mid", "P-late", "P-morrow"}},
		{"SystemModstamp NOT IN (" + ten + ")", []string{"P-early", "P-next", "P-morrow"}},
		// The sync cursor: after (10:00:00, P-zero's Id) in the same second.
		{fmt.Sprintf("SystemModstamp > %s OR (SystemModstamp = %s AND Id > '%s')", ten, ten, ids["P-zero"]),
			append(after(ids, ids["P-zero"], "P-mid", "P-late"), "P-next", "P-morrow")},
		// Date literals bound whole days: milliseconds never matter to them.
		{"SystemModstamp < TOMORROW", []string{"P-early", "P-zero", "P-mid", "P-late", "P-next"}},
		{"SystemModstamp > TODAY", []string{"P-morrow"}},
		{"SystemModstamp = TODAY", []string{"P-early", "P-zero", "P-mid", "P-late", "P-next"}},
		// Semi-joins filter at the same precision.
		{"Id IN (SELECT AccountId FROM Contact WHERE Account.SystemModstamp <= " + ten + ")",
			[]string{"P-early", "P-zero", "P-mid", "P-late"}},
	} {
		want := tc.want
		q := "SELECT Name FROM Account WHERE Name LIKE 'P-%' AND (" + tc.where + ") ORDER BY SystemModstamp"
		scan := column(query(t, e, &who, q, Options{}), "Name")
		if !slices.Equal(scan, want) {
			t.Errorf("%s = %v, want %v", tc.where, scan, want)
		}
		q = "SELECT Name FROM Account WHERE " + tc.where + " ORDER BY SystemModstamp, Id"
		var all []string
		for _, n := range column(query(t, New(indexedSource{s}), &who, q, Options{}), "Name") {
			if n[:2] == "P-" {
				all = append(all, n)
			}
		}
		if !slices.Equal(all, want) {
			t.Errorf("%s through the index = %v, want %v", tc.where, all, want)
		}
	}
}

// after returns the names whose ID sorts after id, in the order given.
func after(ids map[string]string, id string, names ...string) []string {
	var out []string
	for _, n := range names {
		if ids[n] > id {
			out = append(out, n)
		}
	}
	return out
}

// TestDatetimePrecisionKeepsMilliseconds: the values and their order keep
// their milliseconds; only comparisons drop them.
func TestDatetimePrecisionKeepsMilliseconds(t *testing.T) {
	t.Parallel()
	e, s, who, _ := setup(t)
	for i, ms := range []int{900, 100, 500} {
		ts := time.Date(2024, 3, 1, 10, 0, 0, ms*int(time.Millisecond), time.UTC)
		s.add(t, "Account", map[string]any{"Name": fmt.Sprintf("K%d", i), "SystemModstamp": ts})
	}
	p := query(t, e, who, "SELECT Name, SystemModstamp FROM Account WHERE SystemModstamp = 2024-03-01T10:00:00Z ORDER BY SystemModstamp DESC", Options{})
	if got := column(p, "Name"); !slices.Equal(got, []string{"K0", "K2", "K1"}) {
		t.Errorf("order = %v, want K0 K2 K1 (by milliseconds, descending)", got)
	}
	if got := column(p, "SystemModstamp"); !slices.Equal(got, []string{"2024-03-01T10:00:00.900+0000", "2024-03-01T10:00:00.500+0000", "2024-03-01T10:00:00.100+0000"}) {
		t.Errorf("values = %v", got)
	}
	p = query(t, e, who, "SELECT MAX(SystemModstamp) m FROM Account WHERE Name LIKE 'K%'", Options{})
	if got := column(p, "m"); !slices.Equal(got, []string{"2024-03-01T10:00:00.900+0000"}) {
		t.Errorf("MAX = %v", got)
	}
}
