// Package search finds Salesforce records and reads list views for a user,
// with their own connection so that Salesforce's sharing and field-level
// security decide what they see.
//
// Service.Search runs one SOSL search (FIND {term} IN ALL FIELDS RETURNING
// ...) across the configured objects — by default Lead, Account, Contact,
// Opportunity, ContentDocument (files), Report, Dashboard and Case, each
// with the fields shown for its records; custom objects are configured the
// same way. Objects the user cannot search and fields they cannot read
// (from describeGlobal and describe, cached by the connection) are left
// out of the search, so a missing permission hides an object instead of
// failing the whole search. Results come grouped by object, each record
// with a link that opens it in Salesforce Lightning, and are kept per user
// and term for Config.TTL (five minutes by default); nothing else is
// copied or indexed. The user's text is always searched as plain words:
// SOSL operators and wildcards in it are escaped (FuzzSOSL checks this).
//
// ListViews lists the first 80 list views of an object; each user enables
// one or two per object (Choose, kept in a ChoiceStore; Chosen falls back
// to the first view so that one is always enabled), and Results reads an
// enabled view's records from Salesforce on every call.
//
// Every Salesforce call goes through the user's *salesforce.Client (the
// Conn interface): Search for the SOSL statement, ListViews and
// ListViewResults for list views — one API call each, with the client's
// retries, session renewal and budget.
//
// Choices are kept by store.ListViewChoices (SQL) in the server and the
// CLI; MemoryChoices serves tests. The API exposes search and list views
// (GET /api/v1/search, /api/v1/listviews...), and the console's /search and
// /search/listviews pages call it; who may use them is an admin setting
// (access.FeatureSearch).
//
// Decisions: docs/adr/0111-search-through-the-users-connection.md,
// docs/adr/0250-activity-and-search-through-the-api.md,
// docs/adr/0112-list-view-choices.md,
// docs/adr/0150-client-search-and-list-views.md (the client calls used).
package search
