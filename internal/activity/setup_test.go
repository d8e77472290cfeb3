package activity

import (
	"context"
	"testing"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
)

// fixture is a fresh demo org served in-process, with a connection per
// development user. Describes are not cached, so that tests see schema
// changes at once.
type fixture struct {
	*sfemutest.Org
	admin, user *salesforce.Client
}

func setup(t testing.TB) *fixture {
	t.Helper()
	org := sfemutest.Start(t, sfemu.Options{Seed: "demo"})
	cfg := org.Config()
	cfg.DescribeTTL = -1
	return &fixture{Org: org, admin: org.ConnectWith(t, cfg, sfemutest.Admin), user: org.ConnectWith(t, cfg, sfemutest.User)}
}

// records runs soql as c and returns the records.
func records(t testing.TB, c *salesforce.Client, soql string) []*salesforce.Record {
	t.Helper()
	var out []*salesforce.Record
	for r, err := range c.Query(context.Background(), soql) {
		if err != nil {
			t.Fatalf("%s: %v", soql, err)
		}
		out = append(out, r)
	}
	return out
}

func str(r *salesforce.Record, path string) string { s, _ := r.String(path); return s }

// emails returns the emails of n records of soql (which selects Email).
func emails(t testing.TB, c *salesforce.Client, soql string, n int) []string {
	t.Helper()
	var out []string
	for _, r := range records(t, c, soql) {
		out = append(out, str(r, "Email"))
	}
	if len(out) < n {
		t.Fatalf("%s: %d records, want %d", soql, len(out), n)
	}
	return out[:n]
}

func newService(t testing.TB, s Settings) *Service {
	t.Helper()
	svc, err := NewService(s, &MemoryStore{})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
