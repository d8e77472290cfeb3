// Package syncer is the sync engine. This part is the inbound direction:
// Salesforce records into sheets.
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
// sfbridge org connect), and fails a workflow whose field was deleted,
// naming the field.
//
// Decisions: docs/adr/0070-inbound-sync-cursor.md (cursor, reads,
// checkpoints), docs/adr/0071-jobs-seam-on-river.md (scheduling),
// docs/adr/0072-pause-resume-and-errors.md (limits, revocation, deleted
// fields), docs/adr/0073-formula-refresh.md (formula fields).
package syncer
