package syncer

import (
	"context"
	"fmt"
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
// salesforce.ErrNeedsReauth. The clients of one org share one API Budget. It
// is safe for concurrent use.
type StoreConnector struct {
	store *store.Store
	base  salesforce.Config

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
		return nil, fmt.Errorf("connection of %s to org %q: %s: %w", conn.Username, org.Name, conn.StateReason, salesforce.ErrNeedsReauth)
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
