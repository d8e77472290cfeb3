package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
)

// sealOAuthVerifier is the sealing context of a pending login's PKCE
// verifier. It is not among the rotated columns: a pending login lives
// minutes, and one sealed under a key that left the keyring fails to open,
// so the person starts the login again.
const sealOAuthVerifier = "oauth_logins.verifier"

// OAuthLogin is a browser login to Salesforce (the web-server flow with
// PKCE) started by a person and not yet come back: what the callback needs
// to finish it. See docs/adr/0290-connecting-from-the-console.md.
type OAuthLogin struct {
	// StateHash is access.HashSecret of the state sent to Salesforce; the
	// state itself is never stored.
	StateHash   string
	OrgID       int64
	UserID      int64
	Verifier    secret.Value // the PKCE code verifier, sealed at rest
	RedirectURL string       // the callback URL the code is exchanged with
	ExpiresAt   time.Time
}

// OAuthLogins is the repository of pending logins, bound to a Scope.
type OAuthLogins struct{ sc Scope }

// OAuthLogins returns the pending logins, each call in its own transaction.
func (s *Store) OAuthLogins() OAuthLogins { return OAuthLogins{s} }

// Start stores a pending login, and deletes the logins that expired by now
// (the caller's clock, the one that set ExpiresAt).
func (r OAuthLogins) Start(ctx context.Context, l OAuthLogin, now time.Time) error {
	switch {
	case strings.TrimSpace(l.StateHash) == "":
		return fmt.Errorf("starting a login to org %d: %w: the state hash is empty", l.OrgID, ErrInvalid)
	case l.Verifier.IsZero():
		return fmt.Errorf("starting a login to org %d: %w: the PKCE verifier is empty", l.OrgID, ErrInvalid)
	case l.RedirectURL == "":
		return fmt.Errorf("starting a login to org %d: %w: the redirect URL is empty", l.OrgID, ErrInvalid)
	}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM oauth_logins WHERE expires_at <= $1`, dbTime(now)); err != nil {
			return err
		}
		verifier, err := tx.seal(l.Verifier, sealOAuthVerifier)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO oauth_logins (state_hash, org_id, user_id, verifier, redirect_url, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, l.StateHash, l.OrgID, l.UserID, verifier, l.RedirectURL, dbTime(l.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("starting a login of user %d to org %d: %w", l.UserID, l.OrgID, err)
	}
	return nil
}

// Take returns the pending login whose state hashes to stateHash and deletes
// it, so that a callback is used once; ErrNotFound when there is none. An
// expired login is returned too (and deleted): the caller tells it apart
// with ExpiresAt, to say so.
func (r OAuthLogins) Take(ctx context.Context, stateHash string) (OAuthLogin, error) {
	l := OAuthLogin{StateHash: stateHash}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		var sealed []byte
		err := tx.QueryRow(ctx, `DELETE FROM oauth_logins WHERE state_hash = $1
			RETURNING org_id, user_id, verifier, redirect_url, expires_at`, stateHash).
			Scan(&l.OrgID, &l.UserID, &sealed, &l.RedirectURL, &l.ExpiresAt)
		if err != nil {
			return err
		}
		l.ExpiresAt = l.ExpiresAt.UTC()
		if l.Verifier, err = tx.open(sealed, sealOAuthVerifier); err != nil {
			return fmt.Errorf("opening the PKCE verifier: %w", err)
		}
		return nil
	})
	if err != nil {
		return OAuthLogin{}, fmt.Errorf("finishing a login: %w", err)
	}
	return l, nil
}
