-- A browser login to Salesforce (the OAuth web-server flow with PKCE) that
-- a person started in the console and Salesforce has not yet sent back
-- (docs/adr/0290-connecting-from-the-console.md). The callback carries the
-- state, whose SHA-256 (hex) is state_hash; the row says who started the
-- login, for which org, the PKCE verifier (sealed, context
-- oauth_logins.verifier) and the redirect URI the code is exchanged with.
-- The callback takes (deletes) its row; rows past expires_at are deleted
-- whenever a login starts.
CREATE TABLE oauth_logins (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    state_hash   TEXT NOT NULL UNIQUE CHECK (state_hash <> ''),
    org_id       INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    verifier     BLOB NOT NULL,
    redirect_url TEXT NOT NULL CHECK (redirect_url <> ''),
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX oauth_logins_expiry ON oauth_logins (expires_at);
