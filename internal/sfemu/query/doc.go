// Package query is the emulator's query engine: it runs SOQL queries and
// SOSL searches against the org's records and renders the REST API's
// response bodies byte for byte (members in select order, attributes with
// the API version in their url, datetimes as 2024-01-31T10:00:00.000+0000,
// null parents and empty child relationships as null).
//
// The engine does not import the org package. It reads records through the
// small interfaces it defines, which org implements:
//
//   - Source: the schema registry, a record by ID, the records of an object
//     (with the deleted ones for queryAll), the children of a record through
//     a lookup field.
//   - IndexedSource, optional: records of an object in the order of an
//     indexed field within a range. With it, a sync query (WHERE
//     SystemModstamp > X ORDER BY SystemModstamp, Id LIMIT 2000) reads the
//     2,000 records it returns instead of sorting the object.
//   - Principal: who runs the query — the user's ID (USING SCOPE mine), which
//     objects and fields they may read (an unreadable one is unknown, as in
//     Salesforce), which records sharing lets them see, their time zone, the
//     org's fiscal year and clock.
//
// Engine.Query parses, resolves every name against the schema (INVALID_FIELD
// and INVALID_TYPE with the row and column of the name), compiles the WHERE
// clause into closures, finds and sorts the matching records once, and
// returns a Result whose pages render lazily: AppendPage(start, n) writes the
// body for records [start, start+n), so the REST layer can serve
// nextRecordsUrl pages of any batch size. Engine.Search runs FIND and returns
// {"searchRecords":[...]}.
//
// Semantics follow Salesforce: text compares case-insensitively (=, LIKE,
// IN, ORDER BY, GROUP BY); null equals only null, != and NOT IN include
// nulls, ordering comparisons exclude them; ID literals may have 15 or 18
// characters; date literals are evaluated in the user's time zone
// (soql.DateLiteral.Range); date functions read UTC unless convertTimezone()
// asks for the user's zone; ORDER BY puts nulls first ascending and last
// descending, and sorts picklists in the order of their values. Datetimes
// compare to the second: a literal stands for its whole second (=, !=, <,
// <=, >, >=, IN), so 10:00:00.900 is <= 10:00:00Z, while values, ORDER BY,
// MIN and MAX keep their milliseconds. Ordering (ORDER BY, MIN, MAX, <, >,
// index ranges) is schema.Compare, the order the record store also uses.
//
// Decisions: docs/adr/0013-query-engine-seams.md (the interfaces with the
// record store), docs/adr/0014-query-results.md (how results are computed,
// paged and rendered, and what is not emulated),
// docs/adr/0130-soql-datetime-precision.md (datetimes compared to the second),
// docs/adr/0211-one-value-order.md (one comparison shared with the schema).
package query
