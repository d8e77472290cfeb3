// Package syncer is the sync engine: Salesforce records into sheets
// (inbound), sheet changes into Salesforce (outbound), and both at once.
//
// # Engine
//
// An Engine runs one workflow at a time from its Plan (what to read, how to
// tell whether a record belongs, how to map it), into a Sink (the sheet),
// through a Reader (the REST query API; a Bulk API 2.0 reader fits the same
// seam):
//
//   - the initial load reads the records that meet the conditions, in
//     (SystemModstamp, Id) order, reporting progress against the total
//     Salesforce announces;
//   - then each poll reads, with queryAll, every record changed since the
//     cursor — deleted ones, and ones that no longer meet the conditions,
//     which are evaluated in Go — and upserts, removes or marks rows;
//   - lookback sweeps catch records committed after later ones were read;
//   - formula fields, which change without SystemModstamp moving, are
//     re-read on a schedule (Refresh).
//
// Every page of records is written in one store transaction with the
// checkpoint that covers it: a run stopped anywhere resumes where it
// stopped, and nothing is lost or applied twice.
//
// # Service
//
// A Service schedules each org's poll on a jobs.Scheduler at the org's
// polling interval, runs a workflow on demand, records every run and its
// outcome on the workflow, and pauses an org at its API limit (resuming by
// itself), when its connection is revoked (until it is reconnected with
// sfbridge org connect, or Reconnect in the console: Link resumes the org
// as soon as its last refused connection is saved again), and fails a
// workflow whose field was deleted, naming the field.
//
// # Outbound
//
// A Writer drains a sheet's outbox for one workflow (its Outbound plan):
// 200 rows a claim, one sObject Collections call per kind of change
// (create, upsert by External ID, update by ID or key column, delete),
// allOrNone off, each result settling its own row — synced with the new
// ID written back, retried with backoff when transient, a dead letter with
// Salesforce's error and a sentence of advice when permanent. Creates are
// journaled before they are sent and reconciled after a crash, so a lost
// answer never makes a second record. A Sender runs every outbound
// workflow's Writer, woken by the outbox (Store.WaitOutbox).
//
// # Both ways
//
// On a two-way workflow the SheetSink's Merge keeps each row's link (the
// values both sides held when last in step) and merges a record into a row
// edited here field by field: one side's change is taken, the echo of our
// own write changes nothing, and a field changed on both sides is settled
// by the workflow's policy (salesforce_wins, sheet_wins, newest_wins) or
// held as an open conflict (manual) until ResolveConflict. Verify compares
// a sheet with Salesforce and lists every difference.
//
// Decisions: docs/adr/0070-inbound-sync-cursor.md (cursor, reads,
// checkpoints), docs/adr/0071-jobs-seam-on-river.md (scheduling),
// docs/adr/0072-pause-resume-and-errors.md (limits, revocation, deleted
// fields), docs/adr/0073-formula-refresh.md (formula fields),
// docs/adr/0160-outbound-writer.md (outbound writer, idempotent creates),
// docs/adr/0161-two-way-merge.md (merge and conflicts),
// docs/adr/0162-verify.md (verify),
// docs/adr/0340-one-path-from-a-login-to-a-connection.md (Link: a login
// becomes a stored connection), docs/adr/0341-reconnecting-resumes-the-org-at-once.md
// (Resume), docs/adr/0330-api-budget-and-notifications.md (Watcher: the
// API budget and the notifications),
// docs/adr/0345-refused-connections-recorded-where-clients-are-built.md
// (StoreConnector records a refused connection, whoever's call met it).
package syncer
