// Package api is sfbridge's HTTP JSON API, /api/v1, with the operational
// endpoints /healthz, /readyz and /metrics. [New] returns a [Server], an
// http.Handler.
//
// # Routes and access
//
// Every route is one entry of a route table, built only through guarded (an
// access.Action checked with access.Decide before the handler runs) or
// public (login, first-run setup, health, the API description). A route
// cannot be written without one or the other, an action without a rule makes
// New panic, and a test pins the list of public routes. Handlers whose rule
// depends on the request body (which roles change) check further actions
// with access.Decide as well. The same table builds the ServeMux and the
// OpenAPI 3.1 document served at /api/v1/openapi.json ([Server.OpenAPI]).
//
// # Errors
//
// Every error answers {"code", "message", "details"} ([Error]). Codes are
// registered once, with their HTTP status ([Code.Status], [Codes]); the
// access.* codes are the reasons of package access, all 403.
//
// # Authentication
//
// A request is authenticated by "Authorization: Bearer sfbp_…" (a personal
// API token) or else by the session cookie (Secure, HttpOnly,
// SameSite=Lax). Requests without an Authorization header, including login
// and setup, pass http.CrossOriginProtection, so a cookie-authenticated
// change from another site is refused (auth.cross_origin). Tokens act with
// their owner's current roles. Passwords are argon2id hashes; sessions and
// tokens are 256-bit secrets stored as SHA-256 hashes (package access).
// POST /api/v1/setup creates the first system admin only while no user
// exists.
//
// # Salesforce, as the signed-in person
//
// Activity logging (/api/v1/activities, /recipients), search (/search) and
// list views (/listviews) act with the caller's own Salesforce connection,
// which [Options.Connections] supplies ([StoreConnections] in `sfbridge
// serve`), so Salesforce's sharing and field permissions apply. A person
// with no linked identity gets salesforce.not_connected. Who may use them is
// an admin setting per feature (/api/v1/settings/activity, /settings/search:
// everyone, or chosen people and roles,
// docs/adr/0325-features-granted-to-roles.md), kept by a [FeatureStore] and
// checked by access.Decide (access.feature_not_granted); [Me] lists the features
// granted. How activities are logged (recipient scope, Task Type mapping,
// related objects) is another admin setting,
// /api/v1/settings/activity-logging (and .../resync), kept by an
// [ActivitySettingsStore], checked against the org through the admin's
// connection and read by the activity service at every log
// (docs/adr/0320-activity-settings-in-the-store.md).
//
// # Orgs, connections and the audit log
//
// Admins register Salesforce orgs (/api/v1/orgs: login host, connected app,
// polling frequency); the consumer secret is write-only. Each person links
// their own Salesforce identity with the OAuth web-server flow with PKCE:
// POST /orgs/{id}/connect gives the login URL, and the console's
// [CallbackPath] finishes it through POST /oauth/callback. Pending logins
// are kept by an [OrgStore], checked once and for ten minutes. Admins read
// the audit log at /api/v1/audit (newest first, paged, by actor and action),
// through an [AuditReader].
//
// # Storage and metrics
//
// The API keeps nothing itself: it reads and writes through [Store], whose
// contract (including which changes are atomic) is documented there and
// checked by the conformance suite in package apitest. [NewStore] is the
// server's Store, on package store; the tests run on it over SQLite. /metrics
// serves Prometheus metrics: HTTP requests, Go runtime and process, and the
// sync numbers a [StatsSource] reports on each scrape; packages with their
// own collectors register them on [Server.Metrics].
//
// Decision records: docs/adr/0120-access-model.md,
// docs/adr/0121-api-foundation.md, docs/adr/0181-api-store-adapter.md,
// docs/adr/0250-activity-and-search-through-the-api.md,
// docs/adr/0290-connecting-from-the-console.md,
// docs/adr/0291-first-run-setup-adopts-cli-users.md,
// docs/adr/0292-polling-frequency-bounds.md,
// docs/adr/0310-sheet-access-through-its-workflows.md (who sees and edits a
// sheet), docs/adr/0311-sheet-csv-import.md (CSV export and import),
// docs/adr/0330-api-budget-and-notifications.md (org budgets, usage,
// notifications), docs/adr/0315-sheet-value-codes-and-read-only-columns.md
// (refused values by code, read-only system columns).
package api
