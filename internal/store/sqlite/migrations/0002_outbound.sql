-- Local changes and what the outbound and two-way sync keep about them
-- (docs/adr/0100-change-capture.md, 0101-outbox.md, 0102-links-journal-conflicts.md).
-- Timestamps are UTC; those written by triggers are "2006-01-02T15:04:05.000Z".

-- Which version of the change-capture triggers each sheet's table has. Sheets
-- created before this migration are at 0: package sheet rebuilds their table
-- when the store opens (store.RegisterUpgrade).
ALTER TABLE sheets ADD COLUMN capture_version INTEGER NOT NULL DEFAULT 0;

-- Every change of a sheet row by someone other than the sync engine, appended
-- by the sheet table's triggers in the transaction of the change. seq only
-- grows. An entry is claimed by a writer until claimed_until; a transient
-- failure puts it back with not_before; done entries are deleted.
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    sheet_id        INTEGER NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    row_id          INTEGER NOT NULL,
    op              TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    columns         TEXT NOT NULL DEFAULT '',     -- column identifiers, comma-separated
    written_by      TEXT NOT NULL DEFAULT 'sql' CHECK (written_by <> ''),
    created_at      TIMESTAMP NOT NULL,
    claim           INTEGER,
    claimed_until   TIMESTAMP,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    not_before      TIMESTAMP,
    first_failed_at TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_sheet ON outbox (sheet_id, seq);
CREATE INDEX outbox_row ON outbox (sheet_id, row_id, seq);
CREATE INDEX outbox_claim ON outbox (claim) WHERE claim IS NOT NULL;

-- A row linked to a Salesforce record by a workflow, with what both sides
-- held when they were last in step: the base of a three-way merge.
CREATE TABLE sync_links (
    workflow_id INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    row_id      INTEGER NOT NULL,
    sheet_id    INTEGER NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    sfid        TEXT NOT NULL CHECK (length(sfid) = 18),
    record      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(record)),
    modstamp    TIMESTAMP,
    row_values  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(row_values)),
    synced_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (workflow_id, row_id),
    UNIQUE (workflow_id, sfid)
);
CREATE INDEX sync_links_row ON sync_links (sheet_id, row_id);

-- Creates sent, or about to be sent, to Salesforce: opened before the call,
-- closed with the record's ID in the transaction that writes it back. Open
-- entries after a crash are creates whose outcome is unknown.
CREATE TABLE create_journal (
    key         TEXT PRIMARY KEY CHECK (key <> ''),
    workflow_id INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    sheet_id    INTEGER NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    row_id      INTEGER NOT NULL,
    opened_at   TIMESTAMP NOT NULL,
    closed_at   TIMESTAMP,
    sfid        TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX create_journal_open ON create_journal (sheet_id, row_id, workflow_id) WHERE closed_at IS NULL;

-- Fields changed on both sides since the last sync, and how each was settled.
CREATE TABLE sync_conflicts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id      INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    sheet_id         INTEGER NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    row_id           INTEGER NOT NULL,
    sfid             TEXT NOT NULL DEFAULT '',
    field            TEXT NOT NULL CHECK (field <> ''),
    column_name      TEXT NOT NULL DEFAULT '',
    sheet_value      TEXT NOT NULL DEFAULT 'null' CHECK (json_valid(sheet_value)),
    salesforce_value TEXT NOT NULL DEFAULT 'null' CHECK (json_valid(salesforce_value)),
    base_value       TEXT NOT NULL DEFAULT 'null' CHECK (json_valid(base_value)),
    policy           TEXT NOT NULL CHECK (policy IN ('salesforce_wins', 'sheet_wins', 'newest_wins', 'manual')),
    resolution       TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'sheet', 'salesforce', 'value')),
    resolved_value   TEXT NOT NULL DEFAULT 'null' CHECK (json_valid(resolved_value)),
    resolved_by      TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    resolved_at      TIMESTAMP
);
CREATE INDEX sync_conflicts_workflow ON sync_conflicts (workflow_id, id);
CREATE INDEX sync_conflicts_row ON sync_conflicts (sheet_id, row_id);

-- Changes Salesforce refused for good, one per workflow and row, kept until
-- someone requeues or discards them.
CREATE TABLE dead_letters (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id     INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    sheet_id        INTEGER NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    row_id          INTEGER NOT NULL,
    sfid            TEXT NOT NULL DEFAULT '',
    op              TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    columns         TEXT NOT NULL DEFAULT '',
    error_code      TEXT NOT NULL DEFAULT '',
    error_message   TEXT NOT NULL DEFAULT '',
    error_fields    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(error_fields)),
    advice          TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL CHECK (attempts >= 1),
    first_failed_at TIMESTAMP NOT NULL,
    last_failed_at  TIMESTAMP NOT NULL,
    UNIQUE (workflow_id, sheet_id, row_id)
);
CREATE INDEX dead_letters_sheet ON dead_letters (sheet_id, row_id);
