// Package sfid handles Salesforce record IDs.
//
// A record ID is 15 base-62 characters, case-sensitive:
//
//	001 B0 0 0000UnQ2v
//	 |   |  |     `---- record number (9 characters, 0-9A-Za-z, most significant first)
//	 |   |  `---------- reserved (always '0' in the IDs this package makes)
//	 |   `------------- pod or instance (2 characters)
//	 `----------------- key prefix: the object type (001 Account, 003 Contact ...)
//
// The API always returns the 18-character form: the 15 characters plus a
// three-character checksum that records, for each block of five characters,
// which ones are upper-case letters. That suffix makes the 18-character form
// case-insensitive: a system that folds case (a spreadsheet, a
// case-insensitive database) can still recover the exact ID, which is what
// [To18] does.
//
// This package is shared by the emulator (which mints IDs) and the Salesforce
// client (which validates and compares them). The checksum algorithm and its
// test vectors are in the team's Salesforce API notes (salesforce-api.md
// §4.1); docs/adr/0020-record-ids.md says how the emulator uses the pod and
// the record number.
package sfid
