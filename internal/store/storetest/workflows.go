package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

const docV1 = "version: 1\nname: accounts\nobject: Account\n"

func (e *env) workflow(t *testing.T, f fixture, name string) store.Workflow {
	t.Helper()
	w, err := e.st.Workflows().Create(t.Context(), store.Workflow{Name: name, OrgID: f.org.ID, OwnerID: f.user.ID, Document: docV1})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func testWorkflows(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	wfs := e.st.Workflows()

	w := e.workflow(t, f, "Accounts to sheet")
	if w.Version != 1 || w.Enabled || w.State.Status != store.WorkflowIdle || w.Document != docV1 {
		t.Errorf("created %+v", w)
	}
	if _, ok := w.State.Lag(e.clock.Now()); ok {
		t.Error("a workflow that never synced reports a lag")
	}

	t.Run("document versions", func(t *testing.T) {
		e.clock.Advance(time.Minute)
		v2doc := docV1 + "direction: both\n"
		w2, err := wfs.UpdateDocument(ctx, w.ID, 1, v2doc, f.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if w2.Version != 2 || w2.Document != v2doc || !w2.UpdatedAt.Equal(e.clock.Now()) {
			t.Errorf("after an update: %+v", w2)
		}
		if _, err := wfs.UpdateDocument(ctx, w.ID, 1, docV1+"# stale edit\n", f.user.ID); !errors.Is(err, store.ErrConflict) {
			t.Errorf("an edit of version 1 after version 2: error = %v, want ErrConflict", err)
		}
		same, err := wfs.UpdateDocument(ctx, w.ID, 2, v2doc, f.user.ID)
		if err != nil || same.Version != 2 {
			t.Errorf("saving the same document: version %d, %v; want 2", same.Version, err)
		}
		vs, err := wfs.Versions(ctx, w.ID)
		if err != nil || len(vs) != 2 || vs[0].Document != docV1 || vs[1].Document != v2doc || vs[1].AuthorID != f.user.ID {
			t.Errorf("Versions = %+v, %v", vs, err)
		}
		if _, err := wfs.UpdateDocument(ctx, 999, 1, "x", 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("updating a missing workflow = %v, want ErrNotFound", err)
		}
	})

	t.Run("state does not change the version", func(t *testing.T) {
		now := e.clock.Now()
		st := store.WorkflowState{Status: store.WorkflowFailing, LastRunAt: now, LastSuccessAt: now.Add(-time.Hour),
			LastError: "INVALID_SESSION_ID", SyncedTo: now.Add(-90 * time.Second)}
		if err := wfs.SetState(ctx, w.ID, st); err != nil {
			t.Fatal(err)
		}
		got, err := wfs.Get(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || got.State.Status != store.WorkflowFailing || got.State.LastError != "INVALID_SESSION_ID" ||
			!got.State.LastRunAt.Equal(now) || !got.State.LastSuccessAt.Equal(now.Add(-time.Hour)) {
			t.Errorf("state = %+v (version %d)", got.State, got.Version)
		}
		if lag, ok := got.State.Lag(now); !ok || lag != 90*time.Second {
			t.Errorf("Lag = %v, %v; want 90s", lag, ok)
		}
		if err := wfs.SetState(ctx, w.ID, store.WorkflowState{Status: "sleeping"}); !errors.Is(err, store.ErrConstraint) {
			t.Errorf("an unknown status: error = %v, want ErrConstraint", err)
		}
	})

	t.Run("list filters", func(t *testing.T) {
		other := e.workflow(t, f, "contacts")
		if err := wfs.SetEnabled(ctx, other.ID, true); err != nil {
			t.Fatal(err)
		}
		all, err := wfs.List(ctx, store.WorkflowFilter{})
		if err != nil || len(all) != 2 || all[0].Name != "Accounts to sheet" {
			t.Fatalf("List = %+v, %v", all, err)
		}
		enabled, err := wfs.List(ctx, store.WorkflowFilter{EnabledOnly: true, OrgID: f.org.ID, OwnerID: f.user.ID})
		if err != nil || len(enabled) != 1 || enabled[0].ID != other.ID {
			t.Fatalf("enabled = %+v, %v", enabled, err)
		}
		if none, err := wfs.List(ctx, store.WorkflowFilter{OrgID: 999}); err != nil || len(none) != 0 {
			t.Fatalf("another org = %+v, %v", none, err)
		}
		if got, err := wfs.ByName(ctx, "CONTACTS"); err != nil || got.ID != other.ID {
			t.Errorf("ByName = %+v, %v", got, err)
		}
		if _, err := wfs.Create(ctx, store.Workflow{Name: "Contacts", OrgID: f.org.ID, OwnerID: f.user.ID}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a duplicate name: error = %v, want ErrConflict", err)
		}
	})

	t.Run("references are checked", func(t *testing.T) {
		if _, err := wfs.Create(ctx, store.Workflow{Name: "orphan", OrgID: 999, OwnerID: f.user.ID}); !errors.Is(err, store.ErrConstraint) {
			t.Errorf("a workflow of a missing org: error = %v, want ErrConstraint", err)
		}
		if err := e.st.Orgs().Delete(ctx, f.org.ID); !errors.Is(err, store.ErrConstraint) {
			t.Errorf("deleting an org with workflows: error = %v, want ErrConstraint", err)
		}
	})

	t.Run("delete takes versions, checkpoints and runs along", func(t *testing.T) {
		doomed := e.workflow(t, f, "doomed")
		if err := e.st.Checkpoints().Save(ctx, doomed.ID, "inbound", []byte("c")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.Runs().Start(ctx, doomed.ID, store.Inbound); err != nil {
			t.Fatal(err)
		}
		if err := wfs.Delete(ctx, doomed.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.Checkpoints().Get(ctx, doomed.ID, "inbound"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the checkpoint outlived its workflow: %v", err)
		}
		if runs, err := e.st.Runs().List(ctx, doomed.ID, 0, 10); err != nil || len(runs) != 0 {
			t.Errorf("runs outlived their workflow: %+v, %v", runs, err)
		}
		if vs, err := wfs.Versions(ctx, doomed.ID); err != nil || len(vs) != 0 {
			t.Errorf("versions outlived their workflow: %+v, %v", vs, err)
		}
	})
}

func testCheckpoints(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	w := e.workflow(t, f, "w")
	cps := e.st.Checkpoints()

	if _, err := cps.Get(ctx, w.ID, "inbound"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get before any Save = %v, want ErrNotFound", err)
	}
	cursor := []byte{0, 1, 2, 0xff, 'Z'}
	if err := cps.Save(ctx, w.ID, "inbound", cursor); err != nil {
		t.Fatal(err)
	}
	if got, err := cps.Get(ctx, w.ID, "inbound"); err != nil || !bytes.Equal(got, cursor) {
		t.Fatalf("Get = %x, %v; want %x", got, err, cursor)
	}
	if err := cps.Save(ctx, w.ID, "cdc", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := cps.Get(ctx, w.ID, "cdc"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("an empty cursor came back as %#v, %v", got, err)
	}
	if err := cps.Save(ctx, w.ID, " ", []byte("x")); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("an empty stream name: error = %v, want ErrInvalid", err)
	}

	t.Run("a checkpoint moves with its transaction", func(t *testing.T) {
		table := e.scratch(t, "rows", "v "+e.st.Dialect().ColumnType(store.TypeText))
		boom := errors.New("crash before commit")
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO "+table+" (v) VALUES ('row')"); err != nil {
				return err
			}
			if err := tx.Checkpoints().Save(ctx, w.ID, "inbound", []byte("moved")); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Fatal(err)
		}
		if got, _ := cps.Get(ctx, w.ID, "inbound"); !bytes.Equal(got, cursor) {
			t.Errorf("the checkpoint moved without its rows: %q", got)
		}
		err = e.st.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO "+table+" (v) VALUES ('row')"); err != nil {
				return err
			}
			return tx.Checkpoints().Save(ctx, w.ID, "inbound", []byte("moved"))
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := cps.Get(ctx, w.ID, "inbound"); string(got) != "moved" || e.count(t, table) != 1 {
			t.Errorf("after commit: checkpoint %q, %d rows", got, e.count(t, table))
		}
	})

	t.Run("reset", func(t *testing.T) {
		if err := cps.Reset(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"inbound", "cdc"} {
			if _, err := cps.Get(ctx, w.ID, s); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s survived Reset: %v", s, err)
			}
		}
	})

	t.Run("a checkpoint needs its workflow", func(t *testing.T) {
		if err := cps.Save(ctx, 999, "inbound", []byte("x")); !errors.Is(err, store.ErrConstraint) {
			t.Errorf("error = %v, want ErrConstraint", err)
		}
	})
}

func testRuns(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	w := e.workflow(t, f, "w")
	runs := e.st.Runs()

	r, err := runs.Start(ctx, w.ID, store.Inbound)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != store.RunRunning || !r.StartedAt.Equal(e.clock.Now()) {
		t.Errorf("Start = %+v", r)
	}
	e.clock.Advance(42 * time.Second)
	counts := store.RunCounts{Read: 1200, Inserted: 1000, Updated: 150, Removed: 50, Failed: 0, APICalls: 7}
	done, err := runs.Finish(ctx, r.ID, counts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != store.RunSucceeded || done.Counts != counts || done.EndedAt.Sub(done.StartedAt) != 42*time.Second || done.Error != "" {
		t.Errorf("Finish = %+v", done)
	}
	if _, err := runs.Finish(ctx, r.ID, counts, nil); !errors.Is(err, store.ErrConflict) {
		t.Errorf("finishing twice: error = %v, want ErrConflict", err)
	}
	if _, err := runs.Finish(ctx, 999, counts, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("finishing a missing run: error = %v, want ErrNotFound", err)
	}

	failed, _ := runs.Start(ctx, w.ID, store.Outbound)
	got, err := runs.Finish(ctx, failed.ID, store.RunCounts{Failed: 3}, errors.New("REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded"))
	if err != nil || got.Status != store.RunFailed || got.Error != "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded" || got.Direction != store.Outbound {
		t.Errorf("failed run = %+v, %v", got, err)
	}
	if _, err := runs.Start(ctx, w.ID, "sideways"); !errors.Is(err, store.ErrConstraint) {
		t.Errorf("an unknown direction: error = %v, want ErrConstraint", err)
	}

	t.Run("pages newest first", func(t *testing.T) {
		for range 5 {
			r, _ := runs.Start(ctx, w.ID, store.Inbound)
			if _, err := runs.Finish(ctx, r.ID, store.RunCounts{}, nil); err != nil {
				t.Fatal(err)
			}
		}
		var ids []int64
		before := int64(0)
		for {
			page, err := runs.List(ctx, w.ID, before, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, r := range page {
				ids = append(ids, r.ID)
			}
			before = page[len(page)-1].ID
		}
		if len(ids) != 7 {
			t.Fatalf("paged through %d runs, want 7", len(ids))
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] >= ids[i-1] {
				t.Fatalf("runs not newest first: %v", ids)
			}
		}
		if _, err := runs.List(ctx, w.ID, 0, 0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("a zero limit: error = %v, want ErrInvalid", err)
		}
	})

	t.Run("prune keeps the newest and the running", func(t *testing.T) {
		running, _ := runs.Start(ctx, w.ID, store.Inbound)
		n, err := runs.Prune(ctx, w.ID, 2)
		if err != nil || n != 5 {
			t.Fatalf("Prune = %d, %v; want 5 of the 7 finished runs", n, err)
		}
		left, _ := runs.List(ctx, w.ID, 0, 100)
		if len(left) != 3 || left[0].ID != running.ID {
			t.Fatalf("after Prune: %+v", left)
		}
	})
}
