package sfemu

import (
	"context"
	"fmt"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/org"
)

// newTestEmulator starts an emulator, on the empty seed unless told
// otherwise, with cfg.accounts accounts named "Account 0001"...
func newTestEmulator(t *testing.T, cfg testConfig) (*Emulator, error) {
	t.Helper()
	if cfg.opts.Seed == "" {
		cfg.opts.Seed = "empty"
	}
	e, err := New(cfg.opts)
	if err != nil {
		return nil, err
	}
	o := e.world().org
	sys := o.System()
	for i := range cfg.accounts {
		if _, err := o.CreateValues(context.Background(), sys, "Account", org.Values{"Name": fmt.Sprintf("Account %04d", i+1)}); err != nil {
			t.Fatalf("creating account %d: %v", i+1, err)
		}
	}
	return e, nil
}

// adminID is the ID of the development admin user.
func (f *fixture) adminID(t *testing.T) string {
	t.Helper()
	u, ok := f.e.world().org.UserByUsername("admin@example.com")
	if !ok {
		t.Fatal("no admin@example.com user")
	}
	return u.ID
}
