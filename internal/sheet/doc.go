// Package sheet keeps local tables — sheets — with named, typed columns, the
// side of a workflow that lives in sfbridge. A sheet is a real SQL table in
// the store, so people may read and edit it with SQL as well as through
// sfbridge.
//
// # Tables and identifiers
//
// Column names are for people ("Account Name", "Numéro de téléphone") and
// never reach SQL as written. Each sheet gets a table named sheet_<slug> and
// each column an identifier <slug>: lowercase ASCII letters, digits and
// underscores, accents folded, at most 40 characters, made unique with a
// suffix (_2, _3 ...), prefixed with c_ when it would start with a digit or be
// empty. Identifiers are chosen once, when the column is added, and kept in
// the sheet_columns table beside the name; renaming a column would change the
// name only. Every identifier is also quoted when it is used.
//
// Every table has system columns, whose identifiers start with '_' (user
// columns never do) and whose names are reserved:
//
//	_id          Row ID         stable, increasing, never reused
//	_sfid        Salesforce ID  18 characters, unique in the sheet when set
//	_status      Sync Status    pending, synced, failed, conflict, removed
//	_error       Last Error     why the last send failed
//	_written_by  Written By     sync (sfbridge) or user (anyone else)
//	_created_at  Created At     UTC, to the millisecond
//	_updated_at  Updated At
//
// A row inserted with direct SQL gets the defaults: pending, written by a
// user, timestamped now. Telling sfbridge's writes from a person's direct
// UPDATE needs triggers, which the outbox adds (see the ADR).
//
// # Values
//
// Each type has one canonical stored form, which is also what reads return:
// text as is; numbers as float64, rounded to the column's scale when it has a
// precision; checkboxes as bool (never empty); dates as "2006-01-02",
// datetimes in UTC as "2006-01-02T15:04:05.000Z", times as "15:04:05.000";
// multi-picklists as "A;B" (a []string when read); addresses as JSON (an
// Address when read); references as an 18-character Salesforce ID or
// "#<row id>". Empty values are stored as NULL, as Salesforce does. Writes
// accept the forms a user or Salesforce gives (Salesforce's "+0000"
// datetimes, 15-character IDs, "yes"/"no" checkboxes ...) and report each
// value that does not fit with its row, column, what is wrong and how to fix
// it ([ValueError]); a batch either fails whole or, with SkipInvalid, writes
// its valid rows and lists the others. On SQLite the table is STRICT and checks the temporal
// and JSON forms, so direct SQL cannot store a value of the wrong type.
//
// # Writing and reading
//
// [Sheet.Upsert] writes batches keyed by Salesforce ID with one prepared
// statement in one transaction — the sync engine's path, thousands of rows
// at a time; [Sheet.Insert] and [Sheet.Update] write local rows. Every
// operation takes a store.Scope, so it joins the caller's transaction (rows
// and checkpoint together) or runs in its own. [Sheet.Rows] streams rows
// from one snapshot, and [Sheet.ExportCSV] and [Sheet.ExportJSON] build on
// it in constant memory.
//
// Decision record: docs/adr/0043-sheets.md.
package sheet
