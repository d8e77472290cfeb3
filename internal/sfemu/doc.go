// Package sfemu is a local Salesforce org served over Salesforce's own wire
// protocol, so that unmodified Salesforce clients (jsforce, Go clients, our
// internal/salesforce) work against it when pointed at its URL. An
// *Emulator is an http.Handler: tests mount it with httptest.NewServer,
// the CLI serves it.
//
// It serves:
//
//   - OAuth 2.0 under /services/oauth2/ and identity URLs under /id/
//     (package auth; the development connected app is sfbridge-dev /
//     sfbridge-dev-secret, callback http://127.0.0.1/callback on any port),
//   - REST under /services/data/ for API versions 31.0 to 66.0 (routes.go
//     has the table): versions and resources, describeGlobal, describe and
//     basic info (If-Modified-Since), record create/retrieve (?fields=)/
//     update/delete, get/upsert/delete by external ID (300 on several
//     matches), query and queryAll with nextRecordsUrl paging
//     (Sforce-Query-Options: batchSize), getUpdated/getDeleted, sObject
//     Collections (create, update, upsert, delete, retrieve by GET and
//     POST, allOrNone), composite (@{ref.path} references, allOrNone) and
//     composite batch, /limits, /search (SOSL) and /parameterizedSearch,
//     list views and their results, /recent,
//   - Bulk API 2.0 under /services/data/vXX.X/jobs/ (ingest since 41.0,
//     query since 47.0; package bulk),
//   - the admin API under /_emulator/.
//
// The Pub/Sub API is not served yet.
//
// Records, validation, sharing and users are the org package's
// (internal/sfemu/org); describes the schema package's; SOQL and SOSL the
// query package's; Bulk jobs the bulk package's. This package maps them
// onto the wire: status codes, headers and error bodies.
//
// Every REST and Bulk call needs "Authorization: Bearer <token>" (or the
// legacy "OAuth <token>"), spends one request of the daily API limit
// (reported in Sforce-Limit-Info), and may be hit by injected faults.
//
// # Bulk API 2.0
//
// Jobs run as the user whose session created them and move on the
// emulator's clock: a closed ingest job, or a new query job, stays
// InProgress for Options.BulkProcessingDelay (500ms by default), then the
// first call that looks at it processes it; shortly after each Bulk call,
// and when the admin API moves the clock, the emulator processes due jobs
// by itself, so an ingest job nobody polls still writes its records.
// Ingest jobs spend DailyBulkApiBatches (one per 10,000 records), query jobs
// DailyBulkV2QueryJobs; /limits reports both. hardDelete moves records to
// the recycle bin (the org has no hard delete). Jobs live in memory: an
// admin reset or a restart forgets them, even with a data file.
//
// # Admin API
//
// JSON in and out; errors are {"error": "admin.<code>", "message": "..."}.
// Callers on loopback need nothing; others send the admin token
// (Options.AdminToken, random unless set, printed by the CLI at start) as
// "X-Emulator-Admin-Token: <token>" or "Authorization: Bearer <token>".
//
//	GET    /_emulator/state            org ID, clock, API usage, records per object, tokens, faults
//	POST   /_emulator/records/{object} insert a JSON array of records as the system user, all or
//	                                   nothing, without counting API requests -> {"ids": [...]}
//	POST   /_emulator/undelete         {"ids": ["001..."]}: restore records (and what their delete
//	                                   cascaded to) from the recycle bin; REST has no undelete
//	POST   /_emulator/schema[?name=f]  add a schema file's custom objects and fields (YAML body)
//	POST   /_emulator/reset            {"seed": "demo"|"empty"}: a fresh org; tokens die, apps stay
//	POST   /_emulator/save             write the data file now (needs Options.DataFile)
//	GET    /_emulator/limits           {"dailyApiRequests": 15000, "used": 12, "dailyBulkApiBatches": 15000,
//	                                   "bulkApiBatchesUsed": 0, "dailyBulkV2QueryJobs": 10000, "bulkV2QueryJobsUsed": 0}
//	PUT    /_emulator/limits           set any of dailyApiRequests, used, dailyBulkApiBatches, dailyBulkV2QueryJobs
//	GET    /_emulator/faults           the fault plan and how often each fault fired
//	PUT    /_emulator/faults           install a plan: {"seed": 1, "faults": [{"kind": "unavailable",
//	                                   "rate": 0.2, "path": "/services/data/*/query", "limit": 3}]}
//	DELETE /_emulator/faults           clear every fault
//	POST   /_emulator/revoke           {"userId": "005..."} or {"token": "..."}; {} revokes everything
//	POST   /_emulator/sessions/expire  {"accessToken": "..."}; {} expires every session (refresh tokens stay)
//	GET    /_emulator/clock            {"now": "..."}
//	POST   /_emulator/clock            {"advance": "25h"} or {"set": "2026-03-01T09:00:00Z"}; due
//	                                   Bulk jobs are then processed
//	GET    /_emulator/apps             the connected apps
//	POST   /_emulator/apps             register a connected app (see auth.ConnectedApp for the keys)
//	POST   /_emulator/login            {"username": "...", "consumerKey": "..."} -> an access token
//
// Fault kinds: unavailable (503 SERVER_UNAVAILABLE), unknownException (500
// UNKNOWN_EXCEPTION), lockRow (UNABLE_TO_LOCK_ROW on DML), latency (with
// "latency": "250ms"), drop (the connection is closed without a response),
// expireSession (401 INVALID_SESSION_ID; the session is really gone, its
// refresh token still works). The same seed and the same sequence of
// requests give the same failures.
//
// # Data file
//
// With Options.DataFile the emulator starts from that file when it exists
// and Save (or POST /_emulator/save) writes it: a zip archive holding the
// org snapshot and the OAuth state (connected apps, refresh tokens), so
// connections survive a restart; access tokens do not, and clients refresh
// as after a session timeout.
//
// Decisions: docs/adr/0030-emulator-oauth-server.md,
// docs/adr/0031-emulator-http-front.md, docs/adr/0032-emulator-data-file-and-reset.md,
// docs/adr/0131-bulk-api-in-the-front.md.
package sfemu
