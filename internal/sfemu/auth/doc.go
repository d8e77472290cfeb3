// Package auth is the emulator's OAuth 2.0 authorization server, shaped
// like Salesforce's: connected apps (consumer key and secret, callback
// URLs, scopes), the web-server flow with a login page, consent and PKCE,
// the refresh-token, username-password, client-credentials and JWT bearer
// grants, token revocation, userinfo and identity URLs.
//
// A Server serves /services/oauth2/* and /id/*; the REST front calls
// Authenticate on every request to turn "Authorization: Bearer <token>"
// into a Session. Access tokens look like Salesforce's (the 15-character
// org ID, "!", an opaque part), carry no expires_in, and die after
// Config.SessionTimeout without use, measured on the emulator's clock.
// Refresh tokens are never rotated and are stored only as SHA-256 hashes.
//
// Users come from a Directory, which the emulator adapts from the org
// package, so this package knows nothing of how users are stored.
//
// Save and Load keep connected apps, refresh tokens and approvals across a
// restart; access tokens do not survive one, so clients refresh, exactly as
// they must after a real session timeout.
//
// Decisions: docs/adr/0030-emulator-oauth-server.md.
package auth
