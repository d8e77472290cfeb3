package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/store"
)

// NewStore returns the [Store] the server runs on: package store's
// repositories, each method one transaction, with the audit entry written
// in the transaction of the change it records (docs/adr/0181-api-store-adapter.md).
// Store errors come back as [ErrNotFound] and [ErrConflict] where the
// contract names them, with messages fit for the people reading the API's
// answer; other errors keep their chain, for the server log.
func NewStore(st *store.Store) Store { return dbStore{st} }

type dbStore struct{ st *store.Store }

var _ Store = dbStore{}

func (d dbStore) CreateFirstUser(ctx context.Context, nu NewUser, audit AuditEntry) (User, error) {
	var u store.User
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		// A passwordless user of that login is adopted: the entry keeps
		// what they were.
		var before any
		if old, err := tx.Users().ByLogin(ctx, nu.Login); err == nil {
			before = userState(old)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var err error
		if u, err = tx.Users().CreateFirst(ctx, storeUser(nu)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit, before, userState(u))
	})
	if err != nil {
		return User{}, apiError(err, "a system admin with a password exists already, or the login signs in with a password, so the first-run setup is over")
	}
	return apiUser(u), nil
}

func (d dbStore) CreateUser(ctx context.Context, nu NewUser, audit AuditEntry) (User, error) {
	var u store.User
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = tx.Users().Create(ctx, storeUser(nu)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit, nil, userState(u))
	})
	if err != nil {
		return User{}, apiError(err, fmt.Sprintf("the login %q is taken (logins are compared ignoring case)", nu.Login))
	}
	return apiUser(u), nil
}

func (d dbStore) User(ctx context.Context, id int64) (User, error) {
	u, err := d.st.Users().Get(ctx, id)
	if err != nil {
		return User{}, apiError(err, "")
	}
	return apiUser(u), nil
}

func (d dbStore) UserByLogin(ctx context.Context, login string) (User, error) {
	u, err := d.st.Users().ByLogin(ctx, login)
	if err != nil {
		return User{}, apiError(err, "")
	}
	return apiUser(u), nil
}

func (d dbStore) Users(ctx context.Context) ([]User, error) {
	list, err := d.st.Users().List(ctx)
	if err != nil {
		return nil, err
	}
	users := make([]User, len(list))
	for i, u := range list {
		users[i] = apiUser(u)
	}
	return users, nil
}

func (d dbStore) SetRoles(ctx context.Context, id int64, roles access.Roles, audit AuditEntry) error {
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		before, err := tx.Users().SetRoles(ctx, id, roles)
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit, rolesState(before), rolesState(roles))
	})
	return apiError(err, fmt.Sprintf("user %d is the last system admin", id))
}

func (d dbStore) CreateSession(ctx context.Context, s Session) error {
	return d.st.Sessions().Create(ctx, store.Session(s))
}

func (d dbStore) SessionByHash(ctx context.Context, hash string) (Session, error) {
	s, err := d.st.Sessions().ByHash(ctx, hash)
	if err != nil {
		return Session{}, apiError(err, "")
	}
	return Session(s), nil
}

func (d dbStore) DeleteSession(ctx context.Context, hash string) error {
	return d.st.Sessions().Delete(ctx, hash)
}

func (d dbStore) CreateToken(ctx context.Context, t Token, audit AuditEntry) error {
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.Tokens().Create(ctx, store.Token(t)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit, nil, tokenState(t))
	})
	return apiError(err, fmt.Sprintf("token %s, or its secret, is stored already", t.ID))
}

func (d dbStore) TokenByHash(ctx context.Context, hash string) (Token, error) {
	t, err := d.st.Tokens().ByHash(ctx, hash)
	if err != nil {
		return Token{}, apiError(err, "")
	}
	return Token(t), nil
}

func (d dbStore) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	list, err := d.st.Tokens().List(ctx, userID)
	if err != nil {
		return nil, err
	}
	tokens := make([]Token, len(list))
	for i, t := range list {
		tokens[i] = Token(t)
	}
	return tokens, nil
}

func (d dbStore) DeleteToken(ctx context.Context, userID int64, tokenID string, audit AuditEntry) error {
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.Tokens().Delete(ctx, userID, tokenID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit, map[string]string{"id": tokenID}, nil)
	})
	return apiError(err, "")
}

func (d dbStore) Restricted(ctx context.Context) (Restricted, error) {
	l, err := d.st.Restricted().Get(ctx)
	if err != nil {
		return Restricted{}, err
	}
	return Restricted(l), nil
}

func (d dbStore) SetRestrictedOn(ctx context.Context, on bool, audit AuditEntry) ([]int64, error) {
	return d.st.Restricted().SetOn(ctx, on, storeAudit(audit))
}

func (d dbStore) AddRestricted(ctx context.Context, userID int64, audit AuditEntry) error {
	return apiError(d.st.Restricted().Add(ctx, userID, storeAudit(audit)), "")
}

func (d dbStore) RemoveRestricted(ctx context.Context, userID int64, audit AuditEntry) ([]int64, error) {
	disabled, err := d.st.Restricted().Remove(ctx, userID, storeAudit(audit))
	return disabled, apiError(err, "")
}

// apiError returns err as the contract of [Store] names it: ErrNotFound
// (with the store's chain, for logs), or ErrConflict with the sentence
// conflict, which the API shows to the person; other errors unchanged.
func apiError(err error, conflict string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, store.ErrConflict) && conflict != "":
		return fmt.Errorf("%s: %w", conflict, ErrConflict)
	}
	return err
}

func storeUser(nu NewUser) store.User {
	return store.User{Login: nu.Login, DisplayName: nu.DisplayName, PasswordHash: nu.PasswordHash, Roles: nu.Roles}
}

func apiUser(u store.User) User {
	return User{ID: u.ID, Login: u.Login, DisplayName: u.DisplayName, PasswordHash: u.PasswordHash, Roles: u.Roles, CreatedAt: u.CreatedAt}
}

func storeAudit(e AuditEntry) store.AuditEntry {
	return store.AuditEntry{ActorID: e.ActorID, Action: e.Action, Subject: e.Subject, Detail: e.Detail, At: e.At}
}

// appendAudit writes e in tx with the state before and after the change,
// encoded as JSON (nil: none).
func appendAudit(ctx context.Context, tx *store.Tx, e AuditEntry, before, after any) error {
	entry := storeAudit(e)
	var err error
	if entry.Before, err = stateJSON(before); err != nil {
		return err
	}
	if entry.After, err = stateJSON(after); err != nil {
		return err
	}
	_, err = tx.Audit().Append(ctx, entry)
	return err
}

func stateJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding the audit state: %w", err)
	}
	return b, nil
}

// userState is what the audit log keeps of a user: never the password hash.
func userState(u store.User) any {
	return struct {
		ID          int64         `json:"id"`
		Login       string        `json:"login"`
		DisplayName string        `json:"display_name"`
		Roles       []access.Role `json:"roles"`
	}{u.ID, u.Login, u.DisplayName, u.Roles.List()}
}

func rolesState(r access.Roles) any {
	return map[string][]access.Role{"roles": r.List()}
}

// tokenState is what the audit log keeps of a token: never its hash.
func tokenState(t Token) any {
	return map[string]string{"id": t.ID, "name": t.Name, "hint": t.Hint}
}
