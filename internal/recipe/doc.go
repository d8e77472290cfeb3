// Package recipe is what the two doors to workflows share: the CLI
// (sfbridge workflow validate|apply|enable|disable) and the HTTP API
// (/api/v1/workflows, which the console's builder calls). Both validate a
// workflow document against its org as its owner sees it, store it as a new
// version, turn it on or off, and ask what it would do (a dry run), through
// the one implementation here, so that a document the CLI accepts is one
// the console accepts, with the same problems reported the same way.
//
// A workflow is checked in two steps (package workflow): the document is
// read, then compiled against the describes of its org fetched through the
// owner's own connection, so Salesforce's field permissions apply. Every
// change a [Recipes] stores — a new workflow, a new version, enabling or
// disabling — is written with its audit entry in the same transaction.
//
// A dry run reads but never writes: for a workflow that reads from
// Salesforce it counts the records its conditions match (one SELECT COUNT()
// query); for one that writes to Salesforce it maps each row of the sheet
// through the workflow's outbound mapping and checks the result against the
// object's describe, counting the records that would be created or updated
// and the rows that would fail, with the reason
// (docs/adr/0300-workflows-shared-by-the-cli-and-the-api.md).
//
// The console's builder fills a [Draft], whose YAML is the document; a
// stored document is read back into a draft with [DraftOf] to edit it in
// the builder. DraftOf refuses, saying why, any document the builder
// cannot show whole, so that editing in the builder never drops what was
// written by hand; a document the builder wrote comes back byte for byte
// (docs/adr/0305-editing-a-workflow-in-the-builder.md).
package recipe
