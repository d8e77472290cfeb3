// Package salesforce is sfbridge's own Salesforce client: OAuth, the REST
// API (describe, query, CRUD, upsert, sObject Collections, composite,
// replication), typed errors, retries and the org's API budget. It is built
// on net/http and golang.org/x/oauth2, takes a context on every call, and
// talks to a real org or to our emulator (internal/sfemu) alike: both are
// just a login URL and the instance URL a token names. It never imports the
// emulator; the emulator's conformance suite drives this client instead.
//
// # Connecting
//
// A Config names the login host (ProductionLoginURL, SandboxLoginURL, a My
// Domain from MyDomainLoginURL, or any URL such as the emulator's), the
// connected app and, optionally, the *http.Client, retry policy, shared
// Budget and CallCounter. OAuth runs the flows: Authorize/Exchange for the
// web-server flow with PKCE, Refresh, JWTBearer, ClientCredentials, Password
// (legacy) and Revoke. New wraps a stored Token in a Client; Connect runs a
// Grant first. Salesforce tokens carry no expiry: when a call answers 401
// INVALID_SESSION_ID the client renews the session once — with the refresh
// token, else with its Grant — and concurrent callers share that one
// renewal. Each new token goes to Config.OnToken for storage. A grant
// Salesforce refuses (invalid_grant) surfaces as an *OAuthError matching
// ErrNeedsReauth.
//
// # Calls
//
// Query, QueryAll and QueryPages stream results page by page (one page in
// memory), sending SOQL too long for a URL in a composite request body.
// Records keep their field order and nest parent records (*Record) and child
// subqueries (*ChildRecords), with typed accessors. Describe and
// DescribeGlobal are cached per object and revalidated with
// If-Modified-Since. Create, Retrieve, Update, Delete, Upsert act on one
// record; CreateMany, UpdateMany, UpsertMany, DeleteMany and RetrieveMany
// batch them through sObject Collections and map every result back to its
// input. Composite sends up to 25 dependent subrequests as one API call.
// Updated and Deleted are getUpdated and getDeleted.
//
// # Search and list views
//
// Search runs a SOSL statement and ParameterizedSearch a SearchRequest;
// both return records across objects, each with its object in Record.Type.
// ListViews yields an object's list views page by page, ListViewDescribe
// returns a view's columns and SOQL, and ListViewResults a page of its
// records as the user sees them.
//
// # Bulk API 2.0
//
// Ingest jobs: CreateIngestJob, UploadIngestData (the CSV streamed from an
// io.Reader, retried only when it is an io.ReadSeeker), CloseIngestJob,
// WaitIngestJob (polls with a doubling delay until the job is over; Failed
// and Aborted jobs come as *JobError), then SuccessfulResults,
// FailedResults (each row with its sf__Error as an ErrorDetail) and
// UnprocessedRecords; BulkIngest does it all. Query jobs: CreateQueryJob,
// WaitQueryJob and QueryJobResults, which streams the pages that
// Sforce-Locator links one row at a time; BulkQuery does it all. Abort and
// delete both kinds. Bulk records carry text values as the CSV does.
//
// # Errors, retries, budget
//
// Salesforce's errors become *APIError, which keeps every errorCode (or
// statusCode), message and fields; IsCode, IsTransient and the sentinels
// ErrLimitExceeded, ErrNotFound, ErrMultipleMatches and ErrNeedsReauth
// classify them. Transient failures are retried with capped exponential
// backoff and jitter, validation errors and limits never. Every response's
// Sforce-Limit-Info header updates the org's Budget, and a CallCounter
// counts each request sent.
//
// Decisions: docs/adr/0050-salesforce-client.md (shape, sessions),
// docs/adr/0051-query-iterator.md (streaming queries),
// docs/adr/0052-client-retries.md (retries and renewal),
// docs/adr/0053-collection-results.md (batched writes),
// docs/adr/0092-client-bulk-api.md (Bulk API 2.0),
// docs/adr/0150-client-search-and-list-views.md (search and list views).
package salesforce
