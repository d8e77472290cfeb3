package store

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

// Session is a signed-in browser. Only the hash of its secret is stored
// (access.HashSecret of the cookie value), so a copy of the database signs
// no one in.
type Session struct {
	Hash      string // hex SHA-256 of the secret: 64 lowercase hex digits
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Sessions is the repository of sessions, bound to a Scope.
type Sessions struct{ sc Scope }

// Sessions returns the sessions repository, each call in its own transaction.
func (s *Store) Sessions() Sessions { return Sessions{s} }

// Sessions returns the sessions repository inside tx.
func (tx *Tx) Sessions() Sessions { return Sessions{tx} }

// secretHash matches what access.HashSecret returns.
var secretHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

func checkSecretHash(h string) error {
	if !secretHash.MatchString(h) {
		return fmt.Errorf("%w: a secret is stored as its hex SHA-256 (64 lowercase hex digits, access.HashSecret), not as %d characters of something else", ErrInvalid, len(h))
	}
	return nil
}

// Create stores a session. The user's sessions that expired before s was
// created are deleted in the same transaction, so signing in keeps the
// table from growing without a cleaning job.
func (r Sessions) Create(ctx context.Context, s Session) error {
	if err := checkSecretHash(s.Hash); err != nil {
		return fmt.Errorf("creating a session for user %d: %w", s.UserID, err)
	}
	if !s.ExpiresAt.After(s.CreatedAt) {
		return fmt.Errorf("creating a session for user %d: %w: it expires (%s) before it starts (%s)", s.UserID, ErrInvalid, s.ExpiresAt, s.CreatedAt)
	}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2`, s.UserID, dbTime(s.CreatedAt)); err != nil {
			return fmt.Errorf("deleting expired sessions: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			s.Hash, s.UserID, dbTime(s.CreatedAt), dbTime(s.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("creating a session for user %d: %w", s.UserID, err)
	}
	return nil
}

// ByHash returns the session whose secret hashes to hash, expired or not:
// the caller compares ExpiresAt with its clock.
func (r Sessions) ByHash(ctx context.Context, hash string) (Session, error) {
	var s Session
	err := r.sc.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT hash, user_id, created_at, expires_at FROM sessions WHERE hash = $1`, hash).
			Scan(&s.Hash, &s.UserID, &s.CreatedAt, &s.ExpiresAt)
	})
	if err != nil {
		return Session{}, fmt.Errorf("reading a session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return s, nil
}

// Delete removes the session with the given hash (signing out); removing
// one that does not exist is not an error.
func (r Sessions) Delete(ctx context.Context, hash string) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash)
		return err
	})
	if err != nil {
		return fmt.Errorf("deleting a session: %w", err)
	}
	return nil
}
