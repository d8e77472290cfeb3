package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
)

// State is the state of an org or of a user's connection to it.
type State string

// States. A connection is only ever connected or needs_reauth.
const (
	// StateConnected: calls go through.
	StateConnected State = "connected"
	// StateNeedsReauth: the refresh token was refused (revoked, expired);
	// someone must log in again.
	StateNeedsReauth State = "needs_reauth"
	// StatePausedLimit: the org's API budget is spent; work resumes by
	// itself when usage falls back.
	StatePausedLimit State = "paused_limit"
)

// DefaultPollInterval is an org's polling interval when none is set.
const DefaultPollInterval = 5 * time.Minute

// Org is a Salesforce org registered by an admin: where its users log in,
// with which connected app, and how it is doing.
type Org struct {
	ID              int64
	Name            string       // unique, case-insensitively; chosen by the admin
	LoginURL        string       // https://login.salesforce.com, https://test.salesforce.com or a My Domain
	ClientID        string       // the connected app's consumer key
	ClientSecret    secret.Value // the connected app's consumer secret, sealed at rest
	SalesforceOrgID string       // the Organization Id (00D...), once known
	InstanceURL     string       // where the API lives, from the token response
	State           State
	StateReason     string        // why the state is not connected, for people
	PollInterval    time.Duration // how often workflows of this org poll; stored in milliseconds
	APIUsage        APIUsage
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// APIUsage is the org's daily API usage as last seen in a Sforce-Limit-Info
// header.
type APIUsage struct {
	Used   int64
	Limit  int64
	SeenAt time.Time // zero until a response was seen
}

// Orgs is the repository of orgs, bound to a Scope.
type Orgs struct{ sc Scope }

// Orgs returns the orgs repository, each call in its own transaction.
func (s *Store) Orgs() Orgs { return Orgs{s} }

// Orgs returns the orgs repository inside tx.
func (tx *Tx) Orgs() Orgs { return Orgs{tx} }

const orgColumns = `id, name, login_url, client_id, client_secret, sf_org_id, instance_url, state, state_reason,
	poll_interval_ms, api_used, api_limit, api_seen_at, created_at, updated_at`

// check normalises o and reports what makes it unstorable.
func (o *Org) check() error {
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" {
		return fmt.Errorf("%w: the org name is empty", ErrInvalid)
	}
	if !validLoginURL(o.LoginURL) {
		return fmt.Errorf("%w: the login URL %q is not an https URL such as https://login.salesforce.com (plain http is accepted only on loopback, for the emulator)", ErrInvalid, o.LoginURL)
	}
	if strings.TrimSpace(o.ClientID) == "" {
		return fmt.Errorf("%w: the connected app's consumer key (client id) is empty", ErrInvalid)
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.PollInterval < time.Millisecond {
		return fmt.Errorf("%w: the polling interval %v is not positive", ErrInvalid, o.PollInterval)
	}
	if o.State == "" {
		o.State = StateConnected
	}
	return nil
}

// Create registers an org. State defaults to connected and PollInterval to
// DefaultPollInterval.
func (r Orgs) Create(ctx context.Context, o Org) (Org, error) {
	if err := o.check(); err != nil {
		return Org{}, fmt.Errorf("creating org %q: %w", o.Name, err)
	}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		sealed, err := tx.seal(o.ClientSecret, sealOrgClientSecret)
		if err != nil {
			return err
		}
		o.CreatedAt, o.UpdatedAt = tx.Now(), tx.Now()
		return tx.QueryRow(ctx, `INSERT INTO orgs (name, login_url, client_id, client_secret, sf_org_id, instance_url,
			state, state_reason, poll_interval_ms, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			o.Name, o.LoginURL, o.ClientID, sealed, o.SalesforceOrgID, o.InstanceURL,
			string(o.State), o.StateReason, o.PollInterval.Milliseconds(), tx.Now()).Scan(&o.ID)
	})
	if errors.Is(err, ErrConflict) {
		return Org{}, fmt.Errorf("creating org %q: an org with that name already exists: %w", o.Name, err)
	}
	if err != nil {
		return Org{}, fmt.Errorf("creating org %q: %w", o.Name, err)
	}
	return o, nil
}

// Update rewrites the org's registration: name, login URL, client id and
// secret, Salesforce org id, instance URL and polling interval. An empty
// ClientSecret keeps the stored one. State and API usage have their own
// methods.
func (r Orgs) Update(ctx context.Context, o Org) (Org, error) {
	if err := o.check(); err != nil {
		return Org{}, fmt.Errorf("updating org %d: %w", o.ID, err)
	}
	var out Org
	err := r.sc.Write(ctx, func(tx *Tx) error {
		sealed, err := tx.seal(o.ClientSecret, sealOrgClientSecret)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE orgs SET name = $1, login_url = $2, client_id = $3, client_secret = COALESCE($4, client_secret),
			sf_org_id = $5, instance_url = $6, poll_interval_ms = $7, updated_at = $8 WHERE id = $9`,
			o.Name, o.LoginURL, o.ClientID, sealed, o.SalesforceOrgID, o.InstanceURL, o.PollInterval.Milliseconds(), tx.Now(), o.ID)
		if err := oneRow(res, err); err != nil {
			return err
		}
		out, err = tx.Orgs().Get(ctx, o.ID)
		return err
	})
	if errors.Is(err, ErrConflict) {
		return Org{}, fmt.Errorf("updating org %d: another org is named %q: %w", o.ID, o.Name, err)
	}
	if err != nil {
		return Org{}, fmt.Errorf("updating org %d: %w", o.ID, err)
	}
	return out, nil
}

// SetState records the org's state and why.
func (r Orgs) SetState(ctx context.Context, id int64, state State, reason string) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		return oneRow(tx.Exec(ctx, `UPDATE orgs SET state = $1, state_reason = $2, updated_at = $3 WHERE id = $4`,
			string(state), reason, tx.Now(), id))
	})
	if err != nil {
		return fmt.Errorf("setting the state of org %d to %s: %w", id, state, err)
	}
	return nil
}

// RecordAPIUsage records the daily API usage read from a response, seen at
// the transaction's time.
func (r Orgs) RecordAPIUsage(ctx context.Context, id int64, used, limit int64) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		return oneRow(tx.Exec(ctx, `UPDATE orgs SET api_used = $1, api_limit = $2, api_seen_at = $3 WHERE id = $4`,
			used, limit, tx.Now(), id))
	})
	if err != nil {
		return fmt.Errorf("recording the API usage of org %d: %w", id, err)
	}
	return nil
}

// Get returns the org with the given id.
func (r Orgs) Get(ctx context.Context, id int64) (Org, error) {
	orgs, err := r.list(ctx, `WHERE id = $1`, id)
	if err == nil && len(orgs) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Org{}, fmt.Errorf("reading org %d: %w", id, err)
	}
	return orgs[0], nil
}

// ByName returns the org with the given name, compared case-insensitively.
func (r Orgs) ByName(ctx context.Context, name string) (Org, error) {
	orgs, err := r.list(ctx, `WHERE lower(name) = lower($1)`, name)
	if err == nil && len(orgs) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Org{}, fmt.Errorf("reading org %q: %w", name, err)
	}
	return orgs[0], nil
}

// List returns every org, by name.
func (r Orgs) List(ctx context.Context) ([]Org, error) {
	orgs, err := r.list(ctx, `ORDER BY lower(name)`)
	if err != nil {
		return nil, fmt.Errorf("listing orgs: %w", err)
	}
	return orgs, nil
}

// Delete removes the org and its connections. It fails with ErrConstraint
// while workflows use the org.
func (r Orgs) Delete(ctx context.Context, id int64) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		return oneRow(tx.Exec(ctx, `DELETE FROM orgs WHERE id = $1`, id))
	})
	if err != nil {
		return fmt.Errorf("deleting org %d: %w", id, err)
	}
	return nil
}

func (r Orgs) list(ctx context.Context, where string, args ...any) ([]Org, error) {
	var orgs []Org
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+orgColumns+` FROM orgs `+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				o      Org
				sealed []byte
				state  string
				pollMS int64
				seenAt sql.NullTime
			)
			if err := rows.Scan(&o.ID, &o.Name, &o.LoginURL, &o.ClientID, &sealed, &o.SalesforceOrgID, &o.InstanceURL,
				&state, &o.StateReason, &pollMS, &o.APIUsage.Used, &o.APIUsage.Limit, &seenAt, &o.CreatedAt, &o.UpdatedAt); err != nil {
				return err
			}
			if o.ClientSecret, err = tx.open(sealed, sealOrgClientSecret); err != nil {
				return fmt.Errorf("opening the client secret of org %q: %w", o.Name, err)
			}
			o.State, o.PollInterval = State(state), time.Duration(pollMS)*time.Millisecond
			o.APIUsage.SeenAt = utc(seenAt)
			o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
			orgs = append(orgs, o)
		}
		return rows.Err()
	})
	return orgs, err
}

// oneRow turns the result of a statement meant to touch exactly one row into
// ErrNotFound when it touched none.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// utc returns a nullable time in UTC, or the zero time when it is NULL.
func utc(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// nullTime returns NULL for the zero time, else the time in UTC.
func nullTime(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

// validLoginURL accepts https URLs, and http ones on a loopback host (the
// local emulator), where nothing crosses a network.
func validLoginURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		return host == "localhost" || ip != nil && ip.IsLoopback()
	}
	return false
}
