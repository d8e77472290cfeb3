package org

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/query"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// input decodes a JSON body for object and fails the test on error.
func (f *fixture) input(t *testing.T, object, body string) *schema.Input {
	t.Helper()
	in, err := f.o.Registry().Object(object).DecodeJSON([]byte(body))
	if err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return in
}

// visible lists the live Accounts a reader sees, in (SystemModstamp, Id)
// order, through the query engine's index.
func (f *fixture) visible(t *testing.T) []string {
	t.Helper()
	obj := f.o.Registry().Object("Account")
	var ids []string
	for _, id := range f.updated(t) {
		if f.o.QuerySource().Lookup(id, false) == nil {
			t.Errorf("%s is listed by getUpdated but a lookup misses it", id)
		}
	}
	scan, ok := f.o.QuerySource().ScanRange(obj.Field("SystemModstamp"), query.Range{}, false, false)
	if !ok {
		t.Fatal("no SystemModstamp index")
	}
	for r := range scan {
		ids = append(ids, r.(*Record).ID())
	}
	if got := f.updated(t); !slices.Equal(got, ids) {
		t.Errorf("getUpdated lists %v; the index scan %v", got, ids)
	}
	return ids
}

func (f *fixture) updated(t *testing.T) []string {
	t.Helper()
	ids, err := f.o.Updated(f.admin, "Account", epoch.Add(-time.Hour), epoch.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestInFlightTransaction(t *testing.T) {
	t.Parallel()
	f := setup(t)
	before := f.create(t, f.admin, "Account", `{"Name":"Before"}`)
	edited := f.create(t, f.admin, "Account", `{"Name":"Edited"}`)

	// A long transaction begins at T: it creates one account and edits
	// another.
	f.clk.Advance(time.Second)
	ctx, tx := f.o.Begin(context.Background())
	stamp := tx.Stamp()
	in := func(body string) *schema.Input { return f.input(t, "Account", body) }
	late, err := f.o.Create(ctx, f.admin, "Account", in(`{"Name":"Late"}`))
	if err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Second)
	if err := f.o.Update(ctx, f.admin, "Account", edited, in(`{"Name":"Edited late"}`)); err != nil {
		t.Fatal(err)
	}
	// It sees its own changes; a failing statement leaves them in place.
	if err := f.o.Update(ctx, f.admin, "Account", late, in(`{"Site":"HQ"}`)); err != nil {
		t.Fatalf("the transaction updating a record it created: %v", err)
	}
	if _, err := f.o.Create(ctx, f.admin, "Account", in(`{"Site":"no name"}`)); err == nil {
		t.Fatal("a create without Name succeeded")
	}

	// Until it commits nobody else sees them, and its records are locked.
	if f.o.Lookup(late) != nil || f.value(t, edited, "Name") != "Edited" {
		t.Fatal("a reader sees the changes of a transaction that has not committed")
	}
	if got := f.visible(t); !slices.Equal(got, []string{before, edited}) {
		t.Fatalf("visible before the commit: %v; want %v", got, []string{before, edited})
	}
	apiError(t, f.update(t, f.admin, edited, `{"Name":"Other writer"}`), "UNABLE_TO_LOCK_ROW",
		"unable to obtain exclusive access to this record or 1 records: "+edited)
	apiError(t, f.o.Delete(f.ctx, f.admin, edited), "UNABLE_TO_LOCK_ROW",
		"unable to obtain exclusive access to this record or 1 records: "+edited)

	// Another session writes, later, and commits at once.
	f.clk.Advance(5 * time.Second)
	after := f.create(t, f.admin, "Account", `{"Name":"After"}`)
	if got, want := f.visible(t), []string{before, edited, after}; !slices.Equal(got, want) {
		t.Fatalf("visible after a later write, before the commit: %v; want %v", got, want)
	}

	if got := tx.Records(); !slices.Equal(got, []string{late, edited}) {
		t.Errorf("Records() = %v; want %v", got, []string{late, edited})
	}
	tx.Commit()
	// Stamped when the transaction began, visible now: before "after" in
	// SystemModstamp order although they appeared later.
	if got, want := f.visible(t), []string{before, edited, late, after}; !slices.Equal(got, want) {
		// edited and late share the stamp; Id order breaks the tie.
		t.Fatalf("visible after the commit: %v; want %v", got, want)
	}
	for _, id := range []string{late, edited} {
		for _, field := range []string{"SystemModstamp", "LastModifiedDate"} {
			if got, _ := f.value(t, id, field).(time.Time); !got.Equal(stamp) {
				t.Errorf("%s.%s = %v; want the transaction's start %v", id, field, got, stamp)
			}
		}
	}
	if got, _ := f.value(t, late, "CreatedDate").(time.Time); !got.Equal(stamp) {
		t.Errorf("CreatedDate = %v; want %v", got, stamp)
	}
	if f.value(t, late, "Site") != "HQ" || f.value(t, edited, "Name") != "Edited late" {
		t.Error("the committed versions are not the transaction's last")
	}
	if a := f.o.Lookup(after).SystemModstamp(); !a.After(stamp.Add(5 * time.Second)) {
		t.Errorf("the later write is stamped %v; want after %v", a, stamp.Add(5*time.Second))
	}
	// The transaction is over: its context no longer writes, others do.
	if _, err := f.o.Create(ctx, f.admin, "Account", in(`{"Name":"Too late"}`)); !errors.Is(err, ErrTransactionEnded) {
		t.Errorf("a write through an ended transaction: %v; want ErrTransactionEnded", err)
	}
	if err := f.update(t, f.admin, edited, `{"Name":"Other writer"}`); err != nil {
		t.Errorf("updating a record after its transaction committed: %v", err)
	}
}

func TestInFlightRollback(t *testing.T) {
	t.Parallel()
	f := setup(t)
	kept := f.create(t, f.admin, "Account", `{"Name":"Kept"}`)
	ctx, tx := f.o.Begin(context.Background())
	created, err := f.o.Create(ctx, f.admin, "Account", f.input(t, "Account", `{"Name":"Gone"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.o.Delete(ctx, f.admin, kept); err != nil {
		t.Fatal(err)
	}
	if f.o.Lookup(kept).Deleted() {
		t.Fatal("a delete showed before its transaction committed")
	}
	if del, _, err := f.o.Deleted(f.admin, "Account", epoch.Add(-time.Hour), epoch.Add(time.Hour)); err != nil || len(del) != 0 {
		t.Fatalf("getDeleted before the commit: %v, %v; want nothing", del, err)
	}
	tx.Rollback()
	tx.Commit() // an ended transaction stays ended
	if f.o.Lookup(created) != nil || f.o.Lookup(kept).Deleted() {
		t.Fatal("a rolled-back transaction left changes")
	}
	if got := f.visible(t); !slices.Equal(got, []string{kept}) {
		t.Fatalf("visible after the rollback: %v; want %v", got, []string{kept})
	}
	if err := f.update(t, f.admin, kept, `{"Name":"Free"}`); err != nil {
		t.Errorf("the rollback left the record locked: %v", err)
	}
}

// TestUndoneChangeListedOnce pins that undoing a change does not list the
// record twice in the SystemModstamp index.
func TestUndoneChangeListedOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id := f.create(t, f.admin, "Account", `{"Name":"A"}`)
	f.clk.Advance(time.Second)
	f.o.Atomically(f.ctx, func(ctx context.Context) bool {
		if err := f.o.Update(ctx, f.admin, "Account", id, f.input(t, "Account", `{"Name":"B"}`)); err != nil {
			t.Fatal(err)
		}
		return false
	})
	if got := f.visible(t); !slices.Equal(got, []string{id}) {
		t.Fatalf("after an undone update the index lists %v; want %v once", got, id)
	}
}

// BenchmarkInFlight measures a transaction of 200 account creates that
// commits: as one unit (Atomically, one DML statement of 200 records) and
// as 200 statements, each of which re-applies the transaction's earlier
// changes.
func BenchmarkInFlight(b *testing.B) {
	o := benchOrg(b)
	sys := o.System()
	ins := make([]*schema.Input, 200)
	for i := range ins {
		ins[i] = accountInput(b, o, i)
	}
	create := func(ctx context.Context) {
		for _, in := range ins {
			if _, err := o.Create(ctx, sys, "Account", in); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("one statement of 200", func(b *testing.B) {
		for b.Loop() {
			ctx, tx := o.Begin(context.Background())
			o.Atomically(ctx, func(ctx context.Context) bool { create(ctx); return true })
			tx.Commit()
		}
	})
	b.Run("200 statements", func(b *testing.B) {
		for b.Loop() {
			ctx, tx := o.Begin(context.Background())
			create(ctx)
			tx.Commit()
		}
	})
}
