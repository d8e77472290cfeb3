-- Activity logging, list view choices, and who may use them
-- (docs/adr/0250-activity-and-search-through-the-api.md).

-- One row per logged (or attempted) activity, keyed by its idempotency key.
-- entry is the whole activity.Entry as JSON; the columns beside it are what
-- lists filter and sort on. org_id and sf_user_id are Salesforce ids.
CREATE TABLE activities (
    key        TEXT PRIMARY KEY CHECK (key <> '' AND length(key) <= 255),
    org_id     TEXT NOT NULL,
    sf_user_id TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'logged', 'failed')),
    entry      TEXT NOT NULL CHECK (entry::json IS NOT NULL),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX activities_status ON activities (status, created_at, key);

-- The list views each Salesforce user enabled per object: a JSON array of
-- one or two list view ids. user_key is the search package's user key
-- (Salesforce org id / user id).
CREATE TABLE listview_choices (
    user_key   TEXT NOT NULL CHECK (user_key <> ''),
    object     TEXT NOT NULL CHECK (object <> ''),
    view_ids   TEXT NOT NULL CHECK (view_ids::json IS NOT NULL),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_key, object)
);

-- Who may use a feature: everyone, or only the people in feature_members.
CREATE TABLE feature_settings (
    feature    TEXT PRIMARY KEY CHECK (feature IN ('activity', 'search')),
    everyone   BIGINT NOT NULL DEFAULT 1 CHECK (everyone IN (0, 1)),
    updated_at TIMESTAMPTZ
);
INSERT INTO feature_settings (feature) VALUES ('activity'), ('search');

CREATE TABLE feature_members (
    feature TEXT NOT NULL REFERENCES feature_settings (feature),
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (feature, user_id)
);
CREATE INDEX feature_members_user ON feature_members (user_id);
