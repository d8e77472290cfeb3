-- Who may do what, and the record of what they did
-- (docs/adr/0120-access-model.md, docs/adr/0180-access-store.md).

-- A password is stored as its argon2id hash in PHC format (package access);
-- empty for a user who cannot sign in with a password.
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT ''
    CHECK (password_hash = '' OR password_hash LIKE '$argon2id$%');

-- The roles each user holds (none is a valid set).
CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('system_admin', 'connector_admin', 'connector_user')),
    PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles (role, user_id);

-- Signed-in browsers. Only the SHA-256 of the cookie's secret is kept.
CREATE TABLE sessions (
    hash       TEXT PRIMARY KEY CHECK (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id, expires_at);

-- Personal API tokens. Only the SHA-256 of the secret is kept, with its last
-- characters (hint) so people recognise it. expires_at NULL: never.
CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY CHECK (id <> ''),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL DEFAULT '',
    hash       TEXT NOT NULL UNIQUE CHECK (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'),
    hint       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

-- Server-wide access settings: one row. Writers that must not interleave
-- (first-run setup, the last system admin, the restricted list) update it
-- first, which serialises them on every engine.
CREATE TABLE access_settings (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    restricted_on INTEGER NOT NULL DEFAULT 0 CHECK (restricted_on IN (0, 1)),
    updated_at    TIMESTAMP
);
INSERT INTO access_settings (id) VALUES (1);

-- The restricted-access list: who may author workflows while it is on.
CREATE TABLE restricted_members (
    user_id  INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    added_at TIMESTAMP NOT NULL
);

-- Who did what, when, with the state before and after as JSON documents
-- (NULL when there is none). Append-only: the triggers refuse changes.
-- actor_id 0 is sfbridge itself (first-run setup); no foreign key, so the
-- record outlives the people in it.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id INTEGER NOT NULL CHECK (actor_id >= 0),
    action   TEXT NOT NULL CHECK (action <> ''),
    subject  TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT '',
    before   TEXT CHECK (before IS NULL OR json_valid(before)),
    after    TEXT CHECK (after IS NULL OR json_valid(after)),
    at       TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
