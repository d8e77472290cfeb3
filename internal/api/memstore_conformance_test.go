package api_test

import (
	"testing"

	"github.com/sfbridge/sfbridge/internal/api"
	"github.com/sfbridge/sfbridge/internal/api/apitest"
)

// The tests' in-memory store keeps the api.Store contract, so the HTTP tests
// rest on the same behaviour the real store must have.
func TestMemStoreConformance(t *testing.T) {
	apitest.TestStore(t, func(t *testing.T) apitest.Harness {
		store, add, enabled, audit := api.StoreHarness(t)
		return apitest.Harness{
			Store:           store,
			AddWorkflow:     func(_ *testing.T, owner int64, on bool) int64 { return add(owner, on) },
			WorkflowEnabled: func(_ *testing.T, id int64) bool { return enabled(id) },
			Audit:           func(*testing.T) []api.AuditEntry { return audit() },
		}
	})
}
