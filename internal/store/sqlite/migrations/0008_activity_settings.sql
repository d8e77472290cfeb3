-- The admin's activity logging settings, and one user's activities listed
-- in SQL (docs/adr/0320-activity-settings-in-the-store.md).

-- One row at most: the settings as JSON (recipient scope, Type mapping,
-- closed status, related custom objects, last re-sync). No row means the
-- defaults.
CREATE TABLE activity_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    settings   TEXT NOT NULL CHECK (json_valid(settings)),
    updated_at TIMESTAMP NOT NULL
);

-- GET /api/v1/activities lists one Salesforce user's entries, newest first.
CREATE INDEX activities_user ON activities (org_id, sf_user_id, created_at, key);
