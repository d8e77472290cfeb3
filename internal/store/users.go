package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
)

// User is a person who signs in to sfbridge, with the roles they hold. The
// rules about roles and the hashing of passwords belong to package access;
// this package keeps what it decides.
type User struct {
	ID          int64
	Login       string // unique, case-insensitively
	DisplayName string
	// PasswordHash is the argon2id hash of the password in PHC format
	// ("$argon2id$…", access.PasswordParams.HashPassword), or empty for a
	// user who cannot sign in with a password. Anything else is refused, so
	// a password never lands in the database in clear.
	PasswordHash string
	Roles        access.Roles
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Users is the repository of users, bound to a Scope.
type Users struct{ sc Scope }

// Users returns the users repository, each call in its own transaction.
func (s *Store) Users() Users { return Users{s} }

// Users returns the users repository inside tx.
func (tx *Tx) Users() Users { return Users{tx} }

const userColumns = `id, login, display_name, password_hash, created_at, updated_at`

// argon2idPrefix starts every PHC-format argon2id hash.
const argon2idPrefix = "$argon2id$"

// Create stores a new user with their roles and returns it with its id and
// timestamps. A login already taken, ignoring case, is ErrConflict.
func (r Users) Create(ctx context.Context, u User) (User, error) {
	var created User
	err := r.sc.Write(ctx, func(tx *Tx) error {
		var err error
		created, err = createUser(ctx, tx, u)
		return err
	})
	return created, err
}

// CreateFirst is the first-run setup: it makes u the first system admin who
// can sign in, and returns ErrConflict once a system admin with a password
// exists. Until then setup stays open even if users exist, because the CLI
// creates passwordless users when it connects an org for someone (sfbridge
// org connect --as LOGIN). A passwordless user with u's login is adopted,
// keeping its id and so its connections: it gets u's password, display name
// and roles. A user with u's login and a password is ErrConflict. u must
// carry a password hash (ErrInvalid otherwise). Concurrent calls make one
// system admin at most, on every engine: each first takes the access
// settings' row lock.
func (r Users) CreateFirst(ctx context.Context, u User) (User, error) {
	if u.PasswordHash == "" {
		return User{}, fmt.Errorf("creating the first user %q: %w: the first system admin needs a password", u.Login, ErrInvalid)
	}
	var created User
	err := r.sc.Write(ctx, func(tx *Tx) error {
		if err := lockAccess(ctx, tx); err != nil {
			return fmt.Errorf("creating the first user: %w", err)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM users JOIN user_roles ON user_roles.user_id = users.id
			WHERE user_roles.role = $1 AND users.password_hash <> ''`, string(access.SystemAdmin)).Scan(&n); err != nil {
			return fmt.Errorf("creating the first user: counting system admins: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("creating the first user: a system admin with a password exists already, so setup is over; sign in as an admin to add people: %w", ErrConflict)
		}
		existing, err := oneUser(ctx, tx, `SELECT `+userColumns+` FROM users WHERE lower(login) = lower($1)`, strings.TrimSpace(u.Login))
		switch {
		case errors.Is(err, ErrNotFound):
			created, err = createUser(ctx, tx, u)
			return err
		case err != nil:
			return fmt.Errorf("creating the first user: reading user %q: %w", u.Login, err)
		case existing.PasswordHash != "":
			return fmt.Errorf("creating the first user: %q already signs in with a password; choose another login: %w", existing.Login, ErrConflict)
		}
		created, err = adoptUser(ctx, tx, existing, u)
		return err
	})
	return created, err
}

// adoptUser gives the passwordless user existing the password, display name
// and roles of u, for the first-run setup.
func adoptUser(ctx context.Context, tx *Tx, existing, u User) (User, error) {
	if err := checkPasswordHash(u.PasswordHash); err != nil {
		return User{}, fmt.Errorf("adopting user %q: %w", existing.Login, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE users SET display_name = $1, password_hash = $2, updated_at = $3 WHERE id = $4`,
		u.DisplayName, u.PasswordHash, tx.Now(), existing.ID); err != nil {
		return User{}, fmt.Errorf("adopting user %q: %w", existing.Login, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM user_roles WHERE user_id = $1`, existing.ID); err != nil {
		return User{}, fmt.Errorf("adopting user %q: %w", existing.Login, err)
	}
	if err := insertRoles(ctx, tx, existing.ID, u.Roles); err != nil {
		return User{}, fmt.Errorf("adopting user %q: %w", existing.Login, err)
	}
	existing.DisplayName, existing.PasswordHash, existing.Roles, existing.UpdatedAt = u.DisplayName, u.PasswordHash, u.Roles, tx.Now()
	return existing, nil
}

func createUser(ctx context.Context, tx *Tx, u User) (User, error) {
	u.Login = strings.TrimSpace(u.Login)
	if u.Login == "" {
		return User{}, fmt.Errorf("creating a user: %w: the login is empty", ErrInvalid)
	}
	if err := checkPasswordHash(u.PasswordHash); err != nil {
		return User{}, fmt.Errorf("creating user %q: %w", u.Login, err)
	}
	u.CreatedAt, u.UpdatedAt = tx.Now(), tx.Now()
	err := tx.QueryRow(ctx, `INSERT INTO users (login, display_name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id`,
		u.Login, u.DisplayName, u.PasswordHash, tx.Now()).Scan(&u.ID)
	if err == nil {
		err = insertRoles(ctx, tx, u.ID, u.Roles)
	}
	if errors.Is(err, ErrConflict) {
		return User{}, fmt.Errorf("creating user %q: a user with that login already exists: %w", u.Login, err)
	}
	if err != nil {
		return User{}, fmt.Errorf("creating user %q: %w", u.Login, err)
	}
	return u, nil
}

func checkPasswordHash(h string) error {
	if h != "" && !strings.HasPrefix(h, argon2idPrefix) {
		return fmt.Errorf("%w: the password hash does not start with %q; hash passwords with access.PasswordParams.HashPassword, never store them as given", ErrInvalid, argon2idPrefix)
	}
	return nil
}

func insertRoles(ctx context.Context, tx *Tx, id int64, roles access.Roles) error {
	for _, role := range roles.List() {
		if _, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1, $2)`, id, string(role)); err != nil {
			return fmt.Errorf("granting %s: %w", role, err)
		}
	}
	return nil
}

// SetRoles replaces the user's roles and returns the ones they held before.
// Taking the system admin role from the last person holding it is
// ErrConflict, so the server always has someone who can grant roles. An
// unknown user is ErrNotFound.
func (r Users) SetRoles(ctx context.Context, id int64, roles access.Roles) (before access.Roles, err error) {
	err = r.sc.Write(ctx, func(tx *Tx) error {
		u, err := oneUser(ctx, tx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
		if err != nil {
			return err
		}
		before = u.Roles
		if before.Has(access.SystemAdmin) && !roles.Has(access.SystemAdmin) {
			if err := lockAccess(ctx, tx); err != nil {
				return err
			}
			var others int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM user_roles WHERE role = $1 AND user_id <> $2`, string(access.SystemAdmin), id).Scan(&others); err != nil {
				return fmt.Errorf("counting system admins: %w", err)
			}
			if others == 0 {
				return fmt.Errorf("%q is the last system admin; make someone else a system admin first: %w", u.Login, ErrConflict)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM user_roles WHERE user_id = $1`, id); err != nil {
			return err
		}
		if err := insertRoles(ctx, tx, id, roles); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE users SET updated_at = $1 WHERE id = $2`, tx.Now(), id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("setting the roles of user %d to %s: %w", id, roles, err)
	}
	return before, nil
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
	u, err := r.one(ctx, `SELECT `+userColumns+` FROM users WHERE lower(login) = lower($1)`, strings.TrimSpace(login))
	if err != nil {
		return User{}, fmt.Errorf("reading user %q: %w", login, err)
	}
	return u, nil
}

// List returns every user, by id.
func (r Users) List(ctx context.Context) ([]User, error) {
	var list []User
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		byID := map[int64]int{}
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			byID[u.ID] = len(list)
			list = append(list, u)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return scanRoles(ctx, tx, `SELECT user_id, role FROM user_roles`, nil, func(id int64, role access.Role) {
			if i, ok := byID[id]; ok {
				list[i].Roles = list[i].Roles.With(role)
			}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	return list, nil
}

func (r Users) one(ctx context.Context, query string, arg any) (User, error) {
	var u User
	err := r.sc.Read(ctx, func(tx *Tx) error {
		var err error
		u, err = oneUser(ctx, tx, query, arg)
		return err
	})
	return u, err
}

// oneUser reads the user a query selecting userColumns returns, with their
// roles.
func oneUser(ctx context.Context, tx *Tx, query string, arg any) (User, error) {
	u, err := scanUser(tx.QueryRow(ctx, query, arg))
	if err != nil {
		return User{}, err
	}
	err = scanRoles(ctx, tx, `SELECT user_id, role FROM user_roles WHERE user_id = $1`, []any{u.ID}, func(_ int64, role access.Role) {
		u.Roles = u.Roles.With(role)
	})
	return u, err
}

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Login, &u.DisplayName, &u.PasswordHash, &u.CreatedAt, &u.UpdatedAt)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}

// scanRoles calls add for each (user id, role) row of query.
func scanRoles(ctx context.Context, tx *Tx, query string, args []any, add func(int64, access.Role)) error {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			name string
		)
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		role, err := access.ParseRole(name)
		if err != nil {
			return fmt.Errorf("reading the roles of user %d: %w", id, err)
		}
		add(id, role)
	}
	return rows.Err()
}

// lockAccess takes the write lock of the access settings' one row, so that
// writers whose checks read several rows (no user yet, another system admin
// left, the list's members) run one after the other on engines with row
// locks, as they do anyway on SQLite's single writer.
func lockAccess(ctx context.Context, tx *Tx) error {
	if _, err := tx.Exec(ctx, `UPDATE access_settings SET updated_at = $1 WHERE id = 1`, tx.Now()); err != nil {
		return fmt.Errorf("locking the access settings: %w", err)
	}
	return nil
}
