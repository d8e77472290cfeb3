// Package org is the emulator's Salesforce org: its records, the rules
// Salesforce applies when they change, its users and profiles, persistence
// and the seeds.
//
// # Records
//
// An [Org] keeps records in memory ([Record], immutable: a change stores a
// new version) with indexes by ID, by (SystemModstamp, Id) per object, on
// unique and external-ID fields, and from parents to children
// (docs/adr/0022-record-store-layout.md). IDs are real 18-character IDs of
// the object's key prefix (docs/adr/0020-record-ids.md); 15-character IDs
// are accepted everywhere. CreatedDate, CreatedById, LastModifiedDate,
// LastModifiedById, SystemModstamp (strictly increasing per org, but shared
// by the writes of one in-flight transaction), OwnerId and IsDeleted are
// kept as Salesforce keeps them.
//
// # Changes
//
// [Org.Create], [Org.Update], [Org.Upsert] (by external ID or Id; several
// matches give a [*MultipleMatchesError]), [Org.Delete] (to the recycle bin,
// cascading to the children Salesforce deletes with a record and emptying
// other lookups; refused with DELETE_FAILED while restricting children such
// as an account's cases exist), [Org.Undelete] (restoring the cascade and
// the lookups), [Org.Updated] and [Org.Deleted] (getUpdated, getDeleted).
// [Org.Atomically] makes a group of changes all-or-nothing. [Org.Begin]
// starts an in-flight transaction ([InFlight]): its writes are stamped when
// it begins and stay unseen by readers until it commits, as a long
// Salesforce transaction's do (docs/adr/0190-in-flight-transactions.md). Every change is
// validated as Salesforce validates it, and errors are *schema.Error values
// with Salesforce's errorCode, message and fields: REQUIRED_FIELD_MISSING,
// STRING_TOO_LONG, INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST,
// INVALID_EMAIL_ADDRESS, NUMBER_OUTSIDE_VALID_RANGE, MALFORMED_ID,
// FIELD_INTEGRITY_EXCEPTION, INVALID_CROSS_REFERENCE_KEY, ENTITY_IS_DELETED,
// DUPLICATE_VALUE, INVALID_FIELD_FOR_INSERT_UPDATE, INVALID_FIELD, NOT_FOUND,
// INSUFFICIENT_ACCESS_OR_READONLY and others. rules.go holds what Salesforce
// derives on its own: opportunity stages (probability, forecast, closed and
// won, fiscal period), case numbers and closing, task completion, event
// times, activity accounts, Shared Activities relations, campaign member
// copies, order activation, files (a ContentVersion creates its
// ContentDocument), user names.
//
// # Users and access
//
// A [Principal] is a user acting on the org, from [Org.As]; [Org.System] is
// the platform itself. Profiles give object and field permissions, and
// organization-wide defaults decide which records a user sees and edits
// (docs/adr/0023-org-security-model.md). The built-in development users are
// admin@example.com (System Administrator) and user@example.com (Standard
// User), both with the password "sfbridge". [Org.Authenticate],
// [Org.UserByID] and [Org.UserByUsername] serve the OAuth server.
//
// # Query engine
//
// [Org.QuerySource] and *Principal implement the query engine's Source,
// IndexedSource (an ordered index on SystemModstamp) and Principal
// (query.go).
//
// # Persistence and seeds
//
// [Org.Save] and [Load] write and read the whole org in a compact binary
// snapshot (docs/adr/0024-org-snapshot-format.md). [New] makes an org with
// the "empty" seed (the org, its users and profiles) or the "demo" seed, a
// deterministic small company with accounts, contacts, leads,
// opportunities, cases, campaigns and members, orders, tasks, events,
// files, reports, dashboards and list views (with their SOQL,
// [Org.ListViewQuery]). [Org.Check] validates every record again.
//
// # Figures
//
//	go test -run '^$' -bench 'Create|MemoryPerRecord|SyncScan' -benchtime 1x ./internal/sfemu/org
//	go test -run '^$' -bench SaveLoad1M -benchtime 1x ./internal/sfemu/org   # 1,000,000 records, ~2 GB
package org
