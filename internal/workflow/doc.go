// Package workflow reads, validates and compiles workflows: versioned YAML
// (or JSON) documents that say which Salesforce records belong in which
// sheet, how their fields map, in one direction or both, and what happens
// on changes, deletes and conflicts. The format is documented key by key in
// docs/workflows.md; samples are in examples/.
//
// Reading a workflow takes two steps, each reporting every problem at once
// with its line, column and key path, what is wrong and how to fix it, as a
// *ValidationError (errors.Is(err, ErrInvalid)):
//
//   - Parse reads the file strictly into a Definition: the document as
//     written, which marshals back to JSON of the same shape
//     (docs/adr/0060-workflow-format.md).
//   - Compile checks the Definition against the org's describes, obtained
//     through a DescribeFunc: objects, fields and relationship paths (hop by
//     hop, docs/adr/0064-relationship-paths-and-compound-fields.md), types
//     between fields and columns and the transforms in between (package
//     mapping), operators and values of conditions, what Salesforce requires
//     or refuses on create and update. It returns the Plan the sync engine
//     runs.
//
// Load does both and merges the problems.
//
// A Plan holds one query per workflow (SELECT with every related field, so
// that a record comes with all its row needs, and the conditions as a WHERE
// clause, also as a soql AST), the sheet's columns, the compiled mapping of
// each field, and every setting with its default filled in. Plan.Matches
// evaluates the conditions on a record in Go with SOQL's semantics, so that
// the sync engine can tell a record that stopped matching without another
// query (docs/adr/0061-conditions.md); Plan.Cells maps a record to its row.
//
// A phone step's country_field is resolved like any field path, selected by
// the query, and, on a field written back, must be held by a column: the
// row's country (docs/adr/0140-phone-numbers-of-each-records-country.md).
//
// A parent's key field written through its relationship (Account.Ext_Id__c,
// flowing outbound) sets the lookup to that parent, which Salesforce finds
// by the key (docs/adr/0240-lookups-through-a-parents-key.md).
package workflow
