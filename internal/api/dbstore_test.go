package api_test

import (
	"testing"

	"github.com/sfbridge/sfbridge/internal/api"
	"github.com/sfbridge/sfbridge/internal/api/apitest"
)

// The server's store — package store's repositories on SQLite, through
// api.NewStore — keeps the api.Store contract.
func TestStoreConformance(t *testing.T) {
	t.Parallel()
	apitest.TestStore(t, func(t *testing.T) apitest.Harness {
		db := api.TestDB(t)
		return apitest.Harness{
			Store:           api.NewStore(db),
			AddWorkflow:     func(t *testing.T, owner int64, enabled bool) int64 { return api.AddWorkflow(t, db, owner, enabled) },
			WorkflowEnabled: func(t *testing.T, id int64) bool { return api.WorkflowEnabled(t, db, id) },
			Audit:           func(t *testing.T) []api.AuditEntry { return api.AuditLog(t, db) },
		}
	})
}
