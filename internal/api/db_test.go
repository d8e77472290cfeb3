package api

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite/sqlitetest"
)

// testDB returns a store on a new SQLite database, closed when the test
// ends: the tests run on the database the server uses.
func testDB(t testing.TB) *store.Store { return sqlitetest.Open(t) }

var workflowNames atomic.Int64

// addWorkflow creates a workflow owned by owner, in an org made on first
// use, and returns its id.
func addWorkflow(t testing.TB, db *store.Store, owner int64, enabled bool) int64 {
	t.Helper()
	ctx := context.Background()
	org, err := db.Orgs().ByName(ctx, "Acme")
	if errors.Is(err, store.ErrNotFound) {
		org, err = db.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "3MVG9"})
	}
	if err != nil {
		t.Fatal(err)
	}
	w, err := db.Workflows().Create(ctx, store.Workflow{Name: fmt.Sprintf("workflow %d", workflowNames.Add(1)), OrgID: org.ID,
		OwnerID: owner, Enabled: enabled, Document: "version: 1\n"})
	if err != nil {
		t.Fatal(err)
	}
	return w.ID
}

// workflowEnabled reports whether the workflow is enabled.
func workflowEnabled(t testing.TB, db *store.Store, id int64) bool {
	t.Helper()
	w, err := db.Workflows().Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return w.Enabled
}

// auditLog returns every audit entry, oldest first, read a page at a time as
// an admin's screen would.
func auditLog(t testing.TB, db *store.Store) []AuditEntry {
	t.Helper()
	var log []AuditEntry
	p := store.AuditPage{Limit: 7}
	for {
		page, next, err := db.Audit().List(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			log = append(log, AuditEntry{ActorID: e.ActorID, Action: e.Action, Subject: e.Subject, Detail: e.Detail, At: e.At})
		}
		if next == 0 {
			break
		}
		p.Before = next
	}
	slices.Reverse(log)
	return log
}
