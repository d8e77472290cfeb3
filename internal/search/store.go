package search

import (
	"context"
	"slices"
	"sync"
)

// ChoiceStore keeps each user's enabled list views per object.
// MemoryChoices is the in-memory implementation; a SQL one belongs with
// internal/store.
type ChoiceStore interface {
	// Choice returns the list view IDs user enabled for object, nil when
	// they chose none.
	Choice(ctx context.Context, user, object string) ([]string, error)
	// SetChoice replaces them.
	SetChoice(ctx context.Context, user, object string, ids []string) error
}

// MemoryChoices is a ChoiceStore in memory. The zero value is ready.
type MemoryChoices struct {
	mu sync.Mutex
	m  map[[2]string][]string
}

var _ ChoiceStore = (*MemoryChoices)(nil)

// Choice implements ChoiceStore.
func (m *MemoryChoices) Choice(_ context.Context, user, object string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.m[[2]string{user, object}]), nil
}

// SetChoice implements ChoiceStore.
func (m *MemoryChoices) SetChoice(_ context.Context, user, object string, ids []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[[2]string][]string{}
	}
	m.m[[2]string{user, object}] = slices.Clone(ids)
	return nil
}
