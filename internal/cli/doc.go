// Package cli is sfbridge's command tree: it parses the arguments (with
// github.com/alecthomas/kong), runs the chosen command and maps its outcome
// to an exit code: 0 done, 1 internal error, 2 invalid input (flags,
// configuration, workflow files), 3 environment (Salesforce, the database,
// the network, a port in use), and for workflow verify, 4 when the sheet and
// Salesforce differ. Commands mark their errors with invalid or
// environment; anything unmarked is a bug, exit code 1.
//
// The commands:
//
//   - emulator: the local Salesforce emulator (package sfemu) on a loopback
//     port. It prints "emulator ready: http://127.0.0.1:PORT" once it
//     listens, then the development credentials and the admin API.
//   - serve: the server: the orgs of the configuration registered, the sync
//     scheduler running, the outbound Sender writing sheet changes to
//     Salesforce as they are made, and on the listen address (loopback
//     unless allowed otherwise, with a warning) the web console (package
//     web) at /, the JSON API (package api) at /api/v1, and /healthz,
//     /readyz and /metrics. On a fresh data directory the console sends
//     its first visitor to the first-run setup.
//   - demo: the emulator in-process, a data directory, the demo org
//     connected, the sample workflows of examples/ installed and synced,
//     and the console on a second loopback port (--console), whose first
//     system admin, admin@example.com, gets a random password printed once.
//     Its summary ends with "Try two-way sync": commands, ready to paste,
//     that edit a row of the two-way sample and see the account change in
//     the emulator, then edit the account and see the row change.
//   - org add|connect|list|status: orgs and the connections to them
//     (web-server flow with PKCE and a loopback callback, JWT bearer,
//     client credentials, username-password). A connection keeps, sealed,
//     what renews its session (refresh token, JWT key, password), so it
//     outlives session timeouts without a person.
//   - workflow validate|apply|list|status|run|enable|disable|verify
//     (enable checks the workflow against its org again; verify lists
//     every difference between the sheet and Salesforce).
//   - deadletter list|requeue|discard: changes Salesforce refused for good.
//   - conflict list|resolve: fields changed on both sides of a two-way
//     workflow, and the decisions on them.
//   - sheet list|show|export|edit|add: edit and add write as a user
//     (--set COLUMN=VALUE), so the change is sent to Salesforce; an
//     invalid value writes nothing and exits 2 (ADR 0260).
//   - activity log|list|retry: log an email share, a link share or a
//     meeting as a Task or Event (package activity) with the acting user's
//     own connection; --key makes it idempotent, and a key used again logs
//     nothing and says so. Unknown and unrelated recipients are printed;
//     exit 2 for bad input or no known recipient, 3 when Salesforce
//     refuses or cannot be reached (ADR 0270).
//   - search TERM and listview list|choose|show: search (SOSL) and list
//     views (package search) as the acting user, so their sharing applies;
//     search prints the hits grouped by object with their links, or --json.
//
// The commands that act as one person (activity, search, listview) take
// --user LOGIN and --org NAME, defaulting to the org's only connected user
// and the only registered org.
//
// Every command but emulator and version works on a data directory
// (--data, $SFBRIDGE_DATA, default ./.sfbridge) through the configuration
// of package config, and opens the store itself: the commands work with
// or without a server running on the same data. Long work draws progress
// bars on stderr when it is a terminal, or with --progress.
//
// Decisions: docs/adr/0230-serving-the-console.md, docs/adr/0080-configuration.md, docs/adr/0081-cli-on-the-data-directory.md,
// docs/adr/0082-emulator-command.md, docs/adr/0083-demo.md,
// docs/adr/0170-connections-that-renew-themselves.md,
// docs/adr/0171-demo-connection-survives-session-expiry.md,
// docs/adr/0160-outbound-writer.md, docs/adr/0161-two-way-merge.md,
// docs/adr/0162-verify.md, docs/adr/0260-editing-rows-from-the-cli.md,
// docs/adr/0270-acting-as-one-person-from-the-cli.md.
package cli
