// Package store is sfbridge's storage seam: the interface every database
// driver implements ([Driver], with its [Dialect]), the transactions code
// runs in ([Store.Write], [Store.Read], [Tx]) and the repositories of what
// sfbridge keeps: users, orgs and their connections (with secrets sealed by
// package secret; a connection's [Grant] is what renews its session without
// a person), workflows with their versions and state, sync
// checkpoints, and sync runs. Sheets — the local tables — live in package
// sheet, on the same transactions.
//
// # Access
//
// [Users] hold their roles (access.Roles) and argon2id password hashes;
// [Users.CreateFirst] creates the first user atomically and [Users.SetRoles]
// never takes the system admin role from the last person holding it.
// [Sessions] and [Tokens] store only SHA-256 hashes of their secrets, which
// the schema checks too. [Restricted] is the restricted-access list: turning
// it on adds every workflow owner, removing someone disables their workflows,
// each with its [Audit] entries in the same transaction. The audit log is
// append-only and read a page at a time ([Audit.List]).
//
// # Outbound and two-way sync
//
// The [Outbox] holds every captured change of a sheet row (the sheet's
// triggers append them); the outbound writer claims them coalesced per row
// ([Outbox.Claim]), then completes, retries or buries each change. Buried
// changes are [DeadLetters], requeued or discarded by people. [Links] keep,
// per workflow and row, the record's ID and what both sides held when last
// in step — the base of a three-way merge. The create [Journal] makes
// creates safe across crashes. [Conflicts] record fields changed on both
// sides and how they were settled. [Store.WaitOutbox] wakes the writer: at
// once after a commit that appended through sfbridge ([Tx.SignalOutbox]),
// and by polling [Outbox.MaxSeq] for direct SQL.
//
// # Drivers
//
// store/sqlite is the embedded default; a PostgreSQL driver (pgx through
// database/sql) fits the same interface. A driver owns its connections, its
// migrations (embedded NNNN_slug.sql files, applied by [Open] in one
// transaction and checked against what is already applied), and maps its
// native errors onto this package's sentinels ([ErrNotFound], [ErrConflict],
// [ErrConstraint], [ErrBusy], [ErrReadOnly]). Package storetest is the
// conformance suite every driver runs.
//
// # Portable SQL
//
// Code above the driver writes one SQL for every engine: placeholders are
// $1, $2 ... (SQLite and PostgreSQL both accept them); upserts are INSERT ...
// ON CONFLICT (...) DO UPDATE; RETURNING, IS DISTINCT FROM and lower() are
// shared; identifiers are quoted with [QuoteIdent]. What differs — column
// types, checks, table options, case-insensitive matching — comes from the
// driver's [Dialect], never from a test of which engine is in use.
//
// # Transactions
//
// A [Scope] runs functions in a transaction: a *Store opens one per call, a
// *Tx runs the function inside itself. Repositories and package sheet take a
// Scope, so the sync engine writes a batch of rows and moves its checkpoint
// in one transaction:
//
//	err := st.Write(ctx, func(tx *store.Tx) error {
//		if _, err := sh.Upsert(ctx, tx, batch); err != nil {
//			return err
//		}
//		return tx.Checkpoints().Save(ctx, wf.ID, "inbound", cursor)
//	})
//
// # Upgrades
//
// Tables created at run time (sheets) cannot be changed by SQL migrations;
// a package registers a Go upgrade ([RegisterUpgrade]) that [Open] runs in
// the migration transaction.
//
// Decision records: docs/adr/0040-storage-seam.md,
// docs/adr/0041-sqlite-driver.md, docs/adr/0042-schema-migrations.md,
// docs/adr/0100-change-capture.md, docs/adr/0101-outbox.md,
// docs/adr/0102-links-journal-conflicts.md,
// docs/adr/0170-connections-that-renew-themselves.md,
// docs/adr/0180-access-store.md,
// docs/adr/0250-activity-and-search-through-the-api.md (activities, list
// view choices, feature settings),
// docs/adr/0325-features-granted-to-roles.md (feature settings' roles),
// docs/adr/0330-api-budget-and-notifications.md (budgets, usage samples,
// notifications).
package store
