package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/config"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// OrgStore keeps the registered orgs, people's connections to them and the
// browser logins under way. [NewStore]'s store is one. Methods taking an
// [AuditEntry] write it in the transaction of the change.
type OrgStore interface {
	// Orgs returns every org, by name.
	Orgs(ctx context.Context) ([]store.Org, error)
	// Org returns the org with the given id, or ErrNotFound.
	Org(ctx context.Context, id int64) (store.Org, error)
	// RegisterOrg stores a new org; a name taken (case-insensitively)
	// returns ErrConflict.
	RegisterOrg(ctx context.Context, o store.Org, audit AuditEntry) (store.Org, error)
	// UpdateOrg applies change to the stored org and saves it, in one
	// transaction with the audit entry (its before and after states). An
	// empty ClientSecret after change keeps the stored one.
	UpdateOrg(ctx context.Context, id int64, change func(*store.Org), audit AuditEntry) (store.Org, error)
	// Connections returns the connections to an org, by id.
	Connections(ctx context.Context, orgID int64) ([]store.Connection, error)
	// ConnectionCount counts the connections to an org and those needing
	// re-authorisation, without reading their secrets.
	ConnectionCount(ctx context.Context, orgID int64) (store.ConnectionCount, error)
	// StartLogin keeps a browser login until its callback, and forgets the
	// logins that expired by now.
	StartLogin(ctx context.Context, l store.OAuthLogin, now time.Time) error
	// TakeLogin returns and forgets the login whose state hashes to
	// stateHash, or ErrNotFound.
	TakeLogin(ctx context.Context, stateHash string) (store.OAuthLogin, error)
	// Connect stores the login as the user's connection to the org
	// (syncer.Link: replacing theirs, resuming the org if it waited for
	// them), in one transaction with the audit entry.
	Connect(ctx context.Context, l syncer.Login, audit AuditEntry) (syncer.Linked, error)
}

// Polling frequency bounds, in seconds: config.MinPollInterval and
// config.MaxPollInterval, which the CLI and the configuration file check too
// (docs/adr/0292-polling-frequency-bounds.md).
const (
	MinPollSeconds = int64(config.MinPollInterval / time.Second)
	MaxPollSeconds = int64(config.MaxPollInterval / time.Second)
	// DefaultPollSeconds is a new org's polling frequency.
	DefaultPollSeconds = int64(store.DefaultPollInterval / time.Second)
)

// loginTTL is how long a browser login to Salesforce may take, from Connect
// to the callback.
const loginTTL = 10 * time.Minute

// CallbackPath is the console's path Salesforce sends the browser back to at
// the end of a login; the connected app must list PublicURL + CallbackPath
// as a callback URL.
const CallbackPath = "/oauth/callback"

// maxOrgName caps an org's name.
const maxOrgName = 80

// OrgInfo is a registered org as the API shows it: never its consumer secret.
type OrgInfo struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// LoginURL is where people log in: https://login.salesforce.com
	// (production), https://test.salesforce.com (sandbox) or a My Domain.
	LoginURL string `json:"login_url"`
	// LoginKind is production, sandbox or my_domain (any other URL, the
	// emulator's included).
	LoginKind string `json:"login_kind"`
	// ClientID is the connected app's consumer key.
	ClientID string `json:"client_id"`
	// HasClientSecret says whether a consumer secret is stored; the secret
	// itself is never shown.
	HasClientSecret bool   `json:"has_client_secret"`
	SalesforceOrgID string `json:"salesforce_org_id,omitempty"`
	InstanceURL     string `json:"instance_url,omitempty"`
	// State is connected, needs_reauth, paused_limit, or not_connected
	// while nobody has connected to the org yet.
	State string `json:"state"`
	// StateReason says what happened, when the state is not connected.
	StateReason string `json:"state_reason,omitempty"`
	// WhatToDo says how to get back to connected.
	WhatToDo string `json:"what_to_do,omitempty"`
	// PollSeconds is how often the org's workflows poll Salesforce.
	PollSeconds int64        `json:"polling_frequency_seconds"`
	APIUsage    APIUsageInfo `json:"api_usage"`
	// Connections counts the people connected to the org; NeedsReauth,
	// those of them whose connection Salesforce stopped accepting.
	Connections int `json:"connections"`
	NeedsReauth int `json:"connections_needing_reauth"`
	// CallbackURL is the URL the connected app must allow as a callback for
	// the console's Connect button.
	CallbackURL string    `json:"callback_url"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// APIUsageInfo is the org's daily API usage as last seen.
type APIUsageInfo struct {
	Used   int64      `json:"used"`
	Limit  int64      `json:"limit"`
	SeenAt *time.Time `json:"seen_at,omitempty"` // absent until a response was seen
}

// OrgList is the registered orgs.
type OrgList struct {
	Orgs []OrgInfo `json:"orgs"`
	// CallbackURL is the URL every org's connected app must allow as a
	// callback, to show before an org is registered.
	CallbackURL string `json:"callback_url"`
}

// RegisterOrgRequest registers a Salesforce org.
type RegisterOrgRequest struct {
	Name string `json:"name"`
	// Login is production, sandbox, or a My Domain URL (https; http only
	// on a loopback host, for the emulator).
	Login    string `json:"login"`
	ClientID string `json:"client_id"`
	// ClientSecret is the consumer secret; write-only. Empty when the
	// connected app does not require it for the web-server flow.
	ClientSecret string `json:"client_secret,omitempty"`
	// PollSeconds defaults to DefaultPollSeconds.
	PollSeconds int64 `json:"polling_frequency_seconds,omitempty"`
}

// PollingRequest sets an org's polling frequency.
type PollingRequest struct {
	PollSeconds int64 `json:"polling_frequency_seconds"`
}

// ConnectedAppRequest replaces the connected app's consumer key and secret.
type ConnectedAppRequest struct {
	ClientID string `json:"client_id"`
	// ClientSecret is write-only; empty keeps the stored secret.
	ClientSecret string `json:"client_secret,omitempty"`
}

// ConnectionInfo is one person's Salesforce identity in an org: never its
// tokens.
type ConnectionInfo struct {
	ID        int64  `json:"id"`
	OrgID     int64  `json:"org_id"`
	UserID    int64  `json:"user_id"`
	UserLogin string `json:"user_login"`
	UserName  string `json:"user_name"`
	// SalesforceUserID and Username are who the person is in Salesforce.
	SalesforceUserID string `json:"salesforce_user_id"`
	Username         string `json:"username"`
	// State is connected or needs_reauth.
	State       string `json:"state"`
	StateReason string `json:"state_reason,omitempty"`
	WhatToDo    string `json:"what_to_do,omitempty"`
	// Renewal is what renews the session: refresh_token, jwt_bearer,
	// client_credentials, password, or none (log in again when it ends).
	Renewal     string    `json:"renewal"`
	ConnectedAt time.Time `json:"connected_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ConnectionList is connections to an org: everyone's for admins, the
// caller's own for others.
type ConnectionList struct {
	Connections []ConnectionInfo `json:"connections"`
}

// ConnectStart is the start of a browser login to Salesforce.
type ConnectStart struct {
	// AuthorizeURL is where to send the browser: the org's login page.
	AuthorizeURL string `json:"authorize_url"`
	// CallbackURL is where Salesforce sends the browser back; the console
	// serves it and finishes the login with POST /api/v1/oauth/callback.
	CallbackURL string    `json:"callback_url"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// OAuthCallback is what Salesforce sent back to the callback URL.
type OAuthCallback struct {
	State            string `json:"state"`
	Code             string `json:"code,omitempty"`
	Error            string `json:"error,omitempty"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// orgRoutes are the org and connection routes.
func (s *Server) orgRoutes(v1 string) []route {
	return []route{
		guarded(http.MethodGet, v1+"/orgs", access.OrgView, "List the registered Salesforce orgs with their state, polling frequency and API usage", s.listOrgs).
			body(nil, OrgList{}),
		guarded(http.MethodPost, v1+"/orgs", access.OrgRegister, "Register a Salesforce org: login host and connected app (the consumer secret is write-only)", s.registerOrg).
			body(RegisterOrgRequest{}, OrgInfo{}).created(),
		guarded(http.MethodGet, v1+"/orgs/{id}", access.OrgView, "One org, with the callback URL its connected app must allow", s.getOrg).
			body(nil, OrgInfo{}),
		guarded(http.MethodPut, v1+"/orgs/{id}/polling", access.OrgSetPolling, "Set how often the org's workflows poll Salesforce, in seconds", s.setPolling).
			body(PollingRequest{}, OrgInfo{}),
		guarded(http.MethodPut, v1+"/orgs/{id}/app", access.OrgRegister, "Replace the connected app's consumer key and secret", s.setConnectedApp).
			body(ConnectedAppRequest{}, OrgInfo{}),
		guarded(http.MethodGet, v1+"/orgs/{id}/connections", access.OrgView, "Connections to the org: everyone's for admins, your own otherwise", s.listConnections).
			body(nil, ConnectionList{}),
		guarded(http.MethodPost, v1+"/orgs/{id}/connect", access.OrgConnect, "Start linking your Salesforce identity: the login URL to send your browser to (OAuth web-server flow with PKCE)", s.startConnect).
			body(nil, ConnectStart{}),
		guarded(http.MethodPost, v1+"/oauth/callback", access.OrgConnect, "Finish a login started with connect: exchange the code and store your connection", s.finishConnect).
			body(OAuthCallback{}, ConnectionInfo{}),
	}
}

// orgs returns the org store, or an error saying the server runs without one.
func (s *Server) orgs() (OrgStore, error) {
	if s.opts.Orgs == nil {
		return nil, errorf(CodeUnavailable, "This server keeps no Salesforce orgs: its store does not support them.")
	}
	return s.opts.Orgs, nil
}

// org reads the org of the {id} path wildcard.
func (s *Server) org(c *call) (OrgStore, store.Org, error) {
	orgs, err := s.orgs()
	if err != nil {
		return nil, store.Org{}, err
	}
	id, err := c.pathID()
	if err != nil {
		return nil, store.Org{}, err
	}
	o, err := orgs.Org(c.r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		return nil, store.Org{}, errorf(CodeNotFound, fmt.Sprintf("No org has id %d; GET /api/v1/orgs lists them.", id))
	}
	return orgs, o, err
}

func (s *Server) listOrgs(c *call) (any, error) {
	orgs, err := s.orgs()
	if err != nil {
		return nil, err
	}
	list, err := orgs.Orgs(c.r.Context())
	if err != nil {
		return nil, fmt.Errorf("listing orgs: %w", err)
	}
	out := OrgList{Orgs: make([]OrgInfo, len(list)), CallbackURL: s.callbackURL(c.r)}
	for i, o := range list {
		if out.Orgs[i], err = s.orgInfo(c, orgs, o); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Server) getOrg(c *call) (any, error) {
	orgs, o, err := s.org(c)
	if err != nil {
		return nil, err
	}
	return s.orgInfo(c, orgs, o)
}

// orgInfo describes o, with its count of connections.
func (s *Server) orgInfo(c *call, orgs OrgStore, o store.Org) (OrgInfo, error) {
	conns, err := orgs.ConnectionCount(c.r.Context(), o.ID)
	if err != nil {
		return OrgInfo{}, err
	}
	info := OrgInfo{ID: o.ID, Name: o.Name, LoginURL: o.LoginURL, LoginKind: loginKind(o.LoginURL), ClientID: o.ClientID,
		HasClientSecret: !o.ClientSecret.IsZero(), SalesforceOrgID: o.SalesforceOrgID, InstanceURL: o.InstanceURL,
		State: string(o.State), StateReason: o.StateReason, PollSeconds: int64(o.PollInterval / time.Second),
		APIUsage:    APIUsageInfo{Used: o.APIUsage.Used, Limit: o.APIUsage.Limit},
		Connections: conns.Total, NeedsReauth: conns.NeedsReauth, CallbackURL: s.callbackURL(c.r), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	if !o.APIUsage.SeenAt.IsZero() {
		info.APIUsage.SeenAt = &o.APIUsage.SeenAt
	}
	if o.State == store.StateConnected && conns.Total == 0 {
		info.State = StateNotConnected
	}
	info.WhatToDo = whatToDo[info.State]
	return info, nil
}

// StateNotConnected is the state the API shows for an org nobody has
// connected to yet.
const StateNotConnected = "not_connected"

// whatToDo says, for each state but connected, how to get back to it.
var whatToDo = map[string]string{
	StateNotConnected:              "Nobody has linked a Salesforce identity to this org yet: open the org and click Connect (POST /api/v1/orgs/{id}/connect).",
	string(store.StateNeedsReauth): "Salesforce refused the stored login (revoked, expired, or the user lost access): click Reconnect and log in again.",
	string(store.StatePausedLimit): "The org's daily API limit is spent: work resumes by itself when usage falls back. Poll less often (PUT /api/v1/orgs/{id}/polling) to spend less.",
}

// loginKind names where an org's people log in.
func loginKind(loginURL string) string {
	switch loginURL {
	case salesforce.ProductionLoginURL:
		return "production"
	case salesforce.SandboxLoginURL:
		return "sandbox"
	}
	return "my_domain"
}

// callbackURL is the console's OAuth callback URL: Options.PublicURL, or
// the scheme and host the request came to.
func (s *Server) callbackURL(r *http.Request) string {
	base := s.opts.PublicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return strings.TrimSuffix(base, "/") + CallbackPath
}

// orgState is what the audit log keeps of an org: never its secret.
func orgState(o store.Org) any {
	return map[string]any{"id": o.ID, "name": o.Name, "login_url": o.LoginURL, "client_id": o.ClientID,
		"has_client_secret": !o.ClientSecret.IsZero(), "polling_frequency_seconds": int64(o.PollInterval / time.Second)}
}

func (s *Server) registerOrg(c *call) (any, error) {
	orgs, err := s.orgs()
	if err != nil {
		return nil, err
	}
	var in RegisterOrgRequest
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var bad []FieldError
	name := strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		bad = append(bad, FieldError{"name", "is empty; name the org as people know it, e.g. production"})
	case n > maxOrgName:
		bad = append(bad, FieldError{"name", fmt.Sprintf("has %d characters; use at most %d", n, maxOrgName)})
	}
	login, err := config.LoginURL(in.Login)
	if err != nil {
		bad = append(bad, FieldError{"login", err.Error()})
	}
	bad = append(bad, checkClientID(in.ClientID)...)
	if in.PollSeconds == 0 {
		in.PollSeconds = DefaultPollSeconds
	}
	bad = append(bad, checkPoll(in.PollSeconds)...)
	if len(bad) > 0 {
		return nil, invalid(bad...)
	}
	o := store.Org{Name: name, LoginURL: login, ClientID: strings.TrimSpace(in.ClientID), ClientSecret: secret.New(in.ClientSecret),
		PollInterval: time.Duration(in.PollSeconds) * time.Second}
	o, err = orgs.RegisterOrg(c.r.Context(), o,
		c.audit(string(access.OrgRegister), "org "+name, fmt.Sprintf("registered org %q, login %s", name, login)))
	if errors.Is(err, ErrConflict) {
		return nil, invalid(FieldError{"name", fmt.Sprintf("is %q, already an org's name (names compare case-insensitively); choose another", name)})
	}
	if err != nil {
		return nil, fmt.Errorf("registering org %q: %w", name, err)
	}
	s.reschedule(c, o)
	return s.orgInfo(c, orgs, o)
}

func checkClientID(id string) []FieldError {
	if strings.TrimSpace(id) == "" {
		return []FieldError{{"client_id", "is empty; copy the consumer key from the connected app (Setup > App Manager > View)"}}
	}
	return nil
}

func checkPoll(seconds int64) []FieldError {
	if seconds < MinPollSeconds || seconds > MaxPollSeconds {
		return []FieldError{{"polling_frequency_seconds", fmt.Sprintf("is %d; poll every %d to %d seconds (1 minute to 1 day)", seconds, MinPollSeconds, MaxPollSeconds)}}
	}
	return nil
}

func (s *Server) setPolling(c *call) (any, error) {
	orgs, o, err := s.org(c)
	if err != nil {
		return nil, err
	}
	var in PollingRequest
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.PollSeconds == int64(o.PollInterval/time.Second) {
		// Unchanged: saved as it is, even outside the bounds (the demo's
		// org polls every 10 seconds), so that a form sent back untouched
		// does not fail.
		return s.orgInfo(c, orgs, o)
	}
	if bad := checkPoll(in.PollSeconds); bad != nil {
		return nil, invalid(bad...)
	}
	o, err = orgs.UpdateOrg(c.r.Context(), o.ID, func(o *store.Org) { o.PollInterval = time.Duration(in.PollSeconds) * time.Second },
		c.audit(string(access.OrgSetPolling), fmt.Sprintf("org %d", o.ID),
			fmt.Sprintf("polling frequency of org %q %ds -> %ds", o.Name, int64(o.PollInterval/time.Second), in.PollSeconds)))
	if err != nil {
		return nil, fmt.Errorf("setting the polling frequency of org %d: %w", o.ID, err)
	}
	s.reschedule(c, o)
	return s.orgInfo(c, orgs, o)
}

// reschedule has the scheduler poll o at its stored interval from now on.
// The org is saved already, so a failure is logged rather than answered: the
// next start of the server schedules it anyway.
func (s *Server) reschedule(c *call, o store.Org) {
	if s.opts.Runner == nil {
		return
	}
	if err := s.opts.Runner.Reschedule(c.r.Context(), o.ID); err != nil {
		s.log.Warn("api: the org is saved but its polling could not be rescheduled; it polls at the next start",
			"org", o.Name, "err", err)
	}
}

func (s *Server) setConnectedApp(c *call) (any, error) {
	orgs, o, err := s.org(c)
	if err != nil {
		return nil, err
	}
	var in ConnectedAppRequest
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if bad := checkClientID(in.ClientID); bad != nil {
		return nil, invalid(bad...)
	}
	detail := fmt.Sprintf("connected app of org %q: consumer key replaced, secret kept", o.Name)
	if in.ClientSecret != "" {
		detail = fmt.Sprintf("connected app of org %q: consumer key and secret replaced", o.Name)
	}
	o, err = orgs.UpdateOrg(c.r.Context(), o.ID, func(o *store.Org) {
		o.ClientID, o.ClientSecret = strings.TrimSpace(in.ClientID), secret.New(in.ClientSecret)
	}, c.audit("org.set_connected_app", fmt.Sprintf("org %d", o.ID), detail))
	if err != nil {
		return nil, fmt.Errorf("replacing the connected app of org %d: %w", o.ID, err)
	}
	s.forget(o.ID)
	return s.orgInfo(c, orgs, o)
}

// forget drops the cached clients of an org after its connections or its
// connected app changed.
func (s *Server) forget(orgID int64) {
	if s.opts.Forget != nil {
		s.opts.Forget(orgID)
	}
}

// seesEveryone reports whether the caller sees everyone's connections:
// those who may register orgs (the admins) do.
func seesEveryone(c *call) bool {
	return access.Decide(c.actor, access.OrgRegister, access.Resource{}).Allowed
}

func (s *Server) listConnections(c *call) (any, error) {
	orgs, o, err := s.org(c)
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	conns, err := orgs.Connections(ctx, o.ID)
	if err != nil {
		return nil, fmt.Errorf("listing the connections to org %d: %w", o.ID, err)
	}
	users, err := s.opts.Store.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	byID := make(map[int64]User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	all := seesEveryone(c)
	out := ConnectionList{Connections: []ConnectionInfo{}}
	for _, conn := range conns {
		if all || conn.UserID == c.actor.ID {
			out.Connections = append(out.Connections, connectionInfo(conn, byID[conn.UserID]))
		}
	}
	return out, nil
}

func connectionInfo(conn store.Connection, u User) ConnectionInfo {
	info := ConnectionInfo{ID: conn.ID, OrgID: conn.OrgID, UserID: conn.UserID, UserLogin: u.Login, UserName: u.DisplayName,
		SalesforceUserID: conn.SalesforceUserID, Username: conn.Username, State: string(conn.State), StateReason: conn.StateReason,
		Renewal: string(conn.Grant.Type), ConnectedAt: conn.TokenIssuedAt, UpdatedAt: conn.UpdatedAt}
	if conn.State == store.StateNeedsReauth {
		info.WhatToDo = "Salesforce refused this connection's stored login; its owner clicks Reconnect on the org's page and logs in again."
	}
	return info
}

// oauthConfig is the OAuth configuration of org o's connected app for a
// browser login coming back to redirect.
func (s *Server) oauthConfig(o store.Org, redirect string) (*salesforce.OAuth, salesforce.Config, error) {
	cfg := syncer.ClientConfig(s.opts.Salesforce, o, store.Grant{})
	cfg.RedirectURL, cfg.Scopes = redirect, []string{"api", "refresh_token"}
	oa, err := salesforce.NewOAuth(cfg)
	if err != nil {
		return nil, cfg, fmt.Errorf("configuring the login to org %q: %w", o.Name, err)
	}
	return oa, cfg, nil
}

func (s *Server) startConnect(c *call) (any, error) {
	orgs, o, err := s.org(c)
	if err != nil {
		return nil, err
	}
	redirect := s.callbackURL(c.r)
	oa, _, err := s.oauthConfig(o, redirect)
	if err != nil {
		return nil, err
	}
	// prompt=login: the person chooses whom they log in as, even when
	// their browser already holds a Salesforce session.
	authz := oa.Authorize(salesforce.AuthorizeOptions{Prompt: "login"})
	now := s.now()
	l := store.OAuthLogin{StateHash: access.HashSecret(authz.State), OrgID: o.ID, UserID: c.actor.ID,
		Verifier: secret.New(authz.Verifier), RedirectURL: redirect, ExpiresAt: now.Add(loginTTL)}
	if err := orgs.StartLogin(c.r.Context(), l, now); err != nil {
		return nil, fmt.Errorf("starting a login to org %d: %w", o.ID, err)
	}
	return ConnectStart{AuthorizeURL: authz.URL, CallbackURL: redirect, ExpiresAt: l.ExpiresAt}, nil
}

func (s *Server) finishConnect(c *call) (any, error) {
	orgs, err := s.orgs()
	if err != nil {
		return nil, err
	}
	var in OAuthCallback
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.State == "" {
		return nil, invalid(FieldError{"state", "is empty; pass the state query parameter Salesforce sent to the callback URL"})
	}
	ctx := c.r.Context()
	l, err := orgs.TakeLogin(ctx, access.HashSecret(in.State))
	// Someone else's login is as unknown to the caller as one that never
	// was: the state is the only proof of who started it.
	if errors.Is(err, ErrNotFound) || (err == nil && l.UserID != c.actor.ID) {
		return nil, errorf(CodeLoginUnknown, "This Salesforce login is unknown, was already used, or was started by someone else. Click Connect on the org's page to start again.")
	}
	if err != nil {
		return nil, fmt.Errorf("finishing a login: %w", err)
	}
	if !s.now().Before(l.ExpiresAt) {
		return nil, errorf(CodeLoginExpired, fmt.Sprintf("This Salesforce login took longer than %s. Click Connect on the org's page to start again.", loginTTL))
	}
	if in.Error != "" {
		return nil, errorf(CodeLoginRefused, fmt.Sprintf("Salesforce refused the login: %s (%s). Check that your Salesforce user may use the connected app, then click Connect again.",
			in.Error, in.ErrorDescription))
	}
	if in.Code == "" {
		return nil, invalid(FieldError{"code", "is empty; pass the code query parameter Salesforce sent to the callback URL"})
	}
	o, err := orgs.Org(ctx, l.OrgID)
	if err != nil {
		return nil, fmt.Errorf("reading org %d: %w", l.OrgID, err)
	}
	oa, cfg, err := s.oauthConfig(o, l.RedirectURL)
	if err != nil {
		return nil, err
	}
	tok, err := oa.Exchange(ctx, in.Code, l.Verifier.Reveal())
	if err != nil {
		return nil, errorf(CodeLoginRefused, fmt.Sprintf("Salesforce refused the authorization code (%v). Click Connect again; if it keeps failing, check the connected app's consumer key and secret, and that it allows the callback URL %s.",
			err, l.RedirectURL))
	}
	if o.SalesforceOrgID != "" && tok.OrgID() != o.SalesforceOrgID {
		return nil, errorf(CodeWrongOrg, fmt.Sprintf("You logged in to Salesforce org %s, but %q is org %s. Click Connect again and log in with a user of that org.",
			tok.OrgID(), o.Name, o.SalesforceOrgID))
	}
	client, err := salesforce.New(cfg, tok, nil)
	if err != nil {
		return nil, fmt.Errorf("connecting to org %q: %w", o.Name, err)
	}
	username, err := syncer.LoggedInUsername(ctx, client)
	if err != nil {
		return nil, fmt.Errorf("connecting to org %q: %w", o.Name, err)
	}
	linked, err := orgs.Connect(ctx, syncer.Login{Org: o, UserID: c.actor.ID, Client: client, Username: username},
		c.audit(string(access.OrgConnect), fmt.Sprintf("org %d", o.ID), fmt.Sprintf("%s connected to org %q as Salesforce user %s", c.user.Login, o.Name, username)))
	if err != nil {
		return nil, fmt.Errorf("storing the connection to org %q: %w", o.Name, err)
	}
	s.forget(o.ID)
	if linked.Resumed {
		s.log.Info("api: org resumed: its last refused connection was renewed", "org", o.Name, "user", c.user.Login)
	}
	return connectionInfo(linked.Connection, c.user), nil
}

var _ OrgStore = dbStore{}

func (d dbStore) Orgs(ctx context.Context) ([]store.Org, error) { return d.st.Orgs().List(ctx) }

func (d dbStore) Org(ctx context.Context, id int64) (store.Org, error) {
	o, err := d.st.Orgs().Get(ctx, id)
	return o, apiError(err, "")
}

func (d dbStore) RegisterOrg(ctx context.Context, o store.Org, audit AuditEntry) (store.Org, error) {
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		var err error
		if o, err = tx.Orgs().Create(ctx, o); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit, nil, orgState(o))
	})
	return o, apiError(err, fmt.Sprintf("an org is named %q already", o.Name))
}

func (d dbStore) UpdateOrg(ctx context.Context, id int64, change func(*store.Org), audit AuditEntry) (store.Org, error) {
	var after store.Org
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		before, err := tx.Orgs().Get(ctx, id)
		if err != nil {
			return err
		}
		o := before
		change(&o)
		if after, err = tx.Orgs().Update(ctx, o); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit, orgState(before), orgState(after))
	})
	return after, apiError(err, "")
}

func (d dbStore) Connections(ctx context.Context, orgID int64) ([]store.Connection, error) {
	return d.st.Connections().List(ctx, orgID)
}

func (d dbStore) ConnectionCount(ctx context.Context, orgID int64) (store.ConnectionCount, error) {
	return d.st.Connections().Count(ctx, orgID)
}

func (d dbStore) StartLogin(ctx context.Context, l store.OAuthLogin, now time.Time) error {
	return d.st.OAuthLogins().Start(ctx, l, now)
}

func (d dbStore) TakeLogin(ctx context.Context, stateHash string) (store.OAuthLogin, error) {
	l, err := d.st.OAuthLogins().Take(ctx, stateHash)
	return l, apiError(err, "")
}

func (d dbStore) Connect(ctx context.Context, l syncer.Login, audit AuditEntry) (syncer.Linked, error) {
	linked, err := syncer.Link(ctx, d.st, l, func(tx *store.Tx, linked syncer.Linked) error {
		var before any
		if linked.Before.ID != 0 {
			before = connectionState(linked.Before)
		}
		if linked.Resumed {
			audit.Detail += "; the org, which waited for this re-authorisation, resumed"
		}
		return appendAudit(ctx, tx, audit, before, connectionState(linked.Connection))
	})
	return linked, apiError(err, "")
}

// connectionState is what the audit log keeps of a connection: never its
// tokens.
func connectionState(c store.Connection) any {
	return map[string]any{"id": c.ID, "org_id": c.OrgID, "user_id": c.UserID, "salesforce_user_id": c.SalesforceUserID,
		"username": c.Username, "state": string(c.State), "renewal": string(c.Grant.Type)}
}
