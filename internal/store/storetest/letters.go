package storetest

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

// bury claims the pending changes of a sheet and buries the one of rowID.
func (e *env) bury(t *testing.T, sheetID, rowID int64, dl store.DeadLetter) store.DeadLetter {
	t.Helper()
	ctx := t.Context()
	chs, err := e.st.Outbox().Claim(ctx, store.ClaimOptions{SheetID: sheetID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chs {
		if c.RowID != rowID {
			if err := e.st.Outbox().Release(ctx, c); err != nil {
				t.Fatal(err)
			}
			continue
		}
		out, err := e.st.Outbox().Bury(ctx, c, dl)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Fatalf("row %d has no pending change", rowID)
	return store.DeadLetter{}
}

func testDeadLetters(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	w := e.workflow(t, f, "outbound")
	w2 := e.workflow(t, f, "other")
	sh := e.sheet(t, "accounts")
	ob, dls := e.st.Outbox(), e.st.DeadLetters()
	add := func(row int64, op store.ChangeOp, cols ...string) {
		t.Helper()
		if _, err := ob.Append(ctx, store.OutboxEntry{SheetID: sh, RowID: row, Op: op, Columns: cols}); err != nil {
			t.Fatal(err)
		}
	}
	validation := store.Failure{Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION", Message: "Phone must have 10 digits", Fields: []string{"Phone"},
		Advice: "Correct Phone in row 1 (10 digits), then requeue the change."}

	add(1, store.OpUpdate, "phone")
	first := e.bury(t, sh, 1, store.DeadLetter{WorkflowID: w.ID, SFID: "001000000000001AAA", Op: store.OpUpdate, Failure: validation})
	if first.Attempts != 1 || !first.FirstFailedAt.Equal(first.LastFailedAt) || first.Code != validation.Code || first.Advice != validation.Advice {
		t.Errorf("first dead letter = %+v", first)
	}

	t.Run("a row's letters merge", func(t *testing.T) {
		e.clock.Advance(time.Hour)
		add(1, store.OpUpdate, "name")
		locked := store.Failure{Code: "ENTITY_IS_LOCKED", Message: "the record is locked for approval", Advice: "Wait for the approval of the record, then requeue the change."}
		merged := e.bury(t, sh, 1, store.DeadLetter{WorkflowID: w.ID, Op: store.OpUpdate, Failure: locked})
		if merged.ID != first.ID || merged.Attempts != 2 || !merged.FirstFailedAt.Equal(first.FirstFailedAt) ||
			!merged.LastFailedAt.Equal(first.LastFailedAt.Add(time.Hour)) || merged.Code != "ENTITY_IS_LOCKED" || merged.Fields != nil ||
			!slices.Equal(merged.Columns, []string{"name", "phone"}) || merged.SFID != "001000000000001AAA" {
			t.Errorf("merged dead letter = %+v", merged)
		}
		add(1, store.OpUpdate) // the whole row
		whole := e.bury(t, sh, 1, store.DeadLetter{WorkflowID: w.ID, Op: store.OpUpdate, Failure: locked})
		if whole.Columns != nil || whole.Attempts != 3 {
			t.Errorf("after a whole-row change: %+v; want no column list (the whole row)", whole)
		}
	})

	add(2, store.OpInsert, "name")
	e.bury(t, sh, 2, store.DeadLetter{WorkflowID: w.ID, Op: store.OpInsert, Failure: store.Failure{Code: "DUPLICATE_VALUE", Advice: "Change the name."}})
	add(3, store.OpDelete)
	e.bury(t, sh, 3, store.DeadLetter{WorkflowID: w2.ID, Op: store.OpDelete, Failure: store.Failure{Code: "DELETE_FAILED", Advice: "Delete the record's cases first."}})

	t.Run("list", func(t *testing.T) {
		rows := func(f store.DeadLetterFilter, after int64, limit int) []int64 {
			t.Helper()
			got, err := dls.List(ctx, f, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, d := range got {
				ids = append(ids, d.RowID)
			}
			return ids
		}
		if got := rows(store.DeadLetterFilter{}, 0, 10); !slices.Equal(got, []int64{1, 2, 3}) {
			t.Errorf("all letters: rows %v", got)
		}
		if got := rows(store.DeadLetterFilter{WorkflowID: w.ID, SheetID: sh}, 0, 10); !slices.Equal(got, []int64{1, 2}) {
			t.Errorf("one workflow's letters: rows %v", got)
		}
		if got := rows(store.DeadLetterFilter{RowID: 3}, 0, 10); !slices.Equal(got, []int64{3}) {
			t.Errorf("one row's letters: rows %v", got)
		}
		page, _ := dls.List(ctx, store.DeadLetterFilter{}, 0, 2)
		if got := rows(store.DeadLetterFilter{}, page[1].ID, 2); !slices.Equal(got, []int64{3}) {
			t.Errorf("second page: rows %v", got)
		}
		if _, err := dls.List(ctx, store.DeadLetterFilter{}, 0, 0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("a zero limit: error = %v, want ErrInvalid", err)
		}
	})

	t.Run("requeue", func(t *testing.T) {
		before, _ := ob.MaxSeq(ctx)
		woken := e.st.OutboxSignal()
		got, err := dls.Requeue(ctx, first.ID, "ada@example.com")
		if err != nil || got.ID != first.ID || got.RowID != 1 {
			t.Fatalf("Requeue = %+v, %v", got, err)
		}
		es, err := ob.Entries(ctx, sh, 1)
		if err != nil || len(es) != 1 || es[0].Seq <= before || es[0].Op != store.OpUpdate || es[0].Columns != nil || es[0].WrittenBy != "ada@example.com" {
			t.Fatalf("the requeued change: %+v, %v", es, err)
		}
		select {
		case <-woken:
		default:
			t.Error("a requeue did not fire the outbox signal")
		}
		if _, err := dls.Get(ctx, first.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the requeued letter is still there: %v", err)
		}
		if _, err := dls.Requeue(ctx, first.ID, "ada"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("requeuing twice: error = %v, want ErrNotFound", err)
		}
	})

	t.Run("discard", func(t *testing.T) {
		page, _ := dls.List(ctx, store.DeadLetterFilter{RowID: 2}, 0, 1)
		got, err := dls.Discard(ctx, page[0].ID)
		if err != nil || got.Code != "DUPLICATE_VALUE" || got.Op != store.OpInsert {
			t.Fatalf("Discard = %+v, %v", got, err)
		}
		if es, _ := ob.Entries(ctx, sh, 2); len(es) != 0 {
			t.Errorf("a discarded letter went back to the outbox: %+v", es)
		}
		if _, err := dls.Discard(ctx, page[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("discarding twice: error = %v, want ErrNotFound", err)
		}
	})

	t.Run("a letter needs advice", func(t *testing.T) {
		add(4, store.OpUpdate, "name")
		chs, _ := ob.Claim(ctx, store.ClaimOptions{SheetID: sh})
		_, err := ob.Bury(ctx, chs[0], store.DeadLetter{WorkflowID: w.ID, Op: store.OpUpdate, Failure: store.Failure{Code: "UNKNOWN"}})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("a failure without advice: error = %v, want ErrInvalid", err)
		}
		if es, _ := ob.Entries(ctx, sh, 4); len(es) != 1 {
			t.Errorf("a failed Bury deleted the entries: %+v", es)
		}
	})

	t.Run("deleting the workflow takes its letters along", func(t *testing.T) {
		if err := e.st.Workflows().Delete(ctx, w2.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := dls.List(ctx, store.DeadLetterFilter{WorkflowID: w2.ID}, 0, 10); len(got) != 0 {
			t.Errorf("letters of a deleted workflow: %+v", got)
		}
	})
}

func testLinks(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	w := e.workflow(t, f, "two-way")
	w2 := e.workflow(t, f, "other")
	sh := e.sheet(t, "accounts")
	links := e.st.Links()
	const acme, globex = "001B000000UnQ2vIAF", "001000000000001AAA"
	modstamp := time.Date(2026, 3, 1, 9, 30, 0, 250_000_000, time.UTC)

	l := store.Link{WorkflowID: w.ID, RowID: 1, SheetID: sh, SFID: acme, Modstamp: modstamp,
		Record: map[string]any{"Name": "Acme", "NumberOfEmployees": 120, "IsPartner": true, "Industry": nil},
		Row:    map[string]any{"account_name": "Acme", "employees": 120.0, "regions": []string{"EMEA", "AMER"}}}
	if err := links.Save(ctx, l); err != nil {
		t.Fatal(err)
	}
	got, err := links.Get(ctx, w.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"Name": "Acme", "NumberOfEmployees": 120.0, "IsPartner": true, "Industry": nil}
	if got.SFID != acme || !got.Modstamp.Equal(modstamp) || !got.SyncedAt.Equal(e.clock.Now()) || got.SheetID != sh ||
		!equalJSON(got.Record, want) || !equalJSON(got.Row, map[string]any{"account_name": "Acme", "employees": 120.0, "regions": []any{"EMEA", "AMER"}}) {
		t.Errorf("Get = %+v", got)
	}

	t.Run("save replaces", func(t *testing.T) {
		e.clock.Advance(time.Minute)
		l.Record, l.Modstamp = map[string]any{"Name": "Acme Corp"}, time.Time{}
		if err := links.Save(ctx, l); err != nil {
			t.Fatal(err)
		}
		got, _ := links.Get(ctx, w.ID, 1)
		if got.Record["Name"] != "Acme Corp" || !got.Modstamp.IsZero() || !got.SyncedAt.Equal(e.clock.Now()) {
			t.Errorf("after a second Save: %+v", got)
		}
	})

	t.Run("one row per record and workflow", func(t *testing.T) {
		if err := links.Save(ctx, store.Link{WorkflowID: w.ID, RowID: 2, SheetID: sh, SFID: acme}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a second row for the same record: error = %v, want ErrConflict", err)
		}
		if err := links.Save(ctx, store.Link{WorkflowID: w2.ID, RowID: 1, SheetID: sh, SFID: acme}); err != nil {
			t.Errorf("the same row and record for another workflow: %v", err)
		}
		if err := links.Save(ctx, store.Link{WorkflowID: w.ID, RowID: 3, SheetID: sh, SFID: "001B000000UnQ2v"}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("a 15-character ID: error = %v, want ErrInvalid", err)
		}
		if err := links.Save(ctx, store.Link{WorkflowID: 999, RowID: 3, SheetID: sh, SFID: globex}); !errors.Is(err, store.ErrConstraint) {
			t.Errorf("a missing workflow: error = %v, want ErrConstraint", err)
		}
	})

	t.Run("by record IDs", func(t *testing.T) {
		if err := links.Save(ctx, store.Link{WorkflowID: w.ID, RowID: 2, SheetID: sh, SFID: globex}); err != nil {
			t.Fatal(err)
		}
		m, err := links.BySFIDs(ctx, w.ID, []string{acme, globex, "001000000000002AAA"})
		if err != nil || len(m) != 2 || m[acme].RowID != 1 || m[globex].RowID != 2 {
			t.Errorf("BySFIDs = %+v, %v", m, err)
		}
		many := make([]string, 1200) // more than one chunk of placeholders
		for i := range many {
			many[i] = globex
		}
		if m, err := links.BySFIDs(ctx, w.ID, many); err != nil || len(m) != 1 {
			t.Errorf("BySFIDs of 1,200 IDs = %d links, %v", len(m), err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if err := links.Delete(ctx, w.ID, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := links.Get(ctx, w.ID, 2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a deleted link: %v", err)
		}
		if err := links.DeleteRow(ctx, sh, 1); err != nil {
			t.Fatal(err)
		}
		for _, wf := range []int64{w.ID, w2.ID} {
			if _, err := links.Get(ctx, wf, 1); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the link of a deleted row for workflow %d: %v", wf, err)
			}
		}
		if err := links.Save(ctx, store.Link{WorkflowID: w.ID, RowID: 5, SheetID: sh, SFID: acme}); err != nil {
			t.Fatal(err)
		}
		if err := links.Reset(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := links.Get(ctx, w.ID, 5); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a link after Reset: %v", err)
		}
	})
}

func testJournal(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	w := e.workflow(t, f, "creates")
	w2 := e.workflow(t, f, "other")
	sh := e.sheet(t, "leads")
	j := e.st.Journal()

	open1, err := j.Open(ctx, w.ID, sh, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(open1.Key) != 32 || strings.Trim(open1.Key, "0123456789abcdef") != "" || !open1.OpenedAt.Equal(e.clock.Now()) || !open1.ClosedAt.IsZero() {
		t.Errorf("Open = %+v", open1)
	}
	if _, err := j.Open(ctx, w.ID, sh, 1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second open create of the row: error = %v, want ErrConflict", err)
	}
	e.clock.Advance(time.Second)
	open2, err := j.Open(ctx, w.ID, sh, 2)
	if err != nil || open2.Key == open1.Key {
		t.Fatalf("Open of another row = %+v, %v", open2, err)
	}
	if _, err := j.Open(ctx, w2.ID, sh, 1); err != nil {
		t.Errorf("the same row for another workflow: %v", err)
	}

	t.Run("after a crash the open entries are listed", func(t *testing.T) {
		es, err := j.ListOpen(ctx, w.ID)
		if err != nil || len(es) != 2 || es[0].Key != open1.Key || es[1].Key != open2.Key || es[1].RowID != 2 {
			t.Fatalf("ListOpen = %+v, %v", es, err)
		}
		row, err := j.OpenForRow(ctx, sh, 1)
		if err != nil || len(row) != 2 || row[0].WorkflowID != w.ID || row[1].WorkflowID != w2.ID {
			t.Fatalf("OpenForRow = %+v, %v; want both workflows' creates of row 1", row, err)
		}
	})

	t.Run("close", func(t *testing.T) {
		e.clock.Advance(time.Second)
		const sfid = "00Q000000000001AAA"
		closed, err := j.Close(ctx, open1.Key, sfid)
		if err != nil || closed.SFID != sfid || !closed.ClosedAt.Equal(e.clock.Now()) || closed.RowID != 1 {
			t.Fatalf("Close = %+v, %v", closed, err)
		}
		if _, err := j.Close(ctx, open1.Key, sfid); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("closing twice: error = %v, want ErrNotFound", err)
		}
		if _, err := j.Close(ctx, open2.Key, "00Q0000000001"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("a 13-character ID: error = %v, want ErrInvalid", err)
		}
		none, err := j.Close(ctx, open2.Key, "") // Salesforce created nothing
		if err != nil || none.SFID != "" || none.ClosedAt.IsZero() {
			t.Errorf("closing without a record = %+v, %v", none, err)
		}
		if es, _ := j.ListOpen(ctx, w.ID); len(es) != 0 {
			t.Errorf("open entries after closing them: %+v", es)
		}
		if _, err := j.Open(ctx, w.ID, sh, 1); err != nil {
			t.Errorf("a new create of a row whose create closed: %v", err)
		}
	})

	t.Run("prune keeps open entries", func(t *testing.T) {
		n, err := j.Prune(ctx, e.clock.Now().Add(time.Second))
		if err != nil || n != 2 {
			t.Fatalf("Prune = %d, %v; want the 2 closed entries", n, err)
		}
		if es, _ := j.ListOpen(ctx, w.ID); len(es) != 1 {
			t.Errorf("open entries after Prune: %+v", es)
		}
	})
}

func testConflicts(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	w := e.workflow(t, f, "two-way")
	sh := e.sheet(t, "accounts")
	cs := e.st.Conflicts()

	manual, err := cs.Record(ctx, store.Conflict{WorkflowID: w.ID, SheetID: sh, RowID: 7, SFID: "001000000000001AAA",
		Field: "Phone", Column: "Phone", SheetValue: "+1 555 0100", SalesforceValue: "+1 555 0199", BaseValue: "+1 555 0000",
		Policy: store.PolicyManual})
	if err != nil {
		t.Fatal(err)
	}
	if !manual.Open() || manual.SheetValue != "+1 555 0100" || manual.BaseValue != "+1 555 0000" || !manual.CreatedAt.Equal(e.clock.Now()) ||
		!manual.ResolvedAt.IsZero() || manual.ResolvedValue != nil {
		t.Errorf("a manual conflict = %+v", manual)
	}
	auto, err := cs.Record(ctx, store.Conflict{WorkflowID: w.ID, SheetID: sh, RowID: 8, Field: "NumberOfEmployees",
		SheetValue: 120, SalesforceValue: 150, BaseValue: nil, Policy: store.PolicySalesforceWins,
		Resolution: store.ResolvedSalesforce, ResolvedValue: 150, ResolvedBy: "policy"})
	if err != nil {
		t.Fatal(err)
	}
	if auto.Open() || auto.ResolvedValue != 150.0 || auto.BaseValue != nil || !auto.ResolvedAt.Equal(auto.CreatedAt) || auto.ResolvedBy != "policy" {
		t.Errorf("a conflict settled by the policy = %+v", auto)
	}

	for _, tt := range []struct {
		name string
		c    store.Conflict
		want error
	}{
		{"no field", store.Conflict{WorkflowID: w.ID, SheetID: sh, RowID: 1, Policy: store.PolicyManual}, store.ErrInvalid},
		{"resolved by nobody", store.Conflict{WorkflowID: w.ID, SheetID: sh, RowID: 1, Field: "Name", Policy: store.PolicySheetWins, Resolution: store.ResolvedSheet}, store.ErrInvalid},
		{"unknown policy", store.Conflict{WorkflowID: w.ID, SheetID: sh, RowID: 1, Field: "Name", Policy: "coin_toss"}, store.ErrConstraint},
		{"a value JSON cannot hold", store.Conflict{WorkflowID: w.ID, SheetID: sh, RowID: 1, Field: "Name", Policy: store.PolicyManual, SheetValue: make(chan int)}, store.ErrInvalid},
	} {
		if _, err := cs.Record(ctx, tt.c); !errors.Is(err, tt.want) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
		}
	}

	t.Run("resolve", func(t *testing.T) {
		e.clock.Advance(time.Hour)
		got, err := cs.Resolve(ctx, manual.ID, store.ResolvedWithNewValue, "+1 555 0142", "ada@example.com")
		if err != nil || got.Open() || got.ResolvedValue != "+1 555 0142" || got.ResolvedBy != "ada@example.com" ||
			got.ResolvedAt.Sub(got.CreatedAt) != time.Hour {
			t.Fatalf("Resolve = %+v, %v", got, err)
		}
		if _, err := cs.Resolve(ctx, manual.ID, store.ResolvedSheet, nil, "bob"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("resolving twice: error = %v, want ErrConflict", err)
		}
		if _, err := cs.Resolve(ctx, 999, store.ResolvedSheet, nil, "bob"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("resolving a missing conflict: error = %v, want ErrNotFound", err)
		}
		if _, err := cs.Resolve(ctx, auto.ID, store.Unresolved, nil, "bob"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("resolving to nothing: error = %v, want ErrInvalid", err)
		}
	})

	t.Run("list", func(t *testing.T) {
		third, _ := cs.Record(ctx, store.Conflict{WorkflowID: w.ID, SheetID: sh, RowID: 7, Field: "Name", Policy: store.PolicyManual})
		all, err := cs.List(ctx, store.ConflictFilter{WorkflowID: w.ID}, 0, 10)
		if err != nil || len(all) != 3 || all[0].ID != manual.ID || all[2].ID != third.ID {
			t.Fatalf("List = %+v, %v", all, err)
		}
		open, _ := cs.List(ctx, store.ConflictFilter{WorkflowID: w.ID, OpenOnly: true}, 0, 10)
		if len(open) != 1 || open[0].ID != third.ID {
			t.Errorf("open conflicts = %+v", open)
		}
		row7, _ := cs.List(ctx, store.ConflictFilter{SheetID: sh, RowID: 7}, manual.ID, 10)
		if len(row7) != 1 || row7[0].ID != third.ID {
			t.Errorf("row 7's conflicts after the first = %+v", row7)
		}
		if _, err := cs.List(ctx, store.ConflictFilter{}, 0, -1); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("a negative limit: error = %v, want ErrInvalid", err)
		}
	})
}

// equalJSON reports whether two values are equal once both go through JSON.
func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
