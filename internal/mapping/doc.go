// Package mapping moves one field's values between Salesforce and a sheet:
// it reads Salesforce values, converts them between Salesforce field types
// and sheet column types, and runs the transforms a workflow asks for.
//
// # Values
//
// A Value is a typed value in flight: null, text, an exact decimal number,
// a boolean, a date, a datetime (UTC), a time of day, a list (multi-select
// picklist), an address or a location. FromSalesforce reads what the REST
// or Bulk API returns for a field; ToSalesforce produces what to send, and
// refuses early, with the field, the value and what was expected, what
// Salesforce would refuse anyway (text too long, a value a restricted
// picklist lacks, a malformed e-mail or record ID, an empty required
// field). CellValue reads what the sheet store holds; Value.MarshalJSON is
// the canonical cell form. Numbers stay exact decimals end to end.
//
// # Conversions
//
// Each column type holds one kind of value (ColumnType.Kind); Rule, ToColumn
// and ToField say which field type and column type meet in which direction,
// and why not. Conversions that keep the information, or fail value by value
// with a clear error, are allowed; those that would invent or guess
// information are refused at validation. The full table is generated into
// docs/workflows.md (see docs/adr/0062-values-and-conversions.md).
//
// # Transforms
//
// A Step is a transform as written in a workflow (trim, map, format_date,
// phone ...); bound to the kind it receives it becomes a Transform. Steps
// run in the direction the field flows; a two-way field runs the inverse
// chain on the way back, so every step either has a documented inverse or
// is one-way and makes its field one-way (docs/adr/0063-transforms.md).
// A phone step may read each record's number as one of the record's own
// country (country_field): the Field gives it the country, from the record
// inbound and from the row's cells outbound (Field.OutboundRow);
// CountryCode reads countries as Salesforce stores them
// (docs/adr/0140-phone-numbers-of-each-records-country.md).
//
// # Fields
//
// Compile checks a Spec (the resolved describes, the column, the direction
// and the steps) and returns a Field, whose Inbound turns a queried record
// into a cell value and whose Outbound turns a cell value into the fields to
// write. Compound address and location fields are read and written through
// their parts (docs/adr/0064-relationship-paths-and-compound-fields.md). A
// Source with a Lookup writes a parent's key as a reference to the parent
// through the relationship, setting the lookup field
// (docs/adr/0240-lookups-through-a-parents-key.md).
package mapping
