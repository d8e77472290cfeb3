// Package conformance runs off-the-shelf Salesforce clients — the jsforce
// library from npm, through Node, and the Go library
// github.com/k-capehart/go-salesforce/v3 — against the emulator, unchanged,
// the way their users would point them at a real org: login, describe,
// CRUD, upsert, query paging, collections, composite, errors, limits and
// search. A difference between the emulator and Salesforce that such a
// client notices is a bug in the emulator.
//
// The package holds tests only. The jsforce suite needs Node.js and
// `npm ci --prefix internal/sfemu/conformance/testdata/jsforce`; locally it
// skips, saying so, when they are missing, and in CI (CI set) it fails
// instead, since .ci/run installs them.
package conformance
