package activity

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
)

// fixture is a fresh demo org served in-process, with a connection per
// development user.
type fixture struct {
	emu         *sfemu.Emulator
	admin, user *salesforce.Client
}

func setup(t testing.TB) *fixture {
	t.Helper()
	emu, err := sfemu.New(sfemu.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return &fixture{emu: emu, admin: connect(t, srv.URL, "admin@example.com"), user: connect(t, srv.URL, "user@example.com")}
}

func connect(t testing.TB, url, username string) *salesforce.Client {
	t.Helper()
	cfg := salesforce.Config{LoginURL: url, ClientID: auth.DevConsumerKey, ClientSecret: auth.DevConsumerSecret, DescribeTTL: -1}
	c, err := salesforce.Connect(context.Background(), cfg, salesforce.PasswordGrant(username, "sfbridge"))
	if err != nil {
		t.Fatalf("connecting as %s: %v", username, err)
	}
	return c
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
