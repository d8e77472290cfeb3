// Package postgres is the store driver for PostgreSQL, for a database shared
// by several sfbridge workers: pgx (github.com/jackc/pgx/v5) through its
// database/sql adapter, behind the same seam as store/sqlite.
//
// # Transactions
//
// Write transactions run at READ COMMITTED and take a transaction-scoped
// advisory lock ([WriteLockKey]) first, so they run one at a time across
// every process on the database, as SQLite's BEGIN IMMEDIATE makes them: a
// transaction that started never fails later for lack of the write lock,
// and every repository's read-then-write logic stays correct. Writers of
// one process queue for the process's write slot first, as long as their
// context allows, without holding a connection (SQLite's single write
// connection); a writer waits at most [Options.LockTimeout] (the session's
// lock_timeout, default 30s) for the lock another process holds, or for a
// row a person's SQL session holds, then fails with store.ErrBusy. Read transactions are REPEATABLE READ, READ ONLY: one
// snapshot from their first statement; they take no lock and end with a
// rollback (they have nothing to commit), so a refused statement in one
// does not turn its end into an error.
//
// # Types
//
// The system tables are those of the SQLite migrations with PostgreSQL
// types: BIGINT identities, TIMESTAMPTZ, BYTEA, JSON as TEXT checked by a
// cast, flags as integers checked IN (0, 1) (a Go bool bound to one is
// sent as 1 or 0). Sheets get native types — NUMERIC, BOOLEAN, DATE,
// TIMESTAMPTZ to the millisecond, TIME to the millisecond — so a person's
// SQL reads and writes typed values, and package sheet reads back exactly
// what it wrote. Instants are read in UTC; sessions run in UTC.
//
// # Triggers
//
// A store.Trigger becomes a plpgsql function and a row-level trigger, both
// named after it; the condition is tested inside the function, Set assigns
// NEW in a BEFORE trigger, and a delete with Set updates the row and
// returns NULL to skip the delete. A transaction-local setting lists the
// triggers running, so a trigger's own writes to its table do not fire it
// again (SQLite's recursive_triggers off), while the triggers they fire on
// other tables, or the update triggers of a kept row, run.
//
// # Running the tests
//
// The conformance suite (store/storetest), the sheet tests of this package
// and the jobs tests on River's PostgreSQL driver run when
// $SFBRIDGE_TEST_POSTGRES holds the DSN of a server where the user may
// create databases; each test creates a database of its own and drops it.
// Without the variable they are skipped, except in CI (CI set), where they
// fail. As root on Debian, .ci/postgres installs PostgreSQL if needed,
// starts a throwaway cluster and prints its DSN:
//
//	export SFBRIDGE_TEST_POSTGRES=$(.ci/postgres)
//	go test ./internal/store/postgres/... ./internal/jobs/
//
// Decision record: docs/adr/0280-postgres-driver.md.
package postgres
