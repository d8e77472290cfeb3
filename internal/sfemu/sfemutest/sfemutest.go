package sfemutest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
)

// The development users of the emulator's demo seed, and their password.
const (
	Admin    = "admin@example.com"
	User     = "user@example.com"
	Password = "sfbridge"
)

// Org is an emulated org served on a local test server for one test.
type Org struct {
	// Emu is the emulator, for seeding data or schema behind the API.
	Emu *sfemu.Emulator
	// URL is where it is served: both the login host and the instance.
	URL string
}

// Start serves a new emulator made with opts (the zero Options is a demo
// org in memory) until the test ends.
func Start(t testing.TB, opts sfemu.Options) *Org {
	t.Helper()
	emu, err := sfemu.New(opts)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return &Org{Emu: emu, URL: srv.URL}
}

// Config returns a client configuration for the org with the emulator's
// development connected app.
func (o *Org) Config() salesforce.Config {
	return salesforce.Config{LoginURL: o.URL, ClientID: auth.DevConsumerKey, ClientSecret: auth.DevConsumerSecret}
}

// Connect logs username in with Password (OAuth password grant) and
// returns its client, configured by Config.
func (o *Org) Connect(t testing.TB, username string) *salesforce.Client {
	t.Helper()
	return o.ConnectWith(t, o.Config(), username)
}

// ConnectWith is Connect with cfg, typically Config with a field changed.
func (o *Org) ConnectWith(t testing.TB, cfg salesforce.Config, username string) *salesforce.Client {
	t.Helper()
	c, err := salesforce.Connect(context.Background(), cfg, salesforce.PasswordGrant(username, Password))
	if err != nil {
		t.Fatalf("connecting to the emulator as %s: %v", username, err)
	}
	return c
}
