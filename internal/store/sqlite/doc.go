// Package sqlite is the store driver for SQLite, sfbridge's embedded default:
// one file under the data directory, through modernc.org/sqlite (pure Go, no
// cgo).
//
// The database runs in WAL mode, so readers never block the writer nor the
// writer readers. The driver keeps one write connection, whose transactions
// begin with BEGIN IMMEDIATE (they take the write lock up front instead of
// failing on their first write), and a separate pool of read connections set
// to query_only. busy_timeout makes a connection wait for a lock held by
// another process before reporting store.ErrBusy. synchronous=NORMAL is
// durable across process crashes; a power loss may lose the last
// transactions, whole, never half of one. recursive_triggers is off, as the
// dialect's triggers require (docs/adr/0100-change-capture.md).
//
// Timestamps of the system tables are written as
// "2006-01-02 15:04:05.999999999+00:00" (always UTC, so they sort as text)
// into columns declared TIMESTAMP, which the driver reads back as time.Time.
//
// Decision record: docs/adr/0041-sqlite-driver.md.
package sqlite
