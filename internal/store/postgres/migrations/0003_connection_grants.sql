-- What renews a connection's session without a person
-- (docs/adr/0170-connections-that-renew-themselves.md).
-- grant_type: none (nothing: someone logs in again when the session ends),
-- refresh_token (the web flow's refresh token, in refresh_token),
-- jwt_bearer (the PEM private key in grant_secret, acting as sf_username),
-- client_credentials (the org's connected app secret alone),
-- password (the password and security token in grant_secret; development only).
-- grant_secret is sealed (context connections.grant_secret), NULL when empty.
-- jwt_audience is the JWT aud claim; empty follows the org's login URL.
ALTER TABLE connections ADD COLUMN grant_type TEXT NOT NULL DEFAULT 'none'
    CHECK (grant_type IN ('none', 'refresh_token', 'jwt_bearer', 'client_credentials', 'password'));
ALTER TABLE connections ADD COLUMN grant_secret BYTEA;
ALTER TABLE connections ADD COLUMN jwt_audience TEXT NOT NULL DEFAULT '';

-- Connections made before this migration renew with their refresh token if
-- they have one; the others (jwt and password logins) need one more login.
UPDATE connections SET grant_type = 'refresh_token' WHERE refresh_token IS NOT NULL;
