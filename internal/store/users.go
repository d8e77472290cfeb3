package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// User is a person who signs in to sfbridge. Roles, credentials and sessions
// belong to package access, which extends this table.
type User struct {
	ID          int64
	Login       string // unique, case-insensitively
	DisplayName string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Users is the repository of users, bound to a Scope.
type Users struct{ sc Scope }

// Users returns the users repository, each call in its own transaction.
func (s *Store) Users() Users { return Users{s} }

// Users returns the users repository inside tx.
func (tx *Tx) Users() Users { return Users{tx} }

const userColumns = `id, login, display_name, created_at, updated_at`

// Create stores a new user and returns it with its id and timestamps.
func (r Users) Create(ctx context.Context, u User) (User, error) {
	u.Login = strings.TrimSpace(u.Login)
	if u.Login == "" {
		return User{}, fmt.Errorf("creating a user: %w: the login is empty", ErrInvalid)
	}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		u.CreatedAt, u.UpdatedAt = tx.Now(), tx.Now()
		return tx.QueryRow(ctx, `INSERT INTO users (login, display_name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
			u.Login, u.DisplayName, tx.Now()).Scan(&u.ID)
	})
	if errors.Is(err, ErrConflict) {
		return User{}, fmt.Errorf("creating user %q: a user with that login already exists: %w", u.Login, err)
	}
	if err != nil {
		return User{}, fmt.Errorf("creating user %q: %w", u.Login, err)
	}
	return u, nil
}

// Get returns the user with the given id.
func (r Users) Get(ctx context.Context, id int64) (User, error) {
	u, err := r.one(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
	if err != nil {
		return User{}, fmt.Errorf("reading user %d: %w", id, err)
	}
	return u, nil
}

// ByLogin returns the user with the given login, compared case-insensitively.
func (r Users) ByLogin(ctx context.Context, login string) (User, error) {
	u, err := r.one(ctx, `SELECT `+userColumns+` FROM users WHERE lower(login) = lower($1)`, login)
	if err != nil {
		return User{}, fmt.Errorf("reading user %q: %w", login, err)
	}
	return u, nil
}

func (r Users) one(ctx context.Context, query string, arg any) (User, error) {
	var u User
	err := r.sc.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, query, arg).Scan(&u.ID, &u.Login, &u.DisplayName, &u.CreatedAt, &u.UpdatedAt)
	})
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}
