// Package budget keeps each org within the share of its daily Salesforce
// API limit that sfbridge may use, and tells people what happens to their
// orgs.
//
// The sync engine reports to a [Watcher] after every run (the usage
// Salesforce last reported in Sforce-Limit-Info, and the API calls the run
// made) and whenever an org pauses, resumes, or loses a connection. The
// Watcher
//
//   - records a usage sample per org per hour (store.Usage), the history the
//     usage chart draws;
//   - raises a notification when usage crosses a warning threshold of the
//     budget, once per threshold per UTC day;
//   - says when the budget is spent ([ErrSpent]), which makes the engine
//     pause the org's workflows (state paused_limit) until usage falls back
//     below the budget;
//   - raises notifications when an org pauses at its budget and when it
//     resumes, and when a connection must be authorised again (for the
//     connection's owner and the admins, saying where to reconnect).
//
// Every notification about an org that has a webhook URL is also POSTed
// there as JSON, in the background: a few attempts with growing pauses,
// each bounded in time, never holding up a sync, never logging the URL (it
// may carry a token). How the delivery went is kept on the notification.
//
// Decision record: docs/adr/0330-api-budget-and-notifications.md.
package budget
