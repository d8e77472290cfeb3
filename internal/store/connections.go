package store

import (
	"context"
	"database/sql"
	"fmt"
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
	State            State        // connected or needs_reauth
	StateReason      string
	TokenIssuedAt    time.Time // when the access token was last issued
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Connections is the repository of connections, bound to a Scope.
type Connections struct{ sc Scope }

// Connections returns the connections repository, each call in its own
// transaction.
func (s *Store) Connections() Connections { return Connections{s} }

// Connections returns the connections repository inside tx.
func (tx *Tx) Connections() Connections { return Connections{tx} }

const connColumns = `id, org_id, user_id, sf_user_id, sf_username, instance_url, access_token, refresh_token,
	state, state_reason, token_issued_at, created_at, updated_at`

// Save links a user to an org: it stores the connection, or replaces the
// identity and tokens of the user's existing connection to that org, which
// becomes connected. TokenIssuedAt is the transaction's time.
func (r Connections) Save(ctx context.Context, c Connection) (Connection, error) {
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
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO connections (org_id, user_id, sf_user_id, sf_username, instance_url,
			access_token, refresh_token, state, state_reason, token_issued_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'connected', '', $8, $8, $8)
			ON CONFLICT (org_id, user_id) DO UPDATE SET sf_user_id = excluded.sf_user_id,
				sf_username = excluded.sf_username, instance_url = excluded.instance_url,
				access_token = excluded.access_token, refresh_token = excluded.refresh_token,
				state = 'connected', state_reason = '', token_issued_at = excluded.token_issued_at,
				updated_at = excluded.updated_at
			RETURNING id`,
			c.OrgID, c.UserID, c.SalesforceUserID, c.Username, c.InstanceURL, access, refresh, tx.Now()).Scan(&id); err != nil {
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
				c               Connection
				access, refresh []byte
				state           string
				issued          sql.NullTime
			)
			if err := rows.Scan(&c.ID, &c.OrgID, &c.UserID, &c.SalesforceUserID, &c.Username, &c.InstanceURL,
				&access, &refresh, &state, &c.StateReason, &issued, &c.CreatedAt, &c.UpdatedAt); err != nil {
				return err
			}
			if c.AccessToken, err = tx.open(access, sealConnAccessToken); err != nil {
				return fmt.Errorf("opening the access token of connection %d: %w", c.ID, err)
			}
			if c.RefreshToken, err = tx.open(refresh, sealConnRefreshToken); err != nil {
				return fmt.Errorf("opening the refresh token of connection %d: %w", c.ID, err)
			}
			c.State, c.TokenIssuedAt = State(state), utc(issued)
			c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
			cs = append(cs, c)
		}
		return rows.Err()
	})
	return cs, err
}
