-- Features granted to roles: who may log activities and who may search is
-- everyone, or the chosen people (feature_members) and the holders of the
-- chosen roles (docs/adr/0325-features-granted-to-roles.md).
CREATE TABLE feature_roles (
    feature TEXT NOT NULL REFERENCES feature_settings (feature),
    role    TEXT NOT NULL CHECK (role IN ('system_admin', 'connector_admin', 'connector_user')),
    PRIMARY KEY (feature, role)
);
