package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

// scratch creates a table of the given columns (after an id) in e's
// database and returns its quoted name.
func (e *env) scratch(t *testing.T, name, columns string) string {
	t.Helper()
	ctx := t.Context()
	d := e.st.Dialect()
	table := store.QuoteIdent("storetest_" + name)
	err := e.st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (id %s, %s)%s", table, d.RowIDColumn(), columns, d.TableOptions()))
		return err
	})
	if err != nil {
		t.Fatalf("creating table %s: %v", table, err)
	}
	return table
}

// count returns the number of rows of table, read in a new transaction.
func (e *env) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	err := e.st.Read(t.Context(), func(tx *store.Tx) error {
		return tx.QueryRow(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n)
	})
	if err != nil {
		t.Fatalf("counting %s: %v", table, err)
	}
	return n
}

func testTransactions(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	d := e.st.Dialect()
	table := e.scratch(t, "tx", "n "+d.ColumnType(store.TypeInteger)+" NOT NULL")
	insert := func(tx *store.Tx, n int) error {
		_, err := tx.Exec(ctx, "INSERT INTO "+table+" (n) VALUES ($1)", n)
		return err
	}

	t.Run("commit", func(t *testing.T) {
		before := e.count(t, table)
		if err := e.st.Write(ctx, func(tx *store.Tx) error { return insert(tx, 1) }); err != nil {
			t.Fatal(err)
		}
		if got := e.count(t, table); got != before+1 {
			t.Fatalf("rows after a committed insert = %d, want %d", got, before+1)
		}
	})

	t.Run("an error rolls back and comes back unchanged", func(t *testing.T) {
		before := e.count(t, table)
		boom := errors.New("boom")
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			if err := insert(tx, 2); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Fatalf("Write returned %v, want the function's error itself", err)
		}
		if got := e.count(t, table); got != before {
			t.Fatalf("rows after a rolled-back insert = %d, want %d", got, before)
		}
	})

	t.Run("a panic rolls back and propagates", func(t *testing.T) {
		before := e.count(t, table)
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic did not propagate")
				}
			}()
			_ = e.st.Write(ctx, func(tx *store.Tx) error {
				_ = insert(tx, 3)
				panic("boom")
			})
		}()
		if got := e.count(t, table); got != before {
			t.Fatalf("rows after a panicking transaction = %d, want %d", got, before)
		}
		// The write connection is usable again.
		if err := e.st.Write(ctx, func(tx *store.Tx) error { return insert(tx, 4) }); err != nil {
			t.Fatalf("Write after a panic: %v", err)
		}
	})

	t.Run("nested Write joins the outer transaction", func(t *testing.T) {
		before := e.count(t, table)
		boom := errors.New("boom")
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			if err := tx.Write(ctx, func(inner *store.Tx) error { return insert(inner, 5) }); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Fatalf("Write = %v, want boom", err)
		}
		if got := e.count(t, table); got != before {
			t.Fatalf("the nested write survived the outer rollback: %d rows, want %d", got, before)
		}
	})

	t.Run("read transactions refuse writes", func(t *testing.T) {
		err := e.st.Read(ctx, func(tx *store.Tx) error {
			if tx.Writable() {
				t.Error("a read transaction says it is writable")
			}
			if err := tx.Write(ctx, func(*store.Tx) error { return nil }); !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("Write inside Read = %v, want ErrReadOnly", err)
			}
			if err := insert(tx, 6); !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("INSERT inside Read = %v, want ErrReadOnly", err)
			}
			if _, err := tx.Users().Create(ctx, store.User{Login: "ro"}); !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("a repository write inside Read = %v, want ErrReadOnly", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a read transaction sees one snapshot", func(t *testing.T) {
		err := e.st.Read(ctx, func(tx *store.Tx) error {
			var before, after int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&before); err != nil {
				return err
			}
			if err := e.st.Write(ctx, func(w *store.Tx) error { return insert(w, 7) }); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&after); err != nil {
				return err
			}
			if after != before {
				t.Errorf("a read transaction saw a write committed after its first read: %d rows, then %d", before, after)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("transactions carry one timestamp from the clock", func(t *testing.T) {
		want := e.clock.Now().UTC().Truncate(time.Microsecond)
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			if !tx.Now().Equal(want) || tx.Now().Location() != time.UTC {
				t.Errorf("tx.Now() = %v, want %v in UTC", tx.Now(), want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("prepared statements", func(t *testing.T) {
		before := e.count(t, table)
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			st, err := tx.Prepare(ctx, "INSERT INTO "+table+" (n) VALUES ($1)")
			if err != nil {
				return err
			}
			defer st.Close()
			for i := range 10 {
				if _, err := st.Exec(ctx, i); err != nil {
					return err
				}
			}
			q, err := tx.Prepare(ctx, "SELECT n FROM "+table+" WHERE n = $1")
			if err != nil {
				return err
			}
			defer q.Close()
			var n int
			if err := q.QueryRow(ctx, 9).Scan(&n); err != nil || n != 9 {
				return fmt.Errorf("prepared QueryRow = %d, %v", n, err)
			}
			if err := q.QueryRow(ctx, -1).Scan(&n); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("prepared QueryRow of nothing = %v, want ErrNotFound", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := e.count(t, table); got != before+10 {
			t.Fatalf("rows = %d, want %d", got, before+10)
		}
	})

	t.Run("cached statements", func(t *testing.T) {
		before := e.count(t, table)
		query := "INSERT INTO " + table + " (n) VALUES ($1)"
		var first *store.Stmt
		for range 2 {
			err := e.st.Write(ctx, func(tx *store.Tx) error {
				a, err := tx.Cached(ctx, query)
				if err != nil {
					return err
				}
				b, err := tx.Cached(ctx, query)
				if err != nil {
					return err
				}
				if a != b {
					t.Error("Cached prepared the same statement twice in one transaction")
				}
				if a == first {
					t.Error("a statement cached by a finished transaction was handed out again")
				}
				first = a
				for i := range 3 {
					if _, err := a.Exec(ctx, i); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := e.count(t, table); got != before+6 {
			t.Fatalf("rows = %d, want %d", got, before+6)
		}
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Cached(ctx, "INSERT INTO no_such_table (n) VALUES (1)")
			return err
		})
		if err == nil {
			t.Error("Cached of a statement on a missing table succeeded")
		}
	})

	t.Run("concurrent writers lose no update", func(t *testing.T) {
		counter := e.scratch(t, "counter", "n "+d.ColumnType(store.TypeInteger)+" NOT NULL")
		if err := e.st.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO "+counter+" (n) VALUES (0)")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		const writers, each = 6, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for range writers {
			wg.Go(func() {
				for range each {
					// One statement: engines that run writers side by
					// side (PostgreSQL) need not serialize a read then a
					// write; repositories use conditional updates for that.
					err := e.st.Write(ctx, func(tx *store.Tx) error {
						_, err := tx.Exec(ctx, "UPDATE "+counter+" SET n = n + 1")
						return err
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var n int
		if err := e.st.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, "SELECT n FROM "+counter).Scan(&n) }); err != nil {
			t.Fatal(err)
		}
		if n != writers*each {
			t.Fatalf("counter = %d after %d increments", n, writers*each)
		}
	})

	t.Run("a canceled context stops the transaction", func(t *testing.T) {
		c, cancel := context.WithCancel(ctx)
		cancel()
		if err := e.st.Write(c, func(tx *store.Tx) error { return insert(tx, 8) }); err == nil {
			t.Fatal("Write with a canceled context succeeded")
		}
	})
}
