package sfemu

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/bulk"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sfemu/query"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// New starts an emulator: the org (loaded from Options.DataFile when it
// exists, else seeded), its OAuth server with the development connected
// app, and the REST and admin fronts.
func New(opts Options) (*Emulator, error) {
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	o, authState, err := openOrg(opts)
	if err != nil {
		return nil, err
	}
	e, err := newEmulator(opts, o)
	if err != nil {
		return nil, err
	}
	if authState != nil {
		srv := e.world().auth
		if err := srv.Load(bytes.NewReader(authState)); err != nil {
			return nil, fmt.Errorf("loading the OAuth state from %s: %w", opts.DataFile, err)
		}
		if _, ok := srv.App(auth.DevConsumerKey); !ok {
			if err := srv.RegisterApp(auth.DevApp()); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}

// world is the org and what is built on it. Bulk API jobs belong to it:
// an admin reset forgets them with the org.
type world struct {
	org    *org.Org
	engine *query.Engine
	auth   *auth.Server
	bulk   *bulk.Handler
}

// newWorld builds the query engine and the Bulk API over an org.
func (e *Emulator) newWorld(o *org.Org, srv *auth.Server) (*world, error) {
	engine := newEngine(o)
	b, err := e.newBulk(o, engine)
	if err != nil {
		return nil, err
	}
	return &world{org: o, engine: engine, auth: srv, bulk: b}, nil
}

// newEngine is the query engine over an org.
func newEngine(o *org.Org) *query.Engine { return query.New(o.QuerySource()) }

// world returns the current org.
func (e *Emulator) world() *world { return e.cur.Load() }

// newAuthServer builds the OAuth server of an org, with the given
// connected apps (the development app when none).
func newAuthServer(opts Options, o *org.Org, apps []auth.ConnectedApp) (*auth.Server, error) {
	srv, err := auth.NewServer(auth.Config{
		OrgID: o.ID(), Users: directory{o}, Clock: opts.Clock, SessionTimeout: opts.SessionTimeout,
		BaseURL: opts.BaseURL, LoginNotice: loginNotice(opts.Seed),
	})
	if err != nil {
		return nil, fmt.Errorf("starting the OAuth server: %w", err)
	}
	if len(apps) == 0 {
		apps = []auth.ConnectedApp{auth.DevApp()}
	}
	for _, a := range apps {
		if err := srv.RegisterApp(a); err != nil {
			return nil, fmt.Errorf("starting the OAuth server: %w", err)
		}
	}
	return srv, nil
}

// newEmulator builds the fronts over an org; opts are normalized.
func newEmulator(opts Options, o *org.Org) (*Emulator, error) {
	srv, err := newAuthServer(opts, o, nil)
	if err != nil {
		return nil, err
	}
	e := &Emulator{
		opts:       opts,
		clock:      opts.Clock,
		log:        opts.Logger,
		usage:      newUsage(opts.Clock, opts.DailyAPILimit),
		adminToken: opts.AdminToken,
	}
	w, err := e.newWorld(o, srv)
	if err != nil {
		return nil, err
	}
	e.cur.Store(w)
	e.settler.run = func() { e.SettleBulk(context.Background()) }
	e.schemaChanged.Store(opts.Clock.Now().Truncate(time.Second).Unix())
	e.routes = e.buildRoutes()
	e.admin = e.adminMux()
	if err := e.faults.set(FaultPlan{}); err != nil {
		return nil, err
	}
	return e, nil
}

// directory adapts the org's users to the OAuth server.
type directory struct{ org *org.Org }

func authUser(u org.User) auth.User {
	return auth.User{ID: u.ID, Username: u.Username, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email,
		Active: u.Active, Profile: u.Profile, Locale: u.Locale, Language: u.Language, TimeZone: u.TimeZone}
}

// SecurityToken is the security token of every emulator user. Salesforce
// wants the password followed by the user's security token from outside
// the org's trusted IP ranges; the emulator trusts every caller, so the
// password alone works, and so does the password followed by this token,
// for clients that always append one.
const SecurityToken = "SFBRIDGEDEVTOKEN"

func (d directory) Authenticate(username, password string) (auth.User, bool) {
	u, ok := d.org.Authenticate(username, password)
	if !ok && strings.HasSuffix(password, SecurityToken) {
		u, ok = d.org.Authenticate(username, strings.TrimSuffix(password, SecurityToken))
	}
	return authUser(u), ok
}

func (d directory) UserByID(id string) (auth.User, bool) {
	u, ok := d.org.UserByID(id)
	return authUser(u), ok
}

func (d directory) UserByUsername(username string) (auth.User, bool) {
	u, ok := d.org.UserByUsername(username)
	return authUser(u), ok
}

// loginNotice is the hint under the login form: the development users.
func loginNotice(seed string) string {
	return "Development users (" + seed + " seed): admin@example.com and user@example.com, password sfbridge."
}

// State is the admin API's view of the emulator.
type State struct {
	OrgID    string         `json:"orgId"`
	Now      time.Time      `json:"now"`
	APIUsage usageBody      `json:"apiUsage"`
	Records  map[string]int `json:"records"`
	Auth     auth.Stats     `json:"auth"`
	Faults   []FaultStatus  `json:"faults"`
}

// State reports the org's record counts, API usage, tokens and faults.
func (e *Emulator) State() State {
	_, faults := e.faults.status()
	return State{
		OrgID: e.OrgID(), Now: e.clock.Now(), APIUsage: e.usageBody(),
		Records: e.world().org.RecordCounts(), Auth: e.world().auth.Stats(), Faults: faults,
	}
}

// recordCount is the number of live records in the org.
func (e *Emulator) recordCount() int {
	n := 0
	for _, c := range e.world().org.RecordCounts() {
		n += c
	}
	return n
}

// access is what the caller may see and do, for describes.
func (c *call) access() schema.Access {
	p, err := c.org.As(c.sess.UserID)
	if err != nil {
		return nil
	}
	return p
}
