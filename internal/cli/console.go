package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
	"github.com/sfbridge/sfbridge/internal/config"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/web"
)

// handler is the server's HTTP handler: the web console at /, and the JSON
// API at /api/v1 with /healthz, /readyz (the database answers) and /metrics
// (ADR 0230). run runs workflows now: the sync Service, or nil where
// nothing runs them.
func (a *app) handler(run api.Runner) (http.Handler, error) {
	apiSrv, err := api.New(api.Options{
		Recipes: a.apiRecipes(), Runner: run, Stats: api.NewStats(a.store, nil),
		Store:          api.NewStore(a.store),
		Connections:    api.StoreConnections(a.store, a.connector()),
		Forget:         a.connector().Forget,
		Salesforce:     salesforce.Config{Logger: a.log},
		Activities:     a.store.Activities(),
		Choices:        a.store.ListViewChoices(),
		Sheets:         a.store,
		Logger:         a.log,
		TrustedOrigins: a.cfg.Origins(),
		PublicURL:      a.cfg.PublicURL,
		Checks: []api.Check{{Name: "database", Check: func(ctx context.Context) error {
			return a.store.Read(ctx, func(*store.Tx) error { return nil })
		}}},
	})
	if err != nil {
		return nil, err
	}
	h, err := web.New(web.Options{API: apiSrv, TrustedOrigins: a.cfg.Origins(), Logger: a.log, Usage: a.dailyUsage})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// warnIfRemote warns that the server at addr can be reached from other
// machines: the console and the API then cross the network, in clear unless
// a TLS proxy stands in front.
func (a *app) warnIfRemote(addr net.Addr) {
	host, _, err := net.SplitHostPort(addr.String())
	if err == nil && config.IsLoopback(host) {
		return
	}
	a.log.Warn("the console and the API are reachable from other machines; put them behind an HTTPS proxy",
		"listen", addr.String())
}

// demoAdminLogin is the login of the demo console's first system admin: the
// emulator's admin, so the demo org's connection is theirs.
const demoAdminLogin = org.AdminUsername

// demoAdmin creates the console's first system admin, demoAdminLogin with a
// random password, and returns the password. It returns "" when the
// console has users already (a demo kept with --data), whose passwords
// were printed by the run that created them.
func (a *app) demoAdmin(ctx context.Context) (string, error) {
	users, err := a.store.Users().List(ctx)
	if err != nil {
		return "", environment(fmt.Errorf("listing the console's users: %w", err))
	}
	if len(users) > 0 {
		return "", nil
	}
	password := newPassword()
	hash, err := access.DefaultPasswordParams.HashPassword(password)
	if err != nil {
		return "", fmt.Errorf("hashing the demo admin's password: %w", err)
	}
	_, err = api.NewStore(a.store).CreateFirstUser(ctx,
		api.NewUser{Login: demoAdminLogin, DisplayName: "Demo admin", PasswordHash: hash, Roles: access.RolesOf(access.SystemAdmin)},
		api.AuditEntry{Action: "setup", Subject: "user " + demoAdminLogin, Detail: "sfbridge demo created the first system admin", At: time.Now()})
	if err != nil {
		return "", environment(fmt.Errorf("creating the demo's console admin: %w", err))
	}
	return password, nil
}

// newPassword returns a random password of 24 URL-safe characters (144 bits).
func newPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}
