-- sfbridge's first schema. Timestamps are UTC, written by the driver as
-- "2006-01-02 15:04:05.999999999+00:00"; secrets are sealed by package secret.

CREATE TABLE users (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    login        TEXT NOT NULL CHECK (login <> ''),
    display_name TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_login ON users (lower(login));

-- An org is registered once by an admin: where to log in and with which
-- connected app. Its state and API usage are shared by every connection.
CREATE TABLE orgs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT NOT NULL CHECK (name <> ''),
    login_url        TEXT NOT NULL CHECK (login_url <> ''),
    client_id        TEXT NOT NULL CHECK (client_id <> ''),
    client_secret    BLOB,
    sf_org_id        TEXT NOT NULL DEFAULT '',
    instance_url     TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL DEFAULT 'connected'
                     CHECK (state IN ('connected', 'needs_reauth', 'paused_limit')),
    state_reason     TEXT NOT NULL DEFAULT '',
    poll_interval_ms INTEGER NOT NULL CHECK (poll_interval_ms > 0),
    api_used         INTEGER NOT NULL DEFAULT 0 CHECK (api_used >= 0),
    api_limit        INTEGER NOT NULL DEFAULT 0 CHECK (api_limit >= 0),
    api_seen_at      TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX orgs_name ON orgs (lower(name));

-- A connection is one user's Salesforce identity in an org, with its tokens.
CREATE TABLE connections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sf_user_id      TEXT NOT NULL DEFAULT '',
    sf_username     TEXT NOT NULL DEFAULT '',
    instance_url    TEXT NOT NULL DEFAULT '',
    access_token    BLOB,
    refresh_token   BLOB,
    state           TEXT NOT NULL DEFAULT 'connected'
                    CHECK (state IN ('connected', 'needs_reauth')),
    state_reason    TEXT NOT NULL DEFAULT '',
    token_issued_at TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (org_id, user_id)
);
CREATE INDEX connections_user ON connections (user_id);

-- A workflow's definition (its YAML document, versioned) and its state.
CREATE TABLE workflows (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL CHECK (name <> ''),
    org_id          INTEGER NOT NULL REFERENCES orgs (id) ON DELETE RESTRICT,
    owner_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    enabled         INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    version         INTEGER NOT NULL CHECK (version >= 1),
    document        TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'idle'
                    CHECK (status IN ('idle', 'running', 'failing', 'paused')),
    last_run_at     TIMESTAMP,
    last_success_at TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT '',
    synced_to       TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX workflows_name ON workflows (lower(name));
CREATE INDEX workflows_org ON workflows (org_id);
CREATE INDEX workflows_owner ON workflows (owner_id);

-- Every version of every workflow document, for history and rollback.
CREATE TABLE workflow_versions (
    workflow_id INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    document    TEXT NOT NULL,
    author_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (workflow_id, version)
);

-- Where each stream of a workflow resumes (a poll cursor, a CDC replay id):
-- opaque bytes, written in the transaction that writes the rows.
CREATE TABLE sync_checkpoints (
    workflow_id INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    stream      TEXT NOT NULL CHECK (stream <> ''),
    cursor      BLOB NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (workflow_id, stream)
);

-- The history of sync runs.
CREATE TABLE sync_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id   INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    direction     TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    status        TEXT NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at    TIMESTAMP NOT NULL,
    ended_at      TIMESTAMP,
    rows_read     INTEGER NOT NULL DEFAULT 0,
    rows_inserted INTEGER NOT NULL DEFAULT 0,
    rows_updated  INTEGER NOT NULL DEFAULT 0,
    rows_removed  INTEGER NOT NULL DEFAULT 0,
    rows_failed   INTEGER NOT NULL DEFAULT 0,
    api_calls     INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sync_runs_workflow ON sync_runs (workflow_id, id);

-- Sheets: local tables with typed columns. Each sheet's rows live in its own
-- table (table_name), created and altered by package sheet.
CREATE TABLE sheets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL CHECK (name <> ''),
    table_name TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sheets_name ON sheets (lower(name));

CREATE TABLE sheet_columns (
    sheet_id   INTEGER NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL CHECK (position >= 1),
    name       TEXT NOT NULL CHECK (name <> ''),
    ident      TEXT NOT NULL,
    type       TEXT NOT NULL,
    options    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options)),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (sheet_id, position),
    UNIQUE (sheet_id, ident)
);
CREATE UNIQUE INDEX sheet_columns_name ON sheet_columns (sheet_id, lower(name));
