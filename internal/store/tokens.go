package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Token is a personal API token. Only the hash of its secret is stored; the
// secret itself is shown once, when it is made. A token acts with its
// owner's roles as they are when it is used.
type Token struct {
	ID        string // public id, for listing and revoking
	UserID    int64
	Name      string
	Hash      string // hex SHA-256 of the secret (access.HashSecret)
	Hint      string // the secret's last characters, to recognise it
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
}

// Tokens is the repository of personal API tokens, bound to a Scope.
type Tokens struct{ sc Scope }

// Tokens returns the tokens repository, each call in its own transaction.
func (s *Store) Tokens() Tokens { return Tokens{s} }

// Tokens returns the tokens repository inside tx.
func (tx *Tx) Tokens() Tokens { return Tokens{tx} }

const tokenColumns = `id, user_id, name, hash, hint, created_at, expires_at`

// Create stores a token. An id or hash already stored is ErrConflict; an
// owner who does not exist is ErrConstraint.
func (r Tokens) Create(ctx context.Context, t Token) error {
	if strings.TrimSpace(t.ID) == "" {
		return fmt.Errorf("creating a token for user %d: %w: the token id is empty", t.UserID, ErrInvalid)
	}
	if err := checkSecretHash(t.Hash); err != nil {
		return fmt.Errorf("creating token %s: %w", t.ID, err)
	}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO api_tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			t.ID, t.UserID, t.Name, t.Hash, t.Hint, dbTime(t.CreatedAt), nullTime(dbTime(t.ExpiresAt)))
		return err
	})
	if err != nil {
		return fmt.Errorf("creating token %s: %w", t.ID, err)
	}
	return nil
}

// ByHash returns the token whose secret hashes to hash, expired or not: the
// caller compares ExpiresAt with its clock.
func (r Tokens) ByHash(ctx context.Context, hash string) (Token, error) {
	var t Token
	err := r.sc.Read(ctx, func(tx *Tx) error {
		var err error
		t, err = scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = $1`, hash))
		return err
	})
	if err != nil {
		return Token{}, fmt.Errorf("reading a token: %w", err)
	}
	return t, nil
}

// List returns the user's tokens, newest first.
func (r Tokens) List(ctx context.Context, userID int64) ([]Token, error) {
	var list []Token
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanToken(rows)
			if err != nil {
				return err
			}
			list = append(list, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("listing the tokens of user %d: %w", userID, err)
	}
	return list, nil
}

// Delete revokes the user's token with the given id. A token that does not
// exist, or belongs to someone else, is ErrNotFound.
func (r Tokens) Delete(ctx context.Context, userID int64, id string) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		return oneRow(tx.Exec(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, id, userID))
	})
	if err != nil {
		return fmt.Errorf("revoking token %s of user %d: %w", id, userID, err)
	}
	return nil
}

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var (
		t       Token
		expires sql.NullTime
	)
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.Hint, &t.CreatedAt, &expires); err != nil {
		return Token{}, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	if expires.Valid {
		t.ExpiresAt = expires.Time.UTC()
	}
	return t, nil
}
