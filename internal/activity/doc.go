// Package activity logs sales activity into Salesforce: content shared by
// email or as a link becomes a completed Task, a meeting an Event, each
// with the acting user's own connection so that Salesforce's sharing
// decides which contacts and leads they may use.
//
// Service.Log takes a Request (kind, recipient email addresses, subject,
// body, link, optional "related to" record, idempotency key) and:
//
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
//     addresses are leads) once describes are cached.
//
// Every attempt is recorded in the Store with its Salesforce IDs, status
// and error; Service.Failed lists failures and Service.Retry sends one
// again. Service.Suggest offers recipients as the user types.
// Service.RelatedObjects says which objects may be "related to": Account,
// Opportunity and the custom objects of Settings.RelatedObjects that allow
// activities (Task.WhatId's describe lists them). Service.Resync re-reads
// the describes after an admin changes picklists or objects.
//
// MemoryStore is the only Store for now; a SQL one belongs with
// internal/store.
//
// Decisions: docs/adr/0110-activity-logging.md.
package activity
