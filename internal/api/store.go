package api

import (
	"context"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
)

// Store is the persistence the API needs. The server's implementation lives
// with package store (users, sessions, tokens, the restricted-access list and
// the audit log); methods return [ErrNotFound] and [ErrConflict], wrapped or
// not, for the cases they document. Methods that say "in one transaction"
// must be atomic: the API relies on it for its guarantees.
type Store interface {
	// CreateFirstUser creates u with its audit entry only while no system
	// admin has a password, in one transaction; otherwise it returns
	// ErrConflict. A passwordless user with u's login (made by the CLI) is
	// adopted: it keeps its id and connections and takes u's password, name
	// and roles. A user with u's login and a password is ErrConflict.
	CreateFirstUser(ctx context.Context, u NewUser, audit AuditEntry) (User, error)
	// CreateUser creates u with its audit entry; a login already taken
	// (case-insensitively) returns ErrConflict.
	CreateUser(ctx context.Context, u NewUser, audit AuditEntry) (User, error)
	// User returns the user with the given id, or ErrNotFound.
	User(ctx context.Context, id int64) (User, error)
	// UserByLogin returns the user whose login matches case-insensitively,
	// or ErrNotFound.
	UserByLogin(ctx context.Context, login string) (User, error)
	// Users returns every user, by id.
	Users(ctx context.Context) ([]User, error)
	// SetRoles replaces the user's roles, in one transaction with its audit
	// entry. Removing the system admin role from the last system admin
	// returns ErrConflict. An unknown user returns ErrNotFound.
	SetRoles(ctx context.Context, id int64, roles access.Roles, audit AuditEntry) error

	// CreateSession stores a session.
	CreateSession(ctx context.Context, s Session) error
	// SessionByHash returns the session whose secret hashes to hash, or
	// ErrNotFound. Expired sessions may be returned; the API checks.
	SessionByHash(ctx context.Context, hash string) (Session, error)
	// DeleteSession removes the session with the given hash; removing a
	// missing one is not an error.
	DeleteSession(ctx context.Context, hash string) error

	// CreateToken stores a personal API token with its audit entry.
	CreateToken(ctx context.Context, t Token, audit AuditEntry) error
	// TokenByHash returns the token whose secret hashes to hash, or
	// ErrNotFound.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// Tokens returns the user's tokens, newest first.
	Tokens(ctx context.Context, userID int64) ([]Token, error)
	// DeleteToken revokes the user's token with the given id, with its audit
	// entry; a token that does not exist or belongs to someone else returns
	// ErrNotFound.
	DeleteToken(ctx context.Context, userID int64, tokenID string, audit AuditEntry) error

	// Restricted returns whether the restricted-access list is on, and its
	// members' ids, sorted.
	Restricted(ctx context.Context) (Restricted, error)
	// SetRestrictedOn turns the list on or off. Turning it on adds every
	// user who owns at least one workflow, in the same transaction as the
	// setting and its audit entry, and returns the ids it added. Turning it
	// off keeps the members (they matter again when it is turned back on).
	SetRestrictedOn(ctx context.Context, on bool, audit AuditEntry) (added []int64, err error)
	// AddRestricted puts a user on the list (no error if already on it);
	// an unknown user returns ErrNotFound.
	AddRestricted(ctx context.Context, userID int64, audit AuditEntry) error
	// RemoveRestricted takes a user off the list and, in the same
	// transaction, disables every enabled workflow they own and writes the
	// audit entry plus one entry per disabled workflow. It returns the
	// disabled workflows' ids. A user not on the list returns ErrNotFound.
	RemoveRestricted(ctx context.Context, userID int64, audit AuditEntry) (disabled []int64, err error)
}

// NewUser is a user to create.
type NewUser struct {
	Login        string
	DisplayName  string
	PasswordHash string // argon2id, from access.PasswordParams.HashPassword
	Roles        access.Roles
}

// User is a person who signs in.
type User struct {
	ID           int64
	Login        string
	DisplayName  string
	PasswordHash string
	Roles        access.Roles
	CreatedAt    time.Time
}

// Session is a signed-in browser. Only the hash of its secret is stored.
type Session struct {
	Hash      string // access.HashSecret of the cookie value
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Token is a personal API token. Only the hash of its secret is stored; the
// secret is shown once, when it is created. A token acts with its owner's
// current roles.
type Token struct {
	ID        string // public id, for listing and revoking
	UserID    int64
	Name      string
	Hash      string // access.HashSecret of the secret
	Hint      string // the secret's last 4 characters, to recognise it
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
}

// Restricted is the restricted-access list.
type Restricted struct {
	On      bool
	Members []int64
}

// AuditEntry records who did what, for the audit log.
type AuditEntry struct {
	ActorID int64  // 0 for the first-run setup
	Action  string // what was done: an access.Action or a finer verb ("roles.set", "token.revoke")
	Subject string // what it applied to: "user 4", "user ada@example.com", "token tok_…"
	Detail  string // a sentence: "roles connector_user -> connector_user, connector_admin"
	At      time.Time
}
