package workflow

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// describes holds the test org's describes (testdata/describe), read once.
var describes = sync.OnceValues(func() (map[string]*salesforce.SObjectDescribe, error) {
	files, err := filepath.Glob("testdata/describe/*.json")
	if err != nil {
		return nil, err
	}
	out := map[string]*salesforce.SObjectDescribe{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var d salesforce.SObjectDescribe
		if err := json.Unmarshal(b, &d); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out[strings.ToLower(d.Name)] = &d
	}
	return out, nil
})

// testOrg is a fake org: the testdata describes, each a fresh copy (a test
// may change its own), and a count of describe calls.
type testOrg struct {
	calls    atomic.Int64
	override map[string]*salesforce.SObjectDescribe
}

func (o *testOrg) describe(_ context.Context, object string) (*salesforce.SObjectDescribe, error) {
	o.calls.Add(1)
	if d, ok := o.override[strings.ToLower(object)]; ok {
		return d, nil
	}
	all, err := describes()
	if err != nil {
		return nil, err
	}
	d, ok := all[strings.ToLower(object)]
	if !ok {
		return nil, fmt.Errorf("describe %s: %w", object, ErrObjectNotFound)
	}
	return copyDescribe(d), nil
}

func copyDescribe(d *salesforce.SObjectDescribe) *salesforce.SObjectDescribe {
	c := *d
	c.Fields = append([]salesforce.Field(nil), d.Fields...)
	return &c
}

// setup returns a fresh fake org and the Env compiling against it.
func setup(t testing.TB) (*testOrg, Env) {
	t.Helper()
	if _, err := describes(); err != nil {
		t.Fatal(err)
	}
	org := &testOrg{override: map[string]*salesforce.SObjectDescribe{}}
	return org, Env{
		Describe: org.describe,
		Orgs:     []string{"demo", "acme-prod"},
		Objects:  []string{"Account", "Contact", "Lead", "Opportunity", "Case", "Event", "Task", "User", "Campaign", "Order"},
	}
}

// withField returns a copy of a testdata describe with one field changed
// or added.
func withField(t testing.TB, object string, f salesforce.Field) *salesforce.SObjectDescribe {
	t.Helper()
	all, err := describes()
	if err != nil {
		t.Fatal(err)
	}
	d := copyDescribe(all[strings.ToLower(object)])
	if existing := d.Field(f.Name); existing != nil {
		*existing = f
	} else {
		d.Fields = append(d.Fields, f)
	}
	return d
}

// golden compares got with the golden file, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from what the code produces (go test -update rewrites it):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
