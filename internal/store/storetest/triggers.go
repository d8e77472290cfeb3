package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/sfbridge/sfbridge/internal/store"
)

// testTriggers pins Dialect.CreateTrigger and DropTrigger: each event, Set
// on the row written, a delete turned into an update, conditions, no
// recursion, and the transaction boundary.
func testTriggers(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	d := e.st.Dialect()
	text := d.ColumnType(store.TypeText)
	items := e.scratch(t, "items", "v "+text+", state "+text+" NOT NULL DEFAULT 'new'")
	events := e.scratch(t, "events", "what "+text+" NOT NULL")
	const table = "storetest_items"
	log := func(what string) string { return "INSERT INTO " + events + " (what) VALUES (" + what + ")" }
	triggers := []store.Trigger{
		{Name: "storetest_items_ins", Table: table, Event: store.OnInsert, When: "NEW.v IS NOT NULL",
			Do: []string{log("'insert ' || NEW.v")}},
		{Name: "storetest_items_upd", Table: table, Key: "id", Event: store.OnUpdate,
			When: "NEW.v IS DISTINCT FROM OLD.v OR NEW.state IS DISTINCT FROM OLD.state",
			Set:  []store.Assignment{{Column: "state", Value: "CASE WHEN NEW.state = 'kept' THEN 'kept' ELSE 'touched' END"}},
			Do:   []string{log("'update ' || COALESCE(OLD.v, '') || '>' || COALESCE(NEW.v, '') || ' ' || NEW.state")}},
		{Name: "storetest_items_keep", Table: table, Key: "id", Event: store.OnDelete, When: "OLD.state <> 'kept'",
			Set: []store.Assignment{{Column: "state", Value: "'kept'"}},
			Do:  []string{log("'kept ' || OLD.v")}},
		{Name: "storetest_events_del", Table: "storetest_events", Event: store.OnDelete,
			Do: []string{"INSERT INTO " + items + " (v, state) VALUES ('deleted ' || OLD.what, 'kept')"}},
	}
	exec := func(stmts ...string) error {
		return e.st.Write(ctx, func(tx *store.Tx) error {
			for _, s := range stmts {
				if _, err := tx.Exec(ctx, s); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for _, tr := range triggers {
		if err := exec(d.CreateTrigger(tr)...); err != nil {
			t.Fatalf("creating trigger %s: %v", tr.Name, err)
		}
	}
	strings := func(query string) []string {
		var out []string
		err := e.st.Read(ctx, func(tx *store.Tx) error {
			rows, err := tx.Query(ctx, query)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					return err
				}
				out = append(out, s)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	logged := func() []string { return strings("SELECT what FROM " + events + " ORDER BY id") }
	itemRows := func() []string {
		return strings("SELECT COALESCE(v, '-') || ':' || state FROM " + items + " ORDER BY id")
	}

	if err := exec("INSERT INTO "+items+" (v) VALUES ('a')", "INSERT INTO "+items+" (v) VALUES (NULL)"); err != nil {
		t.Fatal(err)
	}
	if got, want := logged(), []string{"insert a"}; !slices.Equal(got, want) {
		t.Fatalf("after inserts: events %q, want %q (When skips the second row)", got, want)
	}

	// One update event per row: the trigger's own Set does not fire it
	// again.
	if err := exec("UPDATE " + items + " SET v = 'b' WHERE v = 'a'"); err != nil {
		t.Fatal(err)
	}
	if got, want := logged(), []string{"insert a", "update a>b new"}; !slices.Equal(got, want) {
		t.Fatalf("after an update: events %q, want %q", got, want)
	}
	if got, want := itemRows(), []string{"b:touched", "-:new"}; !slices.Equal(got, want) {
		t.Fatalf("after an update: rows %q, want %q (Set applies to the row written)", got, want)
	}

	t.Run("a delete with Set keeps the row and fires the update trigger", func(t *testing.T) {
		if err := exec("DELETE FROM " + items + " WHERE v = 'b'"); err != nil {
			t.Fatal(err)
		}
		if got, want := itemRows(), []string{"b:kept", "-:new"}; !slices.Equal(got, want) {
			t.Fatalf("rows %q, want %q", got, want)
		}
		if got, want := logged()[2:], []string{"update b>b kept", "kept b"}; !slices.Equal(got, want) {
			t.Fatalf("events %q, want %q", got, want)
		}
		// When is false for a kept row: the delete goes through.
		if err := exec("DELETE FROM " + items + " WHERE v = 'b'"); err != nil {
			t.Fatal(err)
		}
		if got, want := itemRows(), []string{"-:new"}; !slices.Equal(got, want) {
			t.Fatalf("rows %q, want %q", got, want)
		}
	})

	t.Run("a delete without Set runs after the row is gone", func(t *testing.T) {
		if err := exec("DELETE FROM " + events + " WHERE what = 'insert a'"); err != nil {
			t.Fatal(err)
		}
		if got := itemRows(); !slices.Contains(got, "deleted insert a:kept") {
			t.Fatalf("rows %q: the delete trigger did not run", got)
		}
	})

	t.Run("a rollback takes the trigger's writes along", func(t *testing.T) {
		before := logged()
		boom := errors.New("boom")
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO "+items+" (v) VALUES ('rolled back')"); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Fatal(err)
		}
		if got := logged(); !slices.Equal(got, before) {
			t.Fatalf("events %q after a rollback, want %q", got, before)
		}
	})

	t.Run("a trigger's own writes to its table do not fire it again", func(t *testing.T) {
		chain := e.scratch(t, "chain", "n "+d.ColumnType(store.TypeInteger)+" NOT NULL")
		grow := store.Trigger{Name: "storetest_chain_grow", Table: "storetest_chain", Event: store.OnInsert,
			Do: []string{"INSERT INTO " + chain + " (n) VALUES (NEW.n + 1)"}}
		if err := exec(d.CreateTrigger(grow)...); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second time too: the first left nothing behind
			if err := exec("INSERT INTO " + chain + " (n) VALUES (1)"); err != nil {
				t.Fatalf("a trigger inserting into its own table: %v", err)
			}
		}
		if got, want := strings("SELECT CAST(n AS TEXT) FROM "+chain+" ORDER BY id"), []string{"1", "2", "1", "2"}; !slices.Equal(got, want) {
			t.Fatalf("rows %q, want %q: the trigger fired once per statement's row", got, want)
		}
	})

	t.Run("dropped triggers fire no more", func(t *testing.T) {
		for _, tr := range triggers[:1] {
			if err := exec(d.DropTrigger(tr.Name, tr.Table)...); err != nil {
				t.Fatal(err)
			}
			if err := exec(d.DropTrigger(tr.Name, tr.Table)...); err != nil {
				t.Fatalf("dropping a trigger twice: %v", err)
			}
		}
		before := len(logged())
		if err := exec("INSERT INTO " + items + " (v) VALUES ('quiet')"); err != nil {
			t.Fatal(err)
		}
		if got := logged(); len(got) != before {
			t.Fatalf("events %q after the insert trigger was dropped", got[before:])
		}
	})
}
