package storetest

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

// testSyncStats covers what the sync metrics read: runs by end time,
// conflicts since an instant, outbox depth per sheet.
func testSyncStats(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	w := e.workflow(t, f, "w")
	runs := e.st.Runs()
	start := e.clock.Now()

	finish := func(runErr error) store.Run {
		t.Helper()
		r, err := runs.Start(ctx, w.ID, store.Inbound)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
		done, err := runs.Finish(ctx, r.ID, store.RunCounts{Inserted: 2, APICalls: 1}, runErr)
		if err != nil {
			t.Fatal(err)
		}
		return done
	}
	first := finish(nil)
	second := finish(errors.New("UNABLE_TO_LOCK_ROW"))
	if _, err := runs.Start(ctx, w.ID, store.Outbound); err != nil { // still running: not ended
		t.Fatal(err)
	}
	ids := func(rs []store.Run) []int64 {
		var out []int64
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tc := range []struct {
		since time.Time
		want  []int64
	}{
		{start, []int64{first.ID, second.ID}},
		{first.EndedAt, []int64{first.ID, second.ID}}, // at the instant: included
		{first.EndedAt.Add(time.Microsecond), []int64{second.ID}},
		{e.clock.Now().Add(time.Second), nil},
	} {
		got, err := runs.EndedSince(ctx, tc.since)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), tc.want) {
			t.Errorf("EndedSince(%s) = %v, want %v", tc.since, ids(got), tc.want)
		}
	}
	if got, _ := runs.EndedSince(ctx, start); len(got) == 2 && (got[1].Status != store.RunFailed || got[1].Counts.APICalls != 1) {
		t.Errorf("the second run read back as %+v", got[1])
	}

	sh := e.sheet(t, "accounts")
	cs := e.st.Conflicts()
	for _, row := range []int64{1, 2} {
		if _, err := cs.Record(ctx, store.Conflict{WorkflowID: w.ID, SheetID: sh, RowID: row, Field: "Phone", SheetValue: "a", SalesforceValue: "b",
			Policy: store.PolicyManual}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
	}
	for _, tc := range []struct {
		since time.Time
		want  map[int64]int64
	}{
		{start, map[int64]int64{w.ID: 2}},
		{e.clock.Now(), map[int64]int64{}},
	} {
		got, err := cs.CountSince(ctx, tc.since)
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("CountSince(%s) = %v, %v; want %v", tc.since, got, err, tc.want)
		}
	}

	other := e.sheet(t, "Contacts")
	ob := e.st.Outbox()
	for _, en := range []store.OutboxEntry{
		{SheetID: sh, RowID: 1, Op: store.OpUpdate}, {SheetID: sh, RowID: 2, Op: store.OpInsert}, {SheetID: other, RowID: 1, Op: store.OpDelete},
	} {
		if _, err := ob.Append(ctx, en); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ob.Depths(ctx)
	if want := map[string]int64{"accounts": 2, "contacts": 1}; err != nil || !maps.Equal(got, want) {
		t.Errorf("Depths = %v, %v; want %v", got, err, want)
	}
}
