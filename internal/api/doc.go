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
// everyone, or chosen people), kept by a [FeatureStore] and checked by
// access.Decide (access.feature_not_granted).
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
// docs/adr/0250-activity-and-search-through-the-api.md.
package api
