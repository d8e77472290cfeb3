package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
)

// Connection is one sfbridge user's Salesforce identity in an org, and the
// tokens sfbridge acts with on their behalf.
type Connection struct {
	ID               int64
	OrgID            int64
	UserID           int64
	SalesforceUserID string // 005...
	Username         string // the Salesforce username
	InstanceURL      string
	AccessToken      secret.Value // sealed at rest
	RefreshToken     secret.Value // sealed at rest
	Grant            Grant        // what renews the session without a person
	State            State        // connected or needs_reauth
	StateReason      string
	TokenIssuedAt    time.Time // when the access token was last issued
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// GrantType is how a connection renews its session when Salesforce ends it.
type GrantType string

// Grant types.
const (
	// GrantNone: nothing renews the session; someone logs in again.
	GrantNone GrantType = "none"
	// GrantRefreshToken: the web flow's refresh token (Connection.RefreshToken).
	GrantRefreshToken GrantType = "refresh_token"
	// GrantJWTBearer: a JWT for Connection.Username signed with the private
	// key in Grant.Secret (PEM), whose certificate is on the connected app.
	GrantJWTBearer GrantType = "jwt_bearer"
	// GrantClientCredentials: the org's connected app secret, acting as the
	// app's Run As user. Nothing more is stored.
	GrantClientCredentials GrantType = "client_credentials"
	// GrantPassword: Connection.Username with the password (and security
	// token) in Grant.Secret. For the emulator and development orgs only.
	GrantPassword GrantType = "password"
)

// Grant is what renews a connection's session without a person. Its secret
// is sealed at rest. See docs/adr/0170-connections-that-renew-themselves.md.
type Grant struct {
	// Type defaults, on Save, to GrantRefreshToken when the connection has a
	// refresh token and GrantNone otherwise.
	Type GrantType
	// Secret is the PEM private key (GrantJWTBearer) or the password followed
	// by the security token (GrantPassword); empty for the other types.
	Secret secret.Value
	// Audience is the JWT's aud claim (GrantJWTBearer); empty means the
	// default of the org's login URL, so it follows the org if it moves.
	Audience string
}

// check defaults the grant's type and reports what makes it unusable for c.
func (g *Grant) check(c Connection) error {
	if g.Type == "" {
		g.Type = GrantNone
		if !c.RefreshToken.IsZero() {
			g.Type = GrantRefreshToken
		}
	}
	needsSecret := false
	switch g.Type {
	case GrantNone, GrantClientCredentials:
	case GrantRefreshToken:
		if c.RefreshToken.IsZero() {
			return fmt.Errorf("%w: the refresh_token grant needs a refresh token: log in with the web flow and the refresh_token scope", ErrInvalid)
		}
	case GrantJWTBearer, GrantPassword:
		needsSecret = true
		if strings.TrimSpace(c.Username) == "" {
			return fmt.Errorf("%w: the %s grant needs the Salesforce username to log in as", ErrInvalid, g.Type)
		}
		if g.Secret.IsZero() {
			what := map[GrantType]string{GrantJWTBearer: "the PEM private key", GrantPassword: "the password"}[g.Type]
			return fmt.Errorf("%w: the %s grant needs %s", ErrInvalid, g.Type, what)
		}
	default:
		return fmt.Errorf("%w: unknown grant type %q: use none, refresh_token, jwt_bearer, client_credentials or password", ErrInvalid, g.Type)
	}
	if !needsSecret && !g.Secret.IsZero() {
		return fmt.Errorf("%w: the %s grant keeps no secret of its own", ErrInvalid, g.Type)
	}
	if g.Type != GrantJWTBearer && g.Audience != "" {
		return fmt.Errorf("%w: an audience is only for the jwt_bearer grant, not %s", ErrInvalid, g.Type)
	}
	return nil
}

// Connections is the repository of connections, bound to a Scope.
type Connections struct{ sc Scope }

// Connections returns the connections repository, each call in its own
// transaction.
func (s *Store) Connections() Connections { return Connections{s} }

// Connections returns the connections repository inside tx.
func (tx *Tx) Connections() Connections { return Connections{tx} }

const connColumns = `id, org_id, user_id, sf_user_id, sf_username, instance_url, access_token, refresh_token,
	grant_type, grant_secret, jwt_audience, state, state_reason, token_issued_at, created_at, updated_at`

// Save links a user to an org: it stores the connection, or replaces the
// identity, tokens and grant of the user's existing connection to that org,
// which becomes connected. TokenIssuedAt is the transaction's time. A grant
// that cannot renew the session (a jwt_bearer grant without a key...) fails
// with ErrInvalid.
func (r Connections) Save(ctx context.Context, c Connection) (Connection, error) {
	if err := c.Grant.check(c); err != nil {
		return Connection{}, fmt.Errorf("saving the connection of user %d to org %d: %w", c.UserID, c.OrgID, err)
	}
	var out Connection
	err := r.sc.Write(ctx, func(tx *Tx) error {
		access, err := tx.seal(c.AccessToken, sealConnAccessToken)
		if err != nil {
			return err
		}
		refresh, err := tx.seal(c.RefreshToken, sealConnRefreshToken)
		if err != nil {
			return err
		}
		grantSecret, err := tx.seal(c.Grant.Secret, sealConnGrantSecret)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO connections (org_id, user_id, sf_user_id, sf_username, instance_url,
			access_token, refresh_token, grant_type, grant_secret, jwt_audience, state, state_reason, token_issued_at,
			created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'connected', '', $11, $11, $11)
			ON CONFLICT (org_id, user_id) DO UPDATE SET sf_user_id = excluded.sf_user_id,
				sf_username = excluded.sf_username, instance_url = excluded.instance_url,
				access_token = excluded.access_token, refresh_token = excluded.refresh_token,
				grant_type = excluded.grant_type, grant_secret = excluded.grant_secret,
				jwt_audience = excluded.jwt_audience,
				state = 'connected', state_reason = '', token_issued_at = excluded.token_issued_at,
				updated_at = excluded.updated_at
			RETURNING id`,
			c.OrgID, c.UserID, c.SalesforceUserID, c.Username, c.InstanceURL, access, refresh,
			string(c.Grant.Type), grantSecret, c.Grant.Audience, tx.Now()).Scan(&id); err != nil {
			return err
		}
		out, err = tx.Connections().Get(ctx, id)
		return err
	})
	if err != nil {
		return Connection{}, fmt.Errorf("saving the connection of user %d to org %d: %w", c.UserID, c.OrgID, err)
	}
	return out, nil
}

// UpdateTokens stores tokens from a refresh: the access token always, the
// refresh token only when it is not empty (Salesforce sends one only when it
// rotates refresh tokens). The connection becomes connected.
func (r Connections) UpdateTokens(ctx context.Context, id int64, access, refresh secret.Value) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		a, err := tx.seal(access, sealConnAccessToken)
		if err != nil {
			return err
		}
		rf, err := tx.seal(refresh, sealConnRefreshToken)
		if err != nil {
			return err
		}
		return oneRow(tx.Exec(ctx, `UPDATE connections SET access_token = $1, refresh_token = COALESCE($2, refresh_token),
			token_issued_at = $3, state = 'connected', state_reason = '', updated_at = $3 WHERE id = $4`, a, rf, tx.Now(), id))
	})
	if err != nil {
		return fmt.Errorf("updating the tokens of connection %d: %w", id, err)
	}
	return nil
}

// SetState records the connection's state (connected or needs_reauth) and why.
func (r Connections) SetState(ctx context.Context, id int64, state State, reason string) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		return oneRow(tx.Exec(ctx, `UPDATE connections SET state = $1, state_reason = $2, updated_at = $3 WHERE id = $4`,
			string(state), reason, tx.Now(), id))
	})
	if err != nil {
		return fmt.Errorf("setting the state of connection %d to %s: %w", id, state, err)
	}
	return nil
}

// Get returns the connection with the given id.
func (r Connections) Get(ctx context.Context, id int64) (Connection, error) {
	cs, err := r.list(ctx, `WHERE id = $1`, id)
	if err == nil && len(cs) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Connection{}, fmt.Errorf("reading connection %d: %w", id, err)
	}
	return cs[0], nil
}

// ForUser returns the connection of a user to an org.
func (r Connections) ForUser(ctx context.Context, orgID, userID int64) (Connection, error) {
	cs, err := r.list(ctx, `WHERE org_id = $1 AND user_id = $2`, orgID, userID)
	if err == nil && len(cs) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Connection{}, fmt.Errorf("reading the connection of user %d to org %d: %w", userID, orgID, err)
	}
	return cs[0], nil
}

// List returns the connections to an org, by id.
func (r Connections) List(ctx context.Context, orgID int64) ([]Connection, error) {
	cs, err := r.list(ctx, `WHERE org_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("listing the connections to org %d: %w", orgID, err)
	}
	return cs, nil
}

// ConnectionCount is how many people are connected to an org, and how many
// of those connections Salesforce stopped accepting.
type ConnectionCount struct {
	Total, NeedsReauth int
}

// Count counts the connections to an org, without reading their secrets.
func (r Connections) Count(ctx context.Context, orgID int64) (ConnectionCount, error) {
	var n ConnectionCount
	err := r.sc.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*), COALESCE(SUM(CASE WHEN state = $2 THEN 1 ELSE 0 END), 0)
FROM connections WHERE org_id = $1`, orgID, string(StateNeedsReauth)).Scan(&n.Total, &n.NeedsReauth)
	})
	if err != nil {
		return ConnectionCount{}, fmt.Errorf("counting the connections to org %d: %w", orgID, err)
	}
	return n, nil
}

// Delete removes a connection.
func (r Connections) Delete(ctx context.Context, id int64) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		return oneRow(tx.Exec(ctx, `DELETE FROM connections WHERE id = $1`, id))
	})
	if err != nil {
		return fmt.Errorf("deleting connection %d: %w", id, err)
	}
	return nil
}

func (r Connections) list(ctx context.Context, where string, args ...any) ([]Connection, error) {
	var cs []Connection
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+connColumns+` FROM connections `+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c                            Connection
				access, refresh, grantSecret []byte
				state, grantType             string
				issued                       sql.NullTime
			)
			if err := rows.Scan(&c.ID, &c.OrgID, &c.UserID, &c.SalesforceUserID, &c.Username, &c.InstanceURL,
				&access, &refresh, &grantType, &grantSecret, &c.Grant.Audience,
				&state, &c.StateReason, &issued, &c.CreatedAt, &c.UpdatedAt); err != nil {
				return err
			}
			c.Grant.Type = GrantType(grantType)
			if c.AccessToken, err = tx.open(access, sealConnAccessToken); err != nil {
				return fmt.Errorf("opening the access token of connection %d: %w", c.ID, err)
			}
			if c.RefreshToken, err = tx.open(refresh, sealConnRefreshToken); err != nil {
				return fmt.Errorf("opening the refresh token of connection %d: %w", c.ID, err)
			}
			if c.Grant.Secret, err = tx.open(grantSecret, sealConnGrantSecret); err != nil {
				return fmt.Errorf("opening the grant secret of connection %d: %w", c.ID, err)
			}
			c.State, c.TokenIssuedAt = State(state), utc(issued)
			c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
			cs = append(cs, c)
		}
		return rows.Err()
	})
	return cs, err
}
