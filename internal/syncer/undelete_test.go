package syncer

import (
	"context"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// undelete restores a record from the emulator's recycle bin, as a user
// does from Salesforce's (the REST API has no undelete call).
func (e *emulated) undelete(t *testing.T, id string) {
	t.Helper()
	o := e.emu.Org()
	u, ok := o.UserByUsername(org.AdminUsername)
	if !ok {
		t.Fatal("the emulator has no admin user")
	}
	as, err := o.As(u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Undelete(context.Background(), as, id); err != nil {
		t.Fatalf("undeleting %s: %v", id, err)
	}
}

// TestUndeleteBringsTheRowBack deletes a record in Salesforce, polls (its
// row is removed, marked or kept, as the workflow says), undeletes it and polls
// again: the row is back, synced, with the record's values, in an inbound
// and in a two-way workflow. In the two-way one, the writer then has
// nothing to send: the row that came back is not taken for a new one.
func TestUndeleteBringsTheRowBack(t *testing.T) {
	for _, tc := range []struct {
		name     string
		twoWay   bool
		onDelete Removal
	}{
		{"inbound, row removed", false, RemoveRow},
		{"inbound, row marked", false, MarkRow},
		{"inbound, row kept (deletes: {inbound: ignore})", false, KeepRow},
		{"two-way", true, RemoveRow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *emulated
			var tw *twoWay
			if tc.twoWay {
				tw = newTwoWay(t, store.PolicySalesforceWins)
				e = tw.emulated
			} else {
				e = newEmulated(t)
			}
			ctx := context.Background()
			plan := techAccounts()
			plan.OnDelete = tc.onDelete
			poll := func() {
				t.Helper()
				e.clock.advance(time.Minute)
				if _, err := e.engine.Sync(ctx, e.job(plan)); err != nil {
					t.Fatal(err)
				}
			}
			ids := e.create(t, 3, "Technology")
			poll()
			e.check(t, "after the load")

			if err := e.client.Delete(ctx, "Account", ids[1]); err != nil {
				t.Fatal(err)
			}
			poll()
			rows := e.sheetRows(t)
			switch r, kept := rows[ids[1]]; {
			case tc.onDelete == MarkRow && (!kept || r.Status != string(sheet.StatusRemoved)):
				t.Fatalf("after the delete, the row is %+v (kept %v); want it marked removed", r, kept)
			case tc.onDelete == KeepRow && (!kept || r.Status != string(sheet.StatusSynced)):
				t.Fatalf("after the delete, the row is %+v (kept %v); want it left as it was", r, kept)
			case tc.onDelete == RemoveRow && kept:
				t.Fatalf("after the delete, the row is still there: %+v", r)
			}

			e.undelete(t, ids[1])
			poll()
			if r, back := e.sheetRows(t)[ids[1]]; !back || r.Status != string(sheet.StatusSynced) {
				t.Fatalf("after the undelete, the row is %+v (there: %v); want it back and synced", r, back)
			}
			e.check(t, "after the undelete")
			if tw != nil {
				if st := tw.drain(t); st.Created+st.Updated+st.Deleted+st.Failed != 0 {
					t.Errorf("the writer sent %+v after the undelete; want nothing", st)
				}
				n := 0
				for _, err := range e.client.Query(ctx, "SELECT Id FROM Account") {
					if err != nil {
						t.Fatal(err)
					}
					n++
				}
				if n != 3 {
					t.Errorf("%d accounts after the undelete, want 3", n)
				}
				// The row that came back is linked again: an edit goes out
				// as an update of its record.
				tw.edit(t, ids[1], "Phone", "+1 415 555 0199")
				if st := tw.drain(t); st.Updated != 1 || st.Created != 0 {
					t.Errorf("editing the row that came back: %+v, want 1 updated", st)
				}
				if got := tw.field(t, ids[1], "Phone"); got != "+1 415 555 0199" {
					t.Errorf("Phone of the undeleted record is %q after the edit", got)
				}
			}
		})
	}
}
