package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
)

// Connector gives the Salesforce client a workflow acts with: its owner's
// connection to its org.
type Connector interface {
	// Client returns the client of a user's connection to an org. A
	// connection that must be authorized again fails with an error
	// matching salesforce.ErrNeedsReauth.
	Client(ctx context.Context, orgID, userID int64) (*salesforce.Client, error)
	// Forget drops what the Connector keeps about an org, so that the next
	// Client reads its connections again (after a reconnection).
	Forget(orgID int64)
}

// StoreConnector builds clients from the orgs and connections in the store
// and keeps one per connection: sessions are renewed in place, with the
// connection's refresh token or its stored grant (JWT key, client
// credentials, password), and every token Salesforce issues is stored back
// (sealed). A grant Salesforce refuses fails the call with an error matching
// salesforce.ErrNeedsReauth (a *RefusedError) and drops the client; once
// told a Watcher (Tell), the connector also marks the connection
// needs_reauth and tells its owner and the admins, once, whoever's call
// found out (a sync run, a search, activity logging, the builder). The
// clients of one org share one API Budget. It is safe for concurrent use.
type StoreConnector struct {
	store *store.Store
	base  salesforce.Config
	watch Watcher // told of refused connections; nil until Tell

	mu      sync.Mutex
	clients map[[2]int64]*salesforce.Client
	budgets map[int64]*salesforce.Budget
}

// NewStoreConnector returns a Connector over st. base carries what is the
// same for every org (HTTPClient, APIVersion, Retry, Logger...); the login
// URL, connected app, budget and token callback come from the store.
func NewStoreConnector(st *store.Store, base salesforce.Config) *StoreConnector {
	return &StoreConnector{store: st, base: base, clients: map[[2]int64]*salesforce.Client{}, budgets: map[int64]*salesforce.Budget{}}
}

// Tell makes the connector record refused connections: mark them
// needs_reauth and tell w (Watcher.NeedsReauth). Without it, only the sync
// Service records them, for its workflows' owners. Give it the Service's
// Watcher, before the first Client.
func (c *StoreConnector) Tell(w Watcher) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.watch = w
}

var _ Connector = (*StoreConnector)(nil)

// Client implements Connector.
func (c *StoreConnector) Client(ctx context.Context, orgID, userID int64) (*salesforce.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[[2]int64{orgID, userID}]; ok {
		return cl, nil
	}
	org, err := c.store.Orgs().Get(ctx, orgID)
	if err != nil {
		return nil, err
	}
	conn, err := c.store.Connections().ForUser(ctx, orgID, userID)
	if err != nil {
		return nil, fmt.Errorf("finding the Salesforce connection of user %d to org %q: %w", userID, org.Name, err)
	}
	if conn.State == store.StateNeedsReauth {
		return nil, &RefusedError{OrgID: org.ID, Org: org.Name, Username: conn.Username,
			Err: fmt.Errorf("%s: %w", conn.StateReason, salesforce.ErrNeedsReauth)}
	}
	budget := c.budgets[orgID]
	if budget == nil {
		budget = new(salesforce.Budget)
		c.budgets[orgID] = budget
	}
	cfg := ClientConfig(c.base, org, conn.Grant)
	cfg.Budget = budget
	cfg.OnToken = func(ctx context.Context, tok *salesforce.Token) error {
		return c.store.Connections().UpdateTokens(ctx, conn.ID, secret.New(tok.AccessToken), secret.New(tok.RefreshToken))
	}
	cfg.OnRefused = func(ctx context.Context, cause error) error { return c.refused(ctx, org, conn, cause) }
	tok := &salesforce.Token{
		AccessToken:  conn.AccessToken.Reveal(),
		RefreshToken: conn.RefreshToken.Reveal(),
		InstanceURL:  conn.InstanceURL,
	}
	grant, err := RenewalGrant(conn.Username, conn.Grant)
	if err != nil {
		return nil, fmt.Errorf("connecting to org %q as %s: %w", org.Name, conn.Username, err)
	}
	cl, err := salesforce.New(cfg, tok, grant)
	if err != nil {
		return nil, fmt.Errorf("connecting to org %q as %s: %w", org.Name, conn.Username, err)
	}
	c.clients[[2]int64{orgID, userID}] = cl
	return cl, nil
}

// refused handles Salesforce refusing conn's grant: its client is dropped
// and, with a Watcher (Tell), the connection is marked needs_reauth, so
// that the next Client fails at once without asking Salesforce, and the
// Watcher is told when the mark is new. It returns the *RefusedError the
// refused call fails with.
func (c *StoreConnector) refused(ctx context.Context, org store.Org, conn store.Connection, cause error) error {
	c.mu.Lock()
	delete(c.clients, [2]int64{org.ID, conn.UserID})
	watch := c.watch
	c.mu.Unlock()
	if watch != nil {
		marked, err := markNeedsReauth(ctx, c.store, org.ID, conn.UserID, cause)
		if err != nil {
			c.log().WarnContext(ctx, "recording a refused Salesforce connection", "org", org.Name, "user", conn.Username, "err", err)
		}
		if marked {
			watch.NeedsReauth(ctx, org, conn.UserID, cause.Error())
		}
	}
	return &RefusedError{OrgID: org.ID, Org: org.Name, Username: conn.Username, Err: cause}
}

// log is the logger of base, or none.
func (c *StoreConnector) log() *slog.Logger {
	if c.base.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.base.Logger
}

// markNeedsReauth marks userID's connection to orgID needs_reauth with
// cause as the reason, and reports whether it was not marked already (a
// missing connection counts as new), so that people are told once.
func markNeedsReauth(ctx context.Context, st *store.Store, orgID, userID int64, cause error) (bool, error) {
	conn, err := st.Connections().ForUser(ctx, orgID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if conn.State == store.StateNeedsReauth {
		return false, nil
	}
	return true, st.Connections().SetState(ctx, conn.ID, store.StateNeedsReauth, cause.Error())
}

// Forget implements Connector.
func (c *StoreConnector) Forget(orgID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.clients {
		if k[0] == orgID {
			delete(c.clients, k)
		}
	}
}

// ClientConfig returns base configured for org's login URL and connected
// app, with the JWT audience of grant g (empty keeps the default of the
// login URL).
func ClientConfig(base salesforce.Config, org store.Org, g store.Grant) salesforce.Config {
	cfg := base
	cfg.LoginURL, cfg.ClientID, cfg.ClientSecret = org.LoginURL, org.ClientID, org.ClientSecret.Reveal()
	cfg.JWTAudience = g.Audience
	return cfg
}

// RenewalGrant returns the salesforce.Grant that obtains a session for the
// Salesforce user username with the stored grant g: a JWT signed with g's
// key, the client credentials, or the password. It returns nil for
// store.GrantRefreshToken (the client renews with the token's refresh token)
// and store.GrantNone (nothing renews: the call fails with
// salesforce.ErrNeedsReauth once the session ends).
func RenewalGrant(username string, g store.Grant) (salesforce.Grant, error) {
	switch g.Type {
	case store.GrantJWTBearer:
		key, err := salesforce.ParseRSAPrivateKey([]byte(g.Secret.Reveal()))
		if err != nil {
			return nil, fmt.Errorf("reading the stored JWT key: %w", err)
		}
		return salesforce.JWTBearerGrant(username, key), nil
	case store.GrantClientCredentials:
		return salesforce.ClientCredentialsGrant(), nil
	case store.GrantPassword:
		return salesforce.PasswordGrant(username, g.Secret.Reveal()), nil
	}
	return nil, nil
}
