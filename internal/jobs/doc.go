// Package jobs runs background tasks: periodically (each org's poll) or
// once, on demand (a workflow's "run now"). It is a seam: the Scheduler
// interface is what the sync engine and the server see; River
// (github.com/riverqueue/river) implements it, on SQLite today and on
// PostgreSQL when the Postgres store lands, and any implementation must pass
// the conformance suite in package jobstest.
//
// A Task is a Kind, which picks the Handler, and a Key, which says what the
// task is about. At most one copy of a task is waiting or running at any
// time, across every process sharing the job database; tasks are not
// retried, since their handlers record failures where users look for them
// and periodic tasks run again at their next tick.
//
// See docs/adr/0071-jobs-seam-on-river.md.
package jobs
