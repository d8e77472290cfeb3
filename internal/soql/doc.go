// Package soql reads and writes SOQL and SOSL, Salesforce's query and search
// languages. The emulator parses the queries it receives with it; the
// Salesforce client builds its queries as ASTs and prints them. Sharing the
// language, and nothing else, lets the emulator catch the client's mistakes.
//
// Parse turns a SELECT statement into a *Query; ParseSearch turns a FIND
// statement into a *Search. Both accept what the REST API accepts (Apex-only
// syntax such as bind variables and ALL ROWS is refused) and report errors as
// *Error values carrying Salesforce's error code (MALFORMED_QUERY,
// MALFORMED_SEARCH, NUMBER_OUTSIDE_VALID_RANGE, INVALID_FIELD for a
// duplicate field), position and wording; Error() renders them the way the
// REST API's message does:
//
//	\nSELECT Id FRM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'Account'
//
// The AST's types have exported fields so that a query can be built by hand.
// String prints a query so that parsing the output gives the same AST (the
// tests check this on every golden case and under the fuzzer).
//
// Parsing knows no schema: whether Account has a field Foo, or whether a
// relationship is polymorphic, is for whoever executes the query. Parse does
// enforce the rules that need no schema: AND and OR mixed without
// parentheses, aliases outside aggregate queries, FIELDS(ALL) without a
// LIMIT of at most 200, OFFSET above 2,000, functions nested more than two
// deep, duplicate fields.
//
// DateLiteral.Range and DayRange evaluate relative date literals
// (LAST_N_DAYS:30, THIS_FISCAL_QUARTER, ...) for a user's time zone and an
// org's fiscal year; FiscalYear, FiscalQuarter and FiscalMonth serve the
// FISCAL_ date functions.
//
// Decisions: docs/adr/0010-soql-parser.md (the parser and its AST),
// docs/adr/0011-soql-errors.md (error positions and messages),
// docs/adr/0012-relative-date-literals.md (date literal ranges).
package soql
