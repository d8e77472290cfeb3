// Package schema is the emulator's metadata: the sObject types (objects),
// their fields and relationships, the describe results Salesforce clients
// read, and the canonical Go values of field data.
//
// # Objects and registries
//
// A [Registry] is an immutable set of objects. [Standard] returns the
// built-in standard objects (Account, Contact, Lead, Opportunity, Case,
// Campaign, CampaignMember, Order, User, Profile, Task, Event, TaskRelation,
// EventRelation, ContentDocument, ContentVersion, Report, Dashboard,
// ListView, Organization). [Registry.Apply] adds a schema file and returns a
// new registry, so a reader holding a registry never sees it change.
// Lookups are case-insensitive, as in Salesforce: [Registry.Object],
// [Object.Field], [Object.Relationship] (a parent relationship such as
// "Account" or "Who", with the objects it reaches in [Field.Targets]) and
// [Object.ChildRelationship] ("Contacts").
//
// The standard objects are written in the same format as user schema files
// (embedded under standard/), built from the recorded describes and the
// field references (docs/adr/0021-schema-metadata-as-yaml.md). Their
// describe output is compared with the real recordings by
// TestDescribeMatchesRecordings, which lists each remaining difference and
// why it is there.
//
// # Schema files
//
// A schema file adds custom objects, and custom fields to existing objects.
// It is YAML, read strictly (an unknown key is an error), and every error
// gives the file, line and column:
//
//	version: 1                      # required; this package reads version 1
//	objects:
//	- name: Invoice__c              # custom objects end in __c
//	  label: Invoice                # default: from the name ("Invoice")
//	  labelPlural: Invoices         # default: label + "s"
//	  keyPrefix: a05                # default: the next free of a00, a01 ...
//	  nameField:                    # default: text "Invoice Name", 80 characters
//	    type: autoNumber            # text | autoNumber
//	    format: "INV-{0000}"        # autoNumber display format
//	    start: 1                    # first autoNumber
//	  sharing: Private              # Private | Read | ReadWrite (default) | ControlledByParent
//	  enableActivities: true        # Tasks and Events may relate to it (WhatId)
//	  fields:
//	  - name: Account__c            # custom fields end in __c
//	    type: reference             # see the types below
//	    referenceTo: [Account]      # one object for custom lookups
//	    masterDetail: false         # true: required, deleting the parent deletes it
//	    childRelationship: Invoices__r  # default: <Object>s__r
//	  - {name: Status__c, type: picklist, restricted: true,
//	     values: [{value: Draft, default: true}, Sent, Paid]}
//	- name: Account                 # an existing object: only fields may be given
//	  fields:
//	  - {name: Region__c, type: picklist, values: [EMEA, AMER, APAC]}
//
// Field keys: name, type, label, length (text), precision and scale
// (numbers), digits (int), required, access (readOnly | createOnly |
// updateOnly; default read-write), unique, externalId, caseSensitive,
// idLookup, values and restricted (picklists), default (checkbox true/false,
// or a picklist value), referenceTo, relationshipName, masterDetail,
// childRelationship, cascadeDelete, restrictedDelete, helpText,
// htmlFormatted. Types for custom fields: string, textarea, picklist,
// multipicklist, boolean, int, long, double, currency, percent, date,
// datetime, time, email, phone, url, reference, location (stored in
// Name__Latitude__s and Name__Longitude__s), encryptedstring and formula.
//
// # Formula fields
//
// A formula field is computed when it is read, never stored:
//
//	fields:
//	- {name: Score__c, type: formula, returnType: number, precision: 18, scale: 0,
//	   formula: "AnnualRevenue / 1000 + IF(ISPICKVAL(Rating, 'Hot'), 10, 0)"}
//
// returnType is currency, number, percent, text, checkbox, date or datetime;
// the describe shows that type (number as double, text as string with
// length 1300, checkbox as boolean) with calculated true, the formula as
// calculatedFormula, not createable or updateable (writing one is
// INVALID_FIELD_FOR_INSERT_UPDATE), nillable (except checkboxes), filterable
// and sortable, never groupable. Numbers are rounded to scale. Formulas may
// read any field of the object, parent fields through relationship names
// (Account.Name, Account__r.Owner.Alias) and other formula fields; they are
// parsed and type-checked when the file is applied, and a mistake is an
// error with the file's line and the position in the formula. The language
// subset, its null handling (blank fields are treated as blanks) and its
// error messages are in package formula
// (docs/adr/0220-formula-language-subset.md). Parent paths and TODAY()/NOW()
// need records that implement [Linked] (docs/adr/0221-formula-record-hook.md).
//
// Every custom object gets Id, OwnerId (not on the detail side of a
// master-detail), IsDeleted, Name, CreatedDate, CreatedById,
// LastModifiedDate, LastModifiedById, SystemModstamp, LastActivityDate (with
// activities), LastViewedDate and LastReferencedDate. testdata/valid has a
// complete example; testdata/invalid has a file per mistake, with the errors
// pinned in testdata/golden/invalid-schemas.txt.
//
// Built-in files may also use system-field templates (an entry that is just
// "Id", "CreatedDate" ..., or a mapping with such a name and no type),
// object flags (flags: {mergeable: true}), scopes, urls, recordTypes,
// sharingParents, activityTargets and the describe overrides filterable,
// sortable, groupable, aggregatable, permissionable, searchPrefilterable,
// extraTypeInfo, namePointing and polymorphic.
//
// # Describe
//
// [Registry.DescribeGlobal], [Object.BasicInfo] and [Object.Describe] render
// GET /sobjects/, GET /sobjects/{name} and GET /sobjects/{name}/describe with
// Salesforce's keys, key order and defaults; [DescribeOptions.Access] hides
// what a user may not see and narrows createable/updateable to what the user
// may do. testdata/golden holds the output for every object.
//
// # Values
//
// Field values are canonical Go values (see value.go): nil, string, bool,
// int64, float64, time.Time (datetimes in UTC; dates at UTC midnight),
// [Address] and [Location]. [Object.DecodeJSON] decodes a client's record
// body into them with Salesforce's JSON_PARSER_ERROR and INVALID_FIELD
// errors; [ParseText] converts text (CSV cells, external IDs in URLs);
// [AppendJSON] and [FormatValue] render them as the REST API does (datetime
// "2024-01-31T10:00:00.000+0000", date "2024-01-31", doubles as Java prints
// them: 1500.0, 3.5E7). [Object.Value] returns a field of a record, computing
// derived fields: compound addresses and locations, person names
// ("FirstName LastName"), Opportunity.ExpectedRevenue (Amount × Probability
// / 100), Task.IsClosed, Task.IsHighPriority and formula fields. [Compare] is the one order
// of canonical values, which the record store and the query engine share
// (docs/adr/0211-one-value-order.md).
package schema
