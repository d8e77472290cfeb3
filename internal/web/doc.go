// Package web is sfbridge's console: server-rendered pages (html/template)
// with a little JavaScript of our own, charts drawn as SVG on the server, and
// every file embedded in the binary. [New] returns its http.Handler, which
// also serves the JSON API it is given at /api/, /healthz, /readyz and
// /metrics.
//
// # One set of rules
//
// The console is an in-process client of /api/v1: signing in and out,
// first-run setup, roles, the restricted-access list and API tokens are
// requests to the API handler, carrying the browser's cookie, so sessions,
// validation, access checks and the audit log have one implementation.
// Every page is also guarded by an access.Action decided with access.Decide
// before it renders, and the same decisions choose which links and controls
// a person sees (the API decides again when they use them). Forms are plain
// HTML forms, protected from cross-site posts by http.CrossOriginProtection,
// here and again in the API.
//
// # Languages
//
// Every visible string comes from a message catalogue, i18n/<lang>.json
// (English and French today): a third language is a new file. The language
// is the one chosen with the switch (a cookie), else the best match of the
// browser's Accept-Language, else English. New refuses catalogues whose keys
// or format verbs differ from English's, and a test fails when a key the
// templates or the code use is missing from a language.
//
// # Tests
//
// Handler tests drive the console and the API over a real SQLite store,
// golden files pin pages and charts (go test -update), and browser tests
// drive Debian's chromium with chromedp (skipped when it is missing, failed
// in CI). The screenshots in docs/screenshots are regenerated with
//
//	go test ./internal/web -run Screenshots -update-screenshots
//
// Decision records: docs/adr/0200-console-as-an-api-client.md,
// docs/adr/0201-console-languages.md, docs/adr/0202-console-browser-tests.md,
// docs/adr/0290-connecting-from-the-console.md (the orgs pages and the
// OAuth callback), docs/adr/0310-sheet-access-through-its-workflows.md (the
// sheet pages: a grid whose cells are edited in place through the API, with
// a form for each cell when JavaScript is off;
// docs/adr/0315-sheet-value-codes-and-read-only-columns.md: refused values
// and refused changes worded by code, read-only system columns),
// docs/adr/0320-activity-settings-in-the-store.md (the activities, search,
// list views and settings pages),
// docs/adr/0330-api-budget-and-notifications.md (the usage page, the
// notifications page and the header's unread badge).
package web
