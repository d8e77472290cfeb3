-- API budgets, usage history and notifications
-- (docs/adr/0330-api-budget-and-notifications.md).

-- One row per org that has budget settings; an org without one uses the
-- defaults (the whole daily limit, warnings at 75 and 90 %). share_pct is
-- the share of the org's daily API limit sfbridge may use; thresholds is a
-- JSON array of percentages of that share, ascending. webhook_url is sealed
-- (it may carry a token), NULL when there is none.
CREATE TABLE org_budgets (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL UNIQUE REFERENCES orgs (id) ON DELETE CASCADE,
    share_pct   INTEGER NOT NULL CHECK (share_pct BETWEEN 1 AND 100),
    thresholds  TEXT NOT NULL CHECK (json_valid(thresholds)),
    webhook_url BLOB,
    updated_at  TIMESTAMP NOT NULL
);

-- The org's API usage, one row per org per hour (the hour's start, UTC):
-- the last used/limit Salesforce reported in that hour, and the API calls
-- sfbridge itself made in it. Rows older than the retention are deleted as
-- new ones are written.
CREATE TABLE api_usage_samples (
    org_id    INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    hour      TIMESTAMP NOT NULL,
    used      INTEGER NOT NULL CHECK (used >= 0),
    api_limit INTEGER NOT NULL CHECK (api_limit >= 0),
    calls     INTEGER NOT NULL CHECK (calls >= 0),
    seen_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, hour)
);

-- Notifications for one person (user_id), for the admins (admins = 1), or
-- both, kept 90 days. dedup, when set, makes a notification once-only per org (a
-- threshold crossed on one day). webhook_status follows the delivery to
-- the org's webhook: none (no webhook), pending, sent, failed.
CREATE TABLE notifications (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER REFERENCES users (id) ON DELETE CASCADE,
    admins         INTEGER NOT NULL CHECK (admins IN (0, 1)),
    org_id         INTEGER REFERENCES orgs (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('threshold', 'paused', 'resumed', 'needs_reauth')),
    dedup          TEXT,
    message        TEXT NOT NULL CHECK (message <> ''),
    link           TEXT NOT NULL,
    data           TEXT NOT NULL CHECK (json_valid(data)),
    webhook_status TEXT NOT NULL CHECK (webhook_status IN ('none', 'pending', 'sent', 'failed')),
    webhook_error  TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    CHECK (user_id IS NOT NULL OR admins = 1),
    UNIQUE (org_id, dedup)
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_admins ON notifications (admins, id);
CREATE INDEX notifications_created ON notifications (created_at);

-- Who read which notification (a notification for the admins is read by
-- each of them on their own).
CREATE TABLE notification_reads (
    notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (notification_id, user_id)
);
