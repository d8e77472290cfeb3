package syncer

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/soql"
)

var update = flag.Bool("update", false, "rewrite golden files")

// where parses the WHERE clause of a query on Account, for test sources.
func where(t *testing.T, cond string) soql.Cond {
	t.Helper()
	q, err := soql.Parse("SELECT Id FROM Account WHERE " + cond)
	if err != nil {
		t.Fatalf("parsing %q: %v", cond, err)
	}
	return q.Where
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); run go test -update if the change is intended:\n%s", path, diff)
	}
}

func TestQueries(t *testing.T) {
	t.Parallel()

	sec := Start{Second: time.Date(2024, 3, 1, 10, 0, 5, 0, time.UTC)}
	plain := Source{Object: "Account", Fields: []string{"Name", "Id", "Industry"}}
	rich := Source{
		Object:   "Contact",
		Fields:   []string{"LastName", "Email", "Account.Name", "Account.Owner.Email", "systemmodstamp", "Score__c"},
		Where:    where(t, "Email != null AND (Account.Industry = 'Tech' OR LastName LIKE 'O\\'%')"),
		Formulas: []string{"Score__c"},
	}
	cases := []struct {
		name string
		soql string
	}{
		{"load, no conditions, from the beginning", plain.loadQuery(Start{})},
		{"load, no conditions, resumed", plain.loadQuery(sec)},
		{"load, conditions and relationship paths, resumed", rich.loadQuery(sec)},
		{"changes, from the beginning", plain.changesQuery(Start{})},
		{"changes (conditions are not sent)", rich.changesQuery(sec)},
		{"floor", rich.floorQuery()},
		{"refresh, first page", rich.refreshQuery("")},
		{"refresh, resumed", rich.refreshQuery("003000000000001AAA")},
	}
	var b strings.Builder
	for _, c := range cases {
		if _, err := soql.Parse(c.soql); err != nil {
			t.Errorf("%s: the query does not parse back: %v\n%s", c.name, err, c.soql)
		}
		fmt.Fprintf(&b, "# %s\n%s\n\n", c.name, c.soql)
	}
	golden(t, "queries.golden", b.String())
}

func TestFingerprint(t *testing.T) {
	t.Parallel()

	base := Source{Object: "Account", Fields: []string{"Name"}, Where: where(t, "Industry = 'Tech'")}
	same := []Source{
		{Object: "Account", Fields: []string{"Name", "Id"}, Where: where(t, "Industry = 'Tech'")},
		{Object: "Account", Fields: []string{"Name", "Name"}, Where: where(t, "Industry  =  'Tech'")},
	}
	other := []Source{
		{Object: "Contact", Fields: []string{"Name"}, Where: where(t, "Industry = 'Tech'")},
		{Object: "Account", Fields: []string{"Name", "Phone"}, Where: where(t, "Industry = 'Tech'")},
		{Object: "Account", Fields: []string{"Name"}, Where: where(t, "Industry = 'Retail'")},
		{Object: "Account", Fields: []string{"Name"}},
	}
	for _, s := range same {
		if s.fingerprint("1") != base.fingerprint("1") {
			t.Errorf("%+v: fingerprint differs from %+v's; want the same", s, base)
		}
	}
	if base.fingerprint("1") == base.fingerprint("2") {
		t.Error("a new revision kept the fingerprint; want a different one")
	}
	for _, s := range other {
		if s.fingerprint("1") == base.fingerprint("1") {
			t.Errorf("%+v: fingerprint equals %+v's; want a different one", s, base)
		}
	}
}
