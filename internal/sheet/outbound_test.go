package sheet_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// workflow creates a workflow (with its owner and org) for links, journal
// entries and dead letters, and returns its id.
func workflow(t testing.TB, f *fixture) int64 {
	t.Helper()
	ctx := t.Context()
	u, err := f.st.Users().Create(ctx, store.User{Login: "owner"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.st.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "3MVG9", ClientSecret: secret.New("s")})
	if err != nil {
		t.Fatal(err)
	}
	w, err := f.st.Workflows().Create(ctx, store.Workflow{Name: "accounts", OrgID: o.ID, OwnerID: u.ID, Document: "version: 1\n"})
	if err != nil {
		t.Fatal(err)
	}
	return w.ID
}

// claimOne claims the sheet's changes and returns the one of row id.
func claimOne(t *testing.T, f *fixture, id int64) sheet.Change {
	t.Helper()
	chs, err := f.sh.Claim(t.Context(), f.st, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var out *sheet.Change
	for i := range chs {
		if chs[i].RowID == id {
			out = &chs[i]
		} else if err := f.st.Outbox().Release(t.Context(), chs[i].Change); err != nil {
			t.Fatal(err)
		}
	}
	if out == nil {
		t.Fatalf("no change of row %d among %d claimed", id, len(chs))
	}
	return *out
}

func insertLocal(t *testing.T, f *fixture, name string) int64 {
	t.Helper()
	ids, _, err := f.sh.Insert(t.Context(), f.st, sheet.Batch{Columns: []string{"Account Name", "Employees"}, Origin: sheet.OriginUser,
		Rows: []sheet.Input{{Values: []any{name, 10}}}})
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

func edit(t *testing.T, f *fixture, id int64, col string, v any) {
	t.Helper()
	if _, err := f.sh.Update(t.Context(), f.st, sheet.Batch{Columns: []string{col}, Origin: sheet.OriginUser, Rows: []sheet.Input{{ID: id, Values: []any{v}}}}); err != nil {
		t.Fatal(err)
	}
}

func TestOutboundCreate(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	wf := workflow(t, f)
	id := insertLocal(t, f, "Local One")
	edit(t, f, id, "Phone", "+1 555 0100")

	ch := claimOne(t, f, id)
	if ch.Op != store.OpInsert || len(ch.Seqs) != 2 || len(ch.Changed) != len(f.sh.Columns) || ch.Row.Values[0] != "Local One" || ch.Row.Values[12] != "+1 555 0100" {
		t.Fatalf("the change of a new row = %+v", ch)
	}
	je, err := f.st.Journal().Open(ctx, wf, f.sh.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	// The user edits the row while its create is in flight.
	edit(t, f, id, "Phone", "+1 555 0199")

	created := "001000000000042AAA"
	err = f.sh.Synced(ctx, f.st, wf, ch, sheet.Sent{SFID: created[:15], JournalKey: je.Key,
		Record: map[string]any{"Name": "Local One", "Phone": "+1 555 0100"}, Modstamp: time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	r := row(t, f, id)
	if r.SFID != created || r.Status != sheet.StatusPending || r.Values[12] != "+1 555 0199" {
		t.Errorf("row after its create, edited meanwhile = %+v; want the ID written back, still pending", r)
	}
	if open, _ := f.st.Journal().ListOpen(ctx, wf); len(open) != 0 {
		t.Errorf("the create's journal entry is still open: %+v", open)
	}
	l, err := f.st.Links().Get(ctx, wf, id)
	if err != nil || l.SFID != created || l.Record["Phone"] != "+1 555 0100" || l.Row["phone"] != "+1 555 0100" || l.Row["employees"] != 10.0 {
		t.Errorf("link = %+v, %v", l, err)
	}
	if got := f.sh.ChangedSince(r, l.Row); !slices.Equal(got, []string{"Phone"}) {
		t.Errorf("ChangedSince the link = %q, want the phone edited during the create", got)
	}

	// The edit made during the create is now an update.
	next := claimOne(t, f, id)
	if next.Op != store.OpUpdate || !slices.Equal(next.Changed, []string{"Phone"}) {
		t.Fatalf("the change after the create = %+v", next)
	}
	if err := f.sh.Synced(ctx, f.st, wf, next, sheet.Sent{Record: map[string]any{"Phone": "+1 555 0199"}}); err != nil {
		t.Fatal(err)
	}
	if r := row(t, f, id); r.Status != sheet.StatusSynced || r.WrittenBy != sheet.OriginSync {
		t.Errorf("row after its update = %+v", r)
	}
	l, _ = f.st.Links().Get(ctx, wf, id)
	if l.Record["Phone"] != "+1 555 0199" || l.Record["Name"] != "Local One" {
		t.Errorf("the link's record values were not merged: %+v", l.Record)
	}
	if err := f.sh.Synced(ctx, f.st, wf, next, sheet.Sent{}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("settling a change twice: error = %v, want store.ErrConflict", err)
	}
	if got := outbox(t, f); len(got) != 0 {
		t.Errorf("outbox after everything was sent: %+v", got)
	}

	t.Run("an insert needs the created ID", func(t *testing.T) {
		id := insertLocal(t, f, "No ID")
		ch := claimOne(t, f, id)
		if err := f.sh.Synced(ctx, f.st, wf, ch, sheet.Sent{}); !errors.Is(err, sheet.ErrInvalidBatch) {
			t.Errorf("Synced of an insert without an ID: error = %v, want ErrInvalidBatch", err)
		}
		if r := row(t, f, id); r.SFID != "" || r.Status != sheet.StatusPending {
			t.Errorf("a refused Synced changed the row: %+v", r)
		}
	})
}

func TestOutboundFailures(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	wf := workflow(t, f)
	ids := synced(t, f, acme, globex)
	edit(t, f, ids[0], "Phone", "555")

	ch := claimOne(t, f, ids[0])
	if err := f.sh.Retry(ctx, f.st, ch, "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if r := row(t, f, ids[0]); r.Status != sheet.StatusPending || r.Error != "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record" {
		t.Errorf("row after a transient failure = %+v", r)
	}
	if chs, _ := f.sh.Claim(ctx, f.st, 10, time.Minute); len(chs) != 0 {
		t.Fatalf("claimed %+v before the retry time", chs)
	}
	f.clock.Advance(store.Backoff(1))
	ch = claimOne(t, f, ids[0])
	if ch.Attempts != 1 {
		t.Errorf("attempts = %d, want 1", ch.Attempts)
	}

	advice := "Write Phone in row 1 with 10 digits, then requeue the change."
	dl, err := f.sh.Fail(ctx, f.st, wf, ch, store.Failure{Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION", Message: "Phone needs 10 digits", Fields: []string{"Phone"}, Advice: advice})
	if err != nil {
		t.Fatal(err)
	}
	if dl.SFID != acme || dl.Op != store.OpUpdate || dl.Attempts != 2 || !slices.Equal(dl.Columns, []string{"phone"}) {
		t.Errorf("dead letter = %+v", dl)
	}
	if r := row(t, f, ids[0]); r.Status != sheet.StatusFailed || r.Error != advice {
		t.Errorf("row after a permanent failure = %+v", r)
	}

	t.Run("requeue", func(t *testing.T) {
		if err := f.sh.Requeue(ctx, f.st, dl.ID, "ada"); err != nil {
			t.Fatal(err)
		}
		if r := row(t, f, ids[0]); r.Status != sheet.StatusPending || r.Error != "" {
			t.Errorf("row after a requeue = %+v", r)
		}
		if got := outbox(t, f); !slices.Equal(got, []entry{{ids[0], store.OpUpdate, "phone", "ada"}}) {
			t.Errorf("outbox after a requeue = %+v; want the dead letter's change alone", got)
		}
		ch := claimOne(t, f, ids[0])
		if !slices.Equal(ch.Changed, []string{"Phone"}) {
			t.Errorf("the requeued change = %+v", ch)
		}
		dl, err = f.sh.Fail(ctx, f.st, wf, ch, store.Failure{Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION", Advice: advice})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("discard", func(t *testing.T) {
		if err := f.sh.Discard(ctx, f.st, dl.ID, "ada"); err != nil {
			t.Fatal(err)
		}
		if r := row(t, f, ids[0]); r.Status != sheet.StatusSynced || r.Error != "" || r.Values[12] != "555" {
			t.Errorf("row after a discard = %+v; want synced, its value kept", r)
		}
		if err := f.sh.Discard(ctx, f.st, dl.ID, "ada"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("discarding twice: error = %v, want ErrNotFound", err)
		}
	})

	t.Run("a discarded create leaves the row failed", func(t *testing.T) {
		id := insertLocal(t, f, "Duplicate")
		dl, err := f.sh.Fail(ctx, f.st, wf, claimOne(t, f, id), store.Failure{Code: "DUPLICATE_VALUE", Advice: "Rename it."})
		if err != nil || dl.Op != store.OpInsert {
			t.Fatalf("Fail = %+v, %v", dl, err)
		}
		if err := f.sh.Discard(ctx, f.st, dl.ID, "bob"); err != nil {
			t.Fatal(err)
		}
		if r := row(t, f, id); r.Status != sheet.StatusFailed || r.Error != "Not created in Salesforce: bob discarded the create. Edit the row to try again." {
			t.Errorf("row = %+v", r)
		}
	})

	t.Run("another sheet's letter", func(t *testing.T) {
		other, err := sheet.Create(ctx, f.st, "Other", nil)
		if err != nil {
			t.Fatal(err)
		}
		id := insertLocal(t, f, "Mine")
		dl, err := f.sh.Fail(ctx, f.st, wf, claimOne(t, f, id), store.Failure{Advice: "Fix it."})
		if err != nil {
			t.Fatal(err)
		}
		if err := other.Requeue(ctx, f.st, dl.ID, "ada"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("requeuing through another sheet: error = %v, want ErrNotFound", err)
		}
	})
}

func TestOutboundDelete(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	wf := workflow(t, f)
	ids := synced(t, f, acme, globex)
	for _, id := range ids {
		if err := f.st.Links().Save(ctx, store.Link{WorkflowID: wf, RowID: id, SheetID: f.sh.ID, SFID: row(t, f, id).SFID}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.sh.DeleteAsUser(ctx, f.st, "ada", ids); err != nil {
		t.Fatal(err)
	}

	ch := claimOne(t, f, ids[0])
	if ch.Op != store.OpDelete || ch.Row.SFID != acme || ch.Changed != nil {
		t.Fatalf("the change of a deleted row = %+v", ch)
	}
	if err := f.sh.Synced(ctx, f.st, wf, ch, sheet.Sent{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sh.Get(ctx, f.st, ids[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a row whose delete reached Salesforce: %v", err)
	}
	if _, err := f.st.Links().Get(ctx, wf, ids[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the link of a deleted row: %v", err)
	}

	// Salesforce refuses the other delete: the row shows again.
	ch = claimOne(t, f, ids[1])
	dl, err := f.sh.Fail(ctx, f.st, wf, ch, store.Failure{Code: "DELETE_FAILED", Message: "Your attempt to delete Globex could not be completed because it is associated with cases",
		Advice: "Delete or move the account's cases in Salesforce, then requeue the delete."})
	if err != nil {
		t.Fatal(err)
	}
	if page, _ := f.sh.List(ctx, f.st, sheet.Query{}); len(page.Rows) != 1 || page.Rows[0].Status != sheet.StatusFailed {
		t.Fatalf("rows after a refused delete = %+v", page.Rows)
	}
	if err := f.sh.Requeue(ctx, f.st, dl.ID, "ada"); err != nil {
		t.Fatal(err)
	}
	if r := row(t, f, ids[1]); r.Status != sheet.StatusDeleted {
		t.Errorf("a requeued delete: status %s, want deleted", r.Status)
	}
	if ch := claimOne(t, f, ids[1]); ch.Op != store.OpDelete {
		t.Errorf("the requeued delete = %+v", ch)
	}
}

// TestOutboundCrash: a create left open by a crash is found, reconciled,
// and its row's changes claimed again once the lease is over.
func TestOutboundCrash(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	wf := workflow(t, f)
	found, lost := insertLocal(t, f, "Created before the crash"), insertLocal(t, f, "Never created")
	var keys []store.JournalEntry
	for _, id := range []int64{found, lost} {
		claimOne(t, f, id)
		je, err := f.st.Journal().Open(ctx, wf, f.sh.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, je)
	}
	// The user deletes the second row while its create is in flight: it is
	// kept until the create's outcome is known.
	if n, err := f.sh.DeleteAsUser(ctx, f.st, "ada", []int64{lost}); err != nil || n != 1 {
		t.Fatalf("DeleteAsUser = %d, %v", n, err)
	}
	if r := row(t, f, lost); r.Status != sheet.StatusDeleted {
		t.Fatalf("a row deleted during its create: %+v", r)
	}
	// ... crash; the process restarts after the lease.
	f.clock.Advance(2 * time.Minute)
	open, err := f.st.Journal().ListOpen(ctx, wf)
	if err != nil || len(open) != 2 {
		t.Fatalf("ListOpen = %+v, %v", open, err)
	}
	chs, err := f.sh.Claim(ctx, f.st, 10, time.Minute)
	if err != nil || len(chs) != 2 || chs[1].Op != store.OpDelete || chs[1].Row.SFID != "" {
		t.Fatalf("claim before reconciling = %+v, %v; want the second as a delete without a record ID", chs, err)
	}
	for _, c := range chs {
		if err := f.st.Outbox().Release(ctx, c.Change); err != nil {
			t.Fatal(err)
		}
	}
	const sfid = "001000000000077AAA"
	if err := f.sh.Reconcile(ctx, f.st, keys[0], sfid); err != nil {
		t.Fatal(err)
	}
	if err := f.sh.Reconcile(ctx, f.st, keys[1], ""); err != nil {
		t.Fatal(err)
	}
	if r := row(t, f, found); r.SFID != sfid || r.Status != sheet.StatusPending {
		t.Errorf("the reconciled row = %+v", r)
	}
	chs, err = f.sh.Claim(ctx, f.st, 10, time.Minute)
	if err != nil || len(chs) != 1 || chs[0].RowID != found || chs[0].Op != store.OpUpdate {
		t.Fatalf("claim after reconciling = %+v, %v; want the found record's update alone", chs, err)
	}
	if _, err := f.sh.Get(ctx, f.st, lost); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a row deleted before any record was created: %v", err)
	}
	if err := f.sh.Reconcile(ctx, f.st, store.JournalEntry{Key: "x", SheetID: 999}, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("reconciling another sheet's create: error = %v", err)
	}
}

func TestChangedSince(t *testing.T) {
	t.Parallel()
	f := setup(t)
	seed(t, f)
	r, err := f.sh.BySFID(t.Context(), f.st, acme)
	if err != nil {
		t.Fatal(err)
	}
	base := f.sh.LinkValues(r)
	if got := f.sh.ChangedSince(r, base); got != nil {
		t.Errorf("a row against its own values: changed %q", got)
	}
	changed := *r
	changed.Values = slices.Clone(r.Values)
	changed.Values[10] = []string{"EMEA"}
	changed.Values[14] = sheet.Address{City: "Shelbyville"}
	delete(base, "employees")
	if got := f.sh.ChangedSince(&changed, base); !slices.Equal(got, []string{"Employees", "Regions", "Billing Address"}) {
		t.Errorf("ChangedSince = %q", got)
	}
}
