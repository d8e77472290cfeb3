package api

import "testing"

// StoreHarness exposes the in-memory test store to the conformance suite,
// which runs from package api_test (apitest imports api).
func StoreHarness(t *testing.T) (Store, func(owner int64, enabled bool) int64, func(id int64) bool, func() []AuditEntry) {
	m := newMemStore()
	var next int64
	add := func(owner int64, enabled bool) int64 {
		m.mu.Lock()
		defer m.mu.Unlock()
		next++
		m.workflows[next] = &memWorkflow{owner: owner, enabled: enabled}
		return next
	}
	enabled := func(id int64) bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.workflows[id].enabled
	}
	audit := func() []AuditEntry {
		m.mu.Lock()
		defer m.mu.Unlock()
		return append([]AuditEntry(nil), m.audit...)
	}
	return m, add, enabled, audit
}
