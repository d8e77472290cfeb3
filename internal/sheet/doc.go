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
//	_status      Sync Status    pending, synced, failed, conflict, removed, deleted
//	_error       Last Error     why the last send failed, or what to do about it
//	_written_by  Written By     sync (sfbridge) or user (anyone else)
//	_created_at  Created At     UTC, to the millisecond
//	_updated_at  Updated At
//	_sync_rev    (hidden)       changed by every write of the sync engine, and only by them
//
// A row inserted with direct SQL gets the defaults: pending, written by a
// user, timestamped now.
//
// # Local changes
//
// Every change of a row not made by the sync engine — through sfbridge
// (Origin user, DeleteAsUser), or with SQL from anywhere — is appended to the
// store's outbox by the table's triggers, in the transaction of the change:
// inserts, updates of user columns (the row becomes pending, written by a
// user), and deletes. A deleted row linked to a Salesforce record is kept,
// with status deleted and hidden from queries that name no status, until
// the delete reaches Salesforce. The sync engine's writes set _written_by to
// sync and change _sync_rev in the same statement, and are not captured, so
// what comes in never goes back out. With SQL:
//
//	UPDATE sheet_accounts SET phone = '+1 555 0100' WHERE _id = 42;  -- sent to Salesforce
//	UPDATE sheet_accounts SET _status = 'pending' WHERE _id = 42;    -- send the whole row again
//	DELETE FROM sheet_accounts WHERE _id = 42;                       -- deletes the record too
//	-- delete here only, as the sync engine does (changes nothing in Salesforce):
//	UPDATE sheet_accounts SET _status = 'deleted', _written_by = 'sync', _sync_rev = _sync_rev + 1 WHERE _id = 42;
//	DELETE FROM sheet_accounts WHERE _id = 42;
//
// Sheets made before change capture existed are rebuilt when the store
// opens (store.RegisterUpgrade).
//
// # Sending changes
//
// The outbound writer claims a sheet's pending changes ([Sheet.Claim]: one
// [Change] per row, its edits coalesced, with the row and what Salesforce
// must do), and settles each in the transaction that updates the row:
// [Sheet.Synced] (the record's ID written back, the create's journal entry
// closed, the link's last-synced values saved), [Sheet.Retry] (a transient
// failure, retried later), [Sheet.Fail] (a dead letter; the row failed, with
// advice). Dead letters are requeued or discarded with [Sheet.Requeue] and
// [Sheet.Discard]; creates left open by a crash are settled with
// [Sheet.Reconcile]. [Sheet.ChangedSince] tells the columns changed since a
// link's values, for the merge of a two-way sync.
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
// it ([ValueError], whose [ValueCode] says what is wrong as a stable code
// that other languages word: docs/adr/0315-sheet-value-codes-and-read-only-columns.md);
// a batch either fails whole or, with SkipInvalid, writes its valid rows and
// lists the others. On SQLite the table is STRICT and checks the temporal
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
// it in constant memory. [Sheet.Index] and [Sheet.KeyText] match rows by
// the values of a key column, as a CSV import does.
//
// Decision records: docs/adr/0043-sheets.md, docs/adr/0100-change-capture.md,
// docs/adr/0101-outbox.md, docs/adr/0102-links-journal-conflicts.md.
package sheet
