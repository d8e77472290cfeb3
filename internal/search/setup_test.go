package search

import (
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
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
	emu         *sfemu.Emulator
	url         string
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
	return &fixture{emu: emu, url: srv.URL, admin: connect(t, srv.URL, "admin@example.com"), user: connect(t, srv.URL, "user@example.com")}
}

func connect(t testing.TB, url, username string) *salesforce.Client {
	t.Helper()
	cfg := salesforce.Config{LoginURL: url, ClientID: auth.DevConsumerKey, ClientSecret: auth.DevConsumerSecret}
	c, err := salesforce.Connect(context.Background(), cfg, salesforce.PasswordGrant(username, "sfbridge"))
	if err != nil {
		t.Fatalf("connecting as %s: %v", username, err)
	}
	return c
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
