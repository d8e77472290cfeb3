package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

// sheet registers a sheet (without its table: the suite tests the outbox,
// links and letters that refer to it) and returns its id.
func (e *env) sheet(t *testing.T, name string) int64 {
	t.Helper()
	var id int64
	err := e.st.Write(t.Context(), func(tx *store.Tx) error {
		return tx.QueryRow(t.Context(), `INSERT INTO sheets (name, table_name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
			name, "sheet_"+name, tx.Now()).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// seqs returns the sequence numbers of changes, row by row.
func seqs(chs []store.Change) [][]int64 {
	var out [][]int64
	for _, c := range chs {
		out = append(out, c.Seqs)
	}
	return out
}

func testOutbox(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	sh := e.sheet(t, "accounts")
	other := e.sheet(t, "contacts")
	ob := e.st.Outbox()
	appendAll := func(es ...store.OutboxEntry) []int64 {
		t.Helper()
		var out []int64
		for _, en := range es {
			seq, err := ob.Append(ctx, en)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, seq)
		}
		return out
	}
	claim := func(limit int) []store.Change {
		t.Helper()
		chs, err := ob.Claim(ctx, store.ClaimOptions{SheetID: sh, Limit: limit, Lease: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return chs
	}

	s := appendAll(
		store.OutboxEntry{SheetID: sh, RowID: 1, Op: store.OpUpdate, Columns: []string{"phone"}, WrittenBy: "sql"},
		store.OutboxEntry{SheetID: sh, RowID: 1, Op: store.OpUpdate, Columns: []string{"name", "phone"}, WrittenBy: "api:ada"},
		store.OutboxEntry{SheetID: sh, RowID: 2, Op: store.OpInsert, Columns: []string{"name", "city"}},
		store.OutboxEntry{SheetID: other, RowID: 1, Op: store.OpUpdate, Columns: []string{"email"}},
		store.OutboxEntry{SheetID: sh, RowID: 1, Op: store.OpUpdate, Columns: []string{"city"}, WrittenBy: "sql"},
		store.OutboxEntry{SheetID: sh, RowID: 3, Op: store.OpUpdate}, // the whole row, again
		store.OutboxEntry{SheetID: sh, RowID: 3, Op: store.OpUpdate, Columns: []string{"name"}},
	)
	for i := range s {
		if s[i] <= 0 || i > 0 && s[i] <= s[i-1] {
			t.Fatalf("sequence numbers %v do not increase", s)
		}
	}
	if m, err := ob.MaxSeq(ctx); err != nil || m != s[len(s)-1] {
		t.Fatalf("MaxSeq = %d, %v; want %d", m, err, s[len(s)-1])
	}
	if _, err := ob.Append(ctx, store.OutboxEntry{SheetID: sh, RowID: 9, Op: store.OpUpdate, Columns: []string{"a,b"}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a column with a comma: error = %v, want ErrInvalid", err)
	}
	if _, err := ob.Append(ctx, store.OutboxEntry{SheetID: sh, RowID: 9, Op: "upsert"}); !errors.Is(err, store.ErrConstraint) {
		t.Errorf("an unknown operation: error = %v, want ErrConstraint", err)
	}

	// Rows come oldest first, each with every entry it has, coalesced.
	first := claim(2)
	if got, want := seqs(first), [][]int64{{s[0], s[1], s[4]}, {s[2]}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("first claim: entries %v, want %v", got, want)
	}
	row1, row2 := first[0], first[1]
	if row1.RowID != 1 || row1.SheetID != sh || !slices.Equal(row1.Columns, []string{"city", "name", "phone"}) ||
		row1.First != store.OpUpdate || row1.Last != store.OpUpdate || row1.WrittenBy != "sql" || row1.Attempts != 0 {
		t.Errorf("row 1's change = %+v", row1)
	}
	if row2.First != store.OpInsert || !slices.Equal(row2.Columns, []string{"city", "name"}) || row2.WrittenBy != "sfbridge" {
		t.Errorf("row 2's change = %+v", row2)
	}

	t.Run("claimed rows are not claimed again", func(t *testing.T) {
		rest := claim(10)
		if len(rest) != 1 || rest[0].RowID != 3 || rest[0].Columns != nil || !slices.Equal(rest[0].Seqs, []int64{s[5], s[6]}) {
			t.Fatalf("second claim = %+v; want row 3, the whole row", rest)
		}
		if err := ob.Release(ctx, rest[0]); err != nil {
			t.Fatal(err)
		}
		later := appendAll(store.OutboxEntry{SheetID: sh, RowID: 1, Op: store.OpUpdate, Columns: []string{"email"}})
		again := claim(10)
		if len(again) != 1 || again[0].RowID != 3 {
			t.Fatalf("after a release and an edit of a claimed row: %+v; want row 3 alone (row 1 waits)", again)
		}
		if err := ob.Complete(ctx, row1); err != nil {
			t.Fatal(err)
		}
		es, err := ob.Entries(ctx, sh, 1)
		if err != nil || len(es) != 1 || es[0].Seq != later[0] || es[0].InFlight {
			t.Fatalf("row 1 after Complete: %+v, %v; want the later entry, free", es, err)
		}
		if err := ob.Complete(ctx, row1); !errors.Is(err, store.ErrConflict) {
			t.Errorf("completing twice: error = %v, want ErrConflict", err)
		}
		if err := ob.Complete(ctx, again[0]); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a transient failure waits for its retry time", func(t *testing.T) {
		if err := ob.Retry(ctx, row2, "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access", time.Time{}); err != nil {
			t.Fatal(err)
		}
		failedAt := e.clock.Now().UTC().Truncate(time.Microsecond)
		st, err := ob.Stats(ctx, sh)
		if err != nil {
			t.Fatal(err)
		}
		if st.Due != 1 || st.Waiting != 1 || st.InFlight != 0 || !st.NextRetry.Equal(failedAt.Add(store.Backoff(1))) {
			t.Errorf("Stats = %+v, want 1 due, 1 waiting until %v", st, failedAt.Add(store.Backoff(1)))
		}
		for _, c := range claim(10) {
			if c.RowID == 2 {
				t.Fatal("a change waiting for its retry was claimed")
			}
			if err := ob.Release(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(store.Backoff(1))
		var got store.Change
		for _, c := range claim(10) {
			if c.RowID == 2 {
				got = c
			} else if err := ob.Release(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		if got.Attempts != 1 || got.LastError != "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access" || !got.FirstFailedAt.Equal(failedAt) {
			t.Fatalf("row 2 after its retry time: %+v", got)
		}
		row2 = got
		if err := ob.Retry(ctx, row1, "stale", time.Time{}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("retrying a completed change: error = %v, want ErrConflict", err)
		}
	})

	t.Run("a permanent failure becomes a dead letter", func(t *testing.T) {
		w := e.workflow(t, e.fixture(t), "outbound")
		dl, err := ob.Bury(ctx, row2, store.DeadLetter{WorkflowID: w.ID, Op: store.OpInsert,
			Failure: store.Failure{Code: "REQUIRED_FIELD_MISSING", Message: "Required fields are missing: [Industry]", Fields: []string{"Industry"},
				Advice: "Fill in Industry in row 2, then requeue it."}})
		if err != nil {
			t.Fatal(err)
		}
		if dl.ID == 0 || dl.Attempts != 2 || !dl.FirstFailedAt.Before(dl.LastFailedAt) || dl.RowID != 2 || dl.SheetID != sh ||
			!slices.Equal(dl.Columns, []string{"city", "name"}) || !slices.Equal(dl.Fields, []string{"Industry"}) {
			t.Errorf("dead letter = %+v", dl)
		}
		if es, _ := ob.Entries(ctx, sh, 2); len(es) != 0 {
			t.Errorf("the buried change is still in the outbox: %+v", es)
		}
	})

	t.Run("an expired claim is taken over", func(t *testing.T) {
		appendAll(store.OutboxEntry{SheetID: sh, RowID: 4, Op: store.OpUpdate, Columns: []string{"name"}})
		stale := claim(10)
		e.clock.Advance(2 * time.Minute)
		fresh := claim(10)
		if len(fresh) != len(stale) || len(fresh) == 0 {
			t.Fatalf("after the lease: claimed %d changes, want the %d expired ones", len(fresh), len(stale))
		}
		if err := ob.Complete(ctx, stale[0]); !errors.Is(err, store.ErrConflict) {
			t.Errorf("completing with an expired claim taken over: error = %v, want ErrConflict", err)
		}
		for _, c := range fresh {
			if err := ob.Complete(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("a rolled-back transaction leaves no entry and no signal", func(t *testing.T) {
		before, _ := ob.MaxSeq(ctx)
		woken := e.st.OutboxSignal()
		boom := errors.New("boom")
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Outbox().Append(ctx, store.OutboxEntry{SheetID: sh, RowID: 5, Op: store.OpInsert}); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Fatal(err)
		}
		if after, _ := ob.MaxSeq(ctx); after != before {
			t.Errorf("MaxSeq %d → %d after a rollback", before, after)
		}
		select {
		case <-woken:
			t.Error("a rolled-back append fired the outbox signal")
		default:
		}
		appendAll(store.OutboxEntry{SheetID: sh, RowID: 5, Op: store.OpInsert})
		select {
		case <-woken:
		default:
			t.Error("a committed append did not fire the outbox signal")
		}
	})

	t.Run("attribute", func(t *testing.T) {
		before, _ := ob.MaxSeq(ctx)
		// What a sheet's trigger appends for a write through sfbridge.
		if err := e.st.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO outbox (sheet_id, row_id, op, columns, created_at) VALUES ($1, 6, 'update', 'name', $2)`, sh, tx.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := ob.Attribute(ctx, sh, before, "api:ada@example.com"); err != nil || n != 1 {
			t.Fatalf("Attribute = %d, %v; want 1", n, err)
		}
		if es, _ := ob.Entries(ctx, sh, 6); len(es) != 1 || es[0].WrittenBy != "api:ada@example.com" {
			t.Errorf("entries = %+v", es)
		}
		if _, err := ob.Attribute(ctx, sh, before, " "); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("no author: error = %v, want ErrInvalid", err)
		}
	})

	t.Run("a dropped sheet takes its entries along", func(t *testing.T) {
		if err := e.st.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM sheets WHERE id = $1`, other)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if es, _ := ob.Entries(ctx, other, 1); len(es) != 0 {
			t.Errorf("entries of a dropped sheet: %+v", es)
		}
	})
}

func testOutboxWait(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	sh := e.sheet(t, "accounts")
	appendEntry := func(tx *store.Tx) error {
		_, err := tx.Outbox().Append(ctx, store.OutboxEntry{SheetID: sh, RowID: 1, Op: store.OpInsert})
		return err
	}
	wait := func(seen int64, poll time.Duration) <-chan string {
		out := make(chan string, 1)
		go func() {
			got, err := e.st.WaitOutbox(ctx, seen, poll)
			out <- fmt.Sprint(got, " ", err)
		}()
		return out
	}

	// The poll interval is far beyond the test's life: only the signal
	// can wake the waiter.
	done := wait(0, time.Hour)
	if err := e.st.Write(ctx, appendEntry); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got != "1 <nil>" {
		t.Fatalf("WaitOutbox after a write through the store = %s, want 1 <nil>", got)
	}

	// A change that fires no signal (direct SQL, another process) is seen
	// by polling.
	done = wait(1, 5*time.Millisecond)
	if err := e.st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO outbox (sheet_id, row_id, op, created_at) VALUES ($1, 2, 'insert', $2)`, sh, tx.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got != "2 <nil>" {
		t.Fatalf("WaitOutbox after a direct insert = %s, want 2 <nil>", got)
	}

	// Already above seen: no wait at all.
	if got, err := e.st.WaitOutbox(ctx, 0, time.Hour); err != nil || got != 2 {
		t.Errorf("WaitOutbox(0) = %d, %v; want 2 at once", got, err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.st.WaitOutbox(canceled, 2, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitOutbox with a canceled context = %v", err)
	}
	if _, err := e.st.WaitOutbox(ctx, 2, 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a zero poll interval: error = %v, want ErrInvalid", err)
	}
}
