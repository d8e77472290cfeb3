package activity

import (
	"context"
	"slices"
	"strings"
	"sync"
)

// Store keeps the local record of logged activities, keyed by idempotency
// key. MemoryStore is the in-memory implementation; a SQL one belongs with
// the store package (internal/store).
type Store interface {
	// Claim inserts e unless an entry with e.Key exists; it returns the
	// stored entry and whether it was inserted. It is atomic: of two
	// concurrent claims of one key exactly one inserts.
	Claim(ctx context.Context, e Entry) (Entry, bool, error)
	// Put replaces the entry with e.Key; ErrNotFound if there is none.
	Put(ctx context.Context, e Entry) error
	// Get returns the entry with key; ErrNotFound if there is none.
	Get(ctx context.Context, key string) (Entry, error)
	// List returns the entries with status (all when empty), oldest first.
	List(ctx context.Context, status Status) ([]Entry, error)
	// Find returns the entries f selects, oldest first.
	Find(ctx context.Context, f Filter) ([]Entry, error)
}

// Filter selects entries; zero fields select everything.
type Filter struct {
	// OrgID and UserID select one Salesforce user's entries (both set) or
	// an org's (OrgID only).
	OrgID, UserID string
	Status        Status
	// Limit keeps the Limit most recent entries (still oldest first);
	// 0: all.
	Limit int
}

// match reports whether f selects e, less Limit.
func (f Filter) match(e Entry) bool {
	return (f.OrgID == "" || e.OrgID == f.OrgID) && (f.UserID == "" || e.UserID == f.UserID) &&
		(f.Status == "" || e.Status == f.Status)
}

// MemoryStore is a Store in memory, for tests and single-process use. The
// zero value is ready.
type MemoryStore struct {
	mu      sync.Mutex
	entries map[string]Entry
}

var _ Store = (*MemoryStore)(nil)

// Claim implements Store.
func (m *MemoryStore) Claim(_ context.Context, e Entry) (Entry, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.entries[e.Key]; ok {
		return clone(old), false, nil
	}
	if m.entries == nil {
		m.entries = map[string]Entry{}
	}
	m.entries[e.Key] = clone(e)
	return clone(e), true, nil
}

// Put implements Store.
func (m *MemoryStore) Put(_ context.Context, e Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[e.Key]; !ok {
		return ErrNotFound
	}
	m.entries[e.Key] = clone(e)
	return nil
}

// Get implements Store.
func (m *MemoryStore) Get(_ context.Context, key string) (Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok {
		return Entry{}, ErrNotFound
	}
	return clone(e), nil
}

// List implements Store.
func (m *MemoryStore) List(ctx context.Context, status Status) ([]Entry, error) {
	return m.Find(ctx, Filter{Status: status})
}

// Find implements Store.
func (m *MemoryStore) Find(_ context.Context, f Filter) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Entry
	for _, e := range m.entries {
		if f.match(e) {
			out = append(out, clone(e))
		}
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out, nil
}

// clone copies e's slices so callers cannot change what is stored.
func clone(e Entry) Entry {
	e.Request.Recipients = slices.Clone(e.Request.Recipients)
	e.RelationIDs = slices.Clone(e.RelationIDs)
	e.Recipients = slices.Clone(e.Recipients)
	e.Unknown = slices.Clone(e.Unknown)
	e.Unrelated = slices.Clone(e.Unrelated)
	return e
}
