// Package activity logs sales activity into Salesforce: content shared by
// email or as a link becomes a completed Task, a meeting an Event, each
// with the acting user's own connection so that Salesforce's sharing
// decides which contacts and leads they may use.
//
// Service.Log takes a Request (kind, recipient email addresses, subject,
// body, link, optional "related to" record, idempotency key) and:
//
//   - reads the Settings in force: those given to NewService, or at every
//     call those of a SettingsSource (Service.UseSettings; the store's
//     ActivitySettings in `sfbridge serve` and the CLI), so that what an
//     admin saves applies at once in every process;
//   - claims the idempotency key in a Store: a key seen before logs nothing
//     and returns the earlier Entry;
//   - resolves recipients to Contacts, then Leads (not converted), that the
//     user can see — or only those they own (Settings.Scope). Unknown
//     addresses are listed in Entry.Unknown and the activity is logged for
//     the known ones; when none is known nothing is logged
//     (UnknownRecipientsError). As in Salesforce an activity goes to one
//     lead or to contacts: other known recipients are listed in
//     Entry.Unrelated;
//   - builds the Task (Subject, Description = body and link, the closed
//     Status, ActivityDate, Type from Settings.Types checked against the
//     org's picklist, WhoId, WhatId) or Event (StartDateTime, EndDateTime);
//   - sends it with one TaskRelation or EventRelation per further recipient
//     in ONE all-or-nothing composite call. A logged activity costs two API
//     calls (the recipient query and the composite; three when some
//     addresses are leads) once the org is read.
//
// The org is read once per user — the global describe and the Task and
// Event describes, in one composite call of GET subrequests that bypasses
// the connection's describe cache — and again when the settings'
// ResyncedAt is later than that read. Service.Resync re-reads it for every
// user of an org after an admin changes picklists or objects in
// Salesforce; the API's re-sync route also moves ResyncedAt so other
// processes follow.
//
// Every attempt is recorded in the Store with its Salesforce IDs, status
// and error; Service.Failed lists failures, Store.Find one user's entries
// (filtered and limited by the store: SQL in internal/store), and
// Service.Retry sends one again. Service.Suggest offers recipients as the
// user types. Service.Check reports what the org says of some Settings —
// each kind's Type value (Missing when the picklist lacks it) and each
// related object (refused with the reason when it does not allow
// activities) — for the admin's settings page; Service.RelatedObjects says
// which objects may be "related to": Account, Opportunity and the custom
// objects of Settings.RelatedObjects that allow activities (Task.WhatId's
// describe lists them).
//
// Stores: store.Activities (SQL) and MemoryStore (tests, single process);
// settings: store.ActivitySettings.
//
// Decisions: docs/adr/0110-activity-logging.md,
// docs/adr/0250-activity-and-search-through-the-api.md,
// docs/adr/0320-activity-settings-in-the-store.md.
package activity
