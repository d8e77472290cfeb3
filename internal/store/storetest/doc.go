// Package storetest is the conformance suite of the store seam. Every
// store.Driver runs it from its tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Exercise(t, func(t *testing.T) store.Driver { ... })
//	}
//
// The SQLite driver runs it on every go test. The PostgreSQL driver will run
// it when SFBRIDGE_TEST_POSTGRES holds a connection string (always in CI),
// each newDriver call on a fresh schema. The suite pins what code above the
// seam relies on: migrations (applied once, atomically, checked), write and
// read transactions (rollback, snapshot, read-only), the mapping of native
// errors onto the store's sentinels, the dialect's fragments and triggers,
// and every repository — the outbox (claims, coalescing, leases, retries,
// the wake-up signal and poll), dead letters, links, the create journal and
// conflicts included. A change to the seam extends this suite, never one driver's
// tests; only what is inherently engine-specific (SQLite's busy lock) is
// pinned in the driver's own tests.
//
// Decision records: docs/adr/0040-storage-seam.md, docs/adr/0100-change-capture.md,
// docs/adr/0101-outbox.md, docs/adr/0102-links-journal-conflicts.md.
package storetest
