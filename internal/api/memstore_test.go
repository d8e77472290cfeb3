package api

// TEST ONLY: memStore is an in-memory Store for this package's tests. The
// server's Store is implemented by package store; this one exists because
// that implementation is not written yet. It passes apitest.TestStore
// (memstore_conformance_test.go), so the HTTP tests rest on the contract.

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/sfbridge/sfbridge/internal/access"
)

type memWorkflow struct {
	owner   int64
	enabled bool
}

type memStore struct {
	mu        sync.Mutex
	nextID    int64
	users     map[int64]User
	sessions  map[string]Session
	tokens    map[string]Token // by hash
	listOn    bool
	members   map[int64]bool
	workflows map[int64]*memWorkflow
	audit     []AuditEntry
	failReads error // returned by User when set, to test internal errors
}

var _ Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{users: map[int64]User{}, sessions: map[string]Session{}, tokens: map[string]Token{},
		members: map[int64]bool{}, workflows: map[int64]*memWorkflow{}}
}

func (m *memStore) CreateFirstUser(ctx context.Context, u NewUser, audit AuditEntry) (User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.users) > 0 {
		return User{}, fmt.Errorf("creating the first user: %w", ErrConflict)
	}
	return m.createLocked(u, audit)
}

func (m *memStore) CreateUser(ctx context.Context, u NewUser, audit AuditEntry) (User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.createLocked(u, audit)
}

func (m *memStore) createLocked(nu NewUser, audit AuditEntry) (User, error) {
	for _, u := range m.users {
		if strings.EqualFold(u.Login, nu.Login) {
			return User{}, fmt.Errorf("login %q: %w", nu.Login, ErrConflict)
		}
	}
	m.nextID++
	u := User{ID: m.nextID, Login: nu.Login, DisplayName: nu.DisplayName, PasswordHash: nu.PasswordHash, Roles: nu.Roles}
	m.users[u.ID] = u
	m.audit = append(m.audit, audit)
	return u, nil
}

func (m *memStore) User(ctx context.Context, id int64) (User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failReads != nil {
		return User{}, m.failReads
	}
	u, ok := m.users[id]
	if !ok {
		return User{}, ErrNotFound
	}
	return u, nil
}

func (m *memStore) UserByLogin(ctx context.Context, login string) (User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.users {
		if strings.EqualFold(u.Login, login) {
			return u, nil
		}
	}
	return User{}, ErrNotFound
}

func (m *memStore) Users(ctx context.Context) ([]User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	list := make([]User, 0, len(m.users))
	for _, u := range m.users {
		list = append(list, u)
	}
	slices.SortFunc(list, func(a, b User) int { return cmp.Compare(a.ID, b.ID) })
	return list, nil
}

func (m *memStore) SetRoles(ctx context.Context, id int64, roles access.Roles, audit AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return ErrNotFound
	}
	if u.Roles.Has(access.SystemAdmin) && !roles.Has(access.SystemAdmin) {
		admins := 0
		for _, o := range m.users {
			if o.Roles.Has(access.SystemAdmin) {
				admins++
			}
		}
		if admins == 1 {
			return ErrConflict
		}
	}
	u.Roles = roles
	m.users[id] = u
	m.audit = append(m.audit, audit)
	return nil
}

func (m *memStore) CreateSession(ctx context.Context, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[s.Hash] = s
	return nil
}

func (m *memStore) SessionByHash(ctx context.Context, hash string) (Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[hash]
	if !ok {
		return Session{}, ErrNotFound
	}
	return s, nil
}

func (m *memStore) DeleteSession(ctx context.Context, hash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, hash)
	return nil
}

func (m *memStore) CreateToken(ctx context.Context, t Token, audit AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[t.Hash] = t
	m.audit = append(m.audit, audit)
	return nil
}

func (m *memStore) TokenByHash(ctx context.Context, hash string) (Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[hash]
	if !ok {
		return Token{}, ErrNotFound
	}
	return t, nil
}

func (m *memStore) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var list []Token
	for _, t := range m.tokens {
		if t.UserID == userID {
			list = append(list, t)
		}
	}
	slices.SortFunc(list, func(a, b Token) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return list, nil
}

func (m *memStore) DeleteToken(ctx context.Context, userID int64, tokenID string, audit AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for h, t := range m.tokens {
		if t.ID == tokenID && t.UserID == userID {
			delete(m.tokens, h)
			m.audit = append(m.audit, audit)
			return nil
		}
	}
	return ErrNotFound
}

func (m *memStore) Restricted(ctx context.Context) (Restricted, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := Restricted{On: m.listOn}
	for id := range m.members {
		r.Members = append(r.Members, id)
	}
	slices.Sort(r.Members)
	return r, nil
}

func (m *memStore) SetRestrictedOn(ctx context.Context, on bool, audit AuditEntry) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var added []int64
	if on && !m.listOn {
		for _, w := range m.workflows {
			if !m.members[w.owner] {
				m.members[w.owner] = true
				added = append(added, w.owner)
			}
		}
	}
	slices.Sort(added)
	m.listOn = on
	m.audit = append(m.audit, audit)
	return added, nil
}

func (m *memStore) AddRestricted(ctx context.Context, userID int64, audit AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[userID]; !ok {
		return ErrNotFound
	}
	m.members[userID] = true
	m.audit = append(m.audit, audit)
	return nil
}

func (m *memStore) RemoveRestricted(ctx context.Context, userID int64, audit AuditEntry) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.members[userID] {
		return nil, ErrNotFound
	}
	delete(m.members, userID)
	m.audit = append(m.audit, audit)
	var disabled []int64
	for id, w := range m.workflows {
		if w.owner == userID && w.enabled {
			w.enabled = false
			disabled = append(disabled, id)
		}
	}
	slices.Sort(disabled)
	for _, id := range disabled {
		m.audit = append(m.audit, AuditEntry{ActorID: audit.ActorID, Action: "workflow.disable",
			Subject: fmt.Sprintf("workflow %d", id), Detail: "disabled: its owner was removed from the restricted-access list", At: audit.At})
	}
	return disabled, nil
}
