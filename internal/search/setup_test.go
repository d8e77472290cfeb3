package search

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
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
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// fixture is a fresh demo org served in-process, with a connection per
// development user.
type fixture struct {
	*sfemutest.Org
	admin, user *salesforce.Client
}

func setup(t testing.TB) *fixture {
	t.Helper()
	org := sfemutest.Start(t, sfemu.Options{Seed: "demo"})
	return &fixture{Org: org, admin: org.Connect(t, sfemutest.Admin), user: org.Connect(t, sfemutest.User)}
}

// first returns the first record of soql as c.
func first(t testing.TB, c *salesforce.Client, soql string) *salesforce.Record {
	t.Helper()
	for r, err := range c.Query(context.Background(), soql) {
		if err != nil {
			t.Fatalf("%s: %v", soql, err)
		}
		return r
	}
	t.Fatalf("%s: no record", soql)
	return nil
}

// clock is a settable clock for cache tests.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func newService(t testing.TB, cfg Config) *Service {
	t.Helper()
	s, err := NewService(cfg, &MemoryChoices{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
