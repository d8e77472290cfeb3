package sheet

import "strings"

// System column identifiers in a sheet's table. They start with '_', which no
// user column identifier does.
const (
	colID        = "_id"
	colSFID      = "_sfid"
	colStatus    = "_status"
	colError     = "_error"
	colWrittenBy = "_written_by"
	colCreatedAt = "_created_at"
	colUpdatedAt = "_updated_at"
	// colSyncRev changes with every write of the sync engine, and with
	// nothing else: the change-capture triggers tell the sync engine's
	// writes by it. It is not shown, filtered or exported.
	colSyncRev = "_sync_rev"
)

// systemColumn is a column every sheet has. Its name is reserved: no user
// column may take it. Filters and exports use it like a user column.
type systemColumn struct {
	Column
	filterable bool
}

var systemColumns = []systemColumn{
	{Column{Name: "Row ID", Type: TypeNumber, Ident: colID}, false},
	{Column{Name: "Salesforce ID", Type: TypeReference, Ident: colSFID}, true},
	{Column{Name: "Sync Status", Type: TypePicklist, Ident: colStatus, Values: statusValues()}, true},
	{Column{Name: "Last Error", Type: TypeLongText, Ident: colError}, true},
	{Column{Name: "Written By", Type: TypePicklist, Ident: colWrittenBy, Values: []string{string(OriginSync), string(OriginUser)}}, true},
	{Column{Name: "Created At", Type: TypeDateTime, Ident: colCreatedAt}, true},
	{Column{Name: "Updated At", Type: TypeDateTime, Ident: colUpdatedAt}, true},
}

func statusValues() []string {
	vs := make([]string, len(Statuses))
	for i, s := range Statuses {
		vs[i] = string(s)
	}
	return vs
}

// systemByName returns the system column with the given name, ignoring case.
func systemByName(name string) (systemColumn, bool) {
	for _, c := range systemColumns {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return systemColumn{}, false
}

// IsSystemColumn reports whether name (ignoring case) is the name of a
// system column ("Row ID", "Salesforce ID", "Sync Status" ...), which every
// sheet has and which people do not write: an import of an export skips
// them.
func IsSystemColumn(name string) bool {
	_, ok := systemByName(name)
	return ok
}
