// Package bulk is the emulator's Bulk API 2.0: ingest jobs (insert, update,
// upsert, delete, hardDelete from CSV) and query jobs (SOQL to CSV), served
// as an http.Handler under /services/data/vXX.X/jobs/ (ingest since API
// 41.0, query since 47.0).
//
// It shares no code with the Salesforce client (internal/salesforce): it is
// there to catch the client's mistakes. It does not import the emulator's
// front either; it needs, through interfaces of its own:
//
//   - the caller, authenticated by the front and put in the request's
//     context with WithCaller: a query.Principal that can also write
//     records (Caller),
//   - the org's schema (Schema), the query engine (Querier, *query.Engine),
//   - the clock (Clock, *clock.Clock), on which jobs move,
//   - the org's allocations (Usage): one DailyApiRequests per call, one
//     DailyBulkApiBatches per 10,000 records processed, one
//     DailyBulkV2QueryJobs per query job.
//
// # Resources
//
//	POST   jobs/ingest                          create an ingest job (Open)
//	GET    jobs/ingest                          list ingest jobs (1,000 a page, queryLocator)
//	GET    jobs/ingest/{id}                     job info
//	PUT    jobs/ingest/{id}/batches             upload the CSV (text/csv), once
//	PATCH  jobs/ingest/{id}                     {"state":"UploadComplete"} or {"state":"Aborted"}
//	DELETE jobs/ingest/{id}                     delete a job that is not Open or InProgress
//	GET    jobs/ingest/{id}/successfulResults   "sf__Id","sf__Created", then the uploaded columns
//	GET    jobs/ingest/{id}/failedResults       "sf__Id","sf__Error", then the uploaded columns
//	GET    jobs/ingest/{id}/unprocessedrecords  the uploaded columns
//	POST   jobs/query                           create a query job (query or queryAll)
//	GET    jobs/query                           list query jobs
//	GET    jobs/query/{id}                      job info
//	PATCH  jobs/query/{id}                      {"state":"Aborted"}
//	DELETE jobs/query/{id}                      delete
//	GET    jobs/query/{id}/results              ?maxRecords=&locator=: CSV, Sforce-Locator, Sforce-NumberOfRecords
//
// # Processing
//
// Jobs move on the clock, without goroutines: a closed ingest job, or a
// new query job, is InProgress for Config.ProcessingDelay, then the first
// request that looks at it (or Handler.Settle) processes it. An ingest job
// writes its rows one by one as its creator, whoever polls it; an upload
// that cannot be read (line ending, quoting, unknown or duplicate column)
// fails the job with an errorMessage and leaves every row unprocessed. A
// query job runs its query when it is created, so that a bad query is
// refused at once with the REST API's error, and its results are the
// records as they were then; Bulk API 2.0's restrictions (no aggregates,
// GROUP BY, OFFSET, TYPEOF, FIELDS(), subqueries or compound fields) are
// enforced. Jobs in a terminal state are forgotten after seven days.
//
// CSV follows Salesforce's: an empty cell leaves a field unchanged and
// #N/A sets it to null; relationship columns name a parent by an external
// ID (Account.Ext__c, or Contact:Who.Email for a polymorphic lookup);
// results quote every cell and write datetimes as 2024-01-31T10:00:00.000Z,
// numbers as Java prints them (9.12260031E8), relationship fields as
// Account.Name columns. testdata/ holds the transcripts of whole
// conversations, JobInfo shapes included.
//
// The emulator's front (internal/sfemu) mounts it behind its sessions and
// faults; the tests run it there, over HTTP, as clients see it.
//
// Decisions: docs/adr/0090-emulator-bulk-api.md (the handler, its seams,
// clock-driven processing), docs/adr/0091-bulk-csv.md (CSV in and out, and
// the wording of errors we could not check against Salesforce),
// docs/adr/0131-bulk-api-in-the-front.md (how the front mounts it).
package bulk
