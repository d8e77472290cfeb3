package api

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// columnUse is what a sheet's workflows do with one of its columns
// (docs/adr/0315-sheet-value-codes-and-read-only-columns.md).
type columnUse struct {
	sent     bool   // some workflow sends it to Salesforce
	received bool   // some workflow brings it from Salesforce
	readOnly string // why nobody may change it, "" when one may
}

// columnUses maps a sheet's column names, lowercased, to their use.
type columnUses map[string]columnUse

// of returns the use of the column named name, ignoring case.
func (m columnUses) of(name string) columnUse { return m[strings.ToLower(name)] }

// auditFields are the fields Salesforce sets itself on every record,
// lowercased: nobody writes them, through any API.
var auditFields = map[string]bool{
	"id": true, "isdeleted": true, "createddate": true, "createdbyid": true, "lastmodifieddate": true,
	"lastmodifiedbyid": true, "systemmodstamp": true, "lastactivitydate": true, "lastvieweddate": true,
	"lastreferenceddate": true, "masterrecordid": true,
}

// systemReason says why a field path cannot be written, or "" when it may
// be: a field of a related record ("Owner.Name") or an audit field.
func systemReason(path string) string {
	switch {
	case strings.Contains(path, "."):
		return fmt.Sprintf("it shows %s, a field of a related record; change it on that record in Salesforce", path)
	case auditFields[strings.ToLower(path)]:
		return fmt.Sprintf("it shows %s, which Salesforce sets itself on every change of the record", path)
	}
	return ""
}

// newOpenSheet opens sh with its workflows' use of it.
func newOpenSheet(st *store.Store, sh *sheet.Sheet, use *syncer.SheetUse) *openSheet {
	return &openSheet{st: st, sh: sh, use: use, cols: readColumnUses(sh, use)}
}

// readColumnUses reads, from the documents of the sheet's workflows, which
// columns are sent, which received and which are system columns. A column
// is a system column when no workflow sends it and it holds the sync's
// SystemModstamp or a field no one may write; the workflows' compiler
// already refuses to send such a field.
func readColumnUses(sh *sheet.Sheet, use *syncer.SheetUse) columnUses {
	out := columnUses{}
	for _, def := range use.Definitions {
		for _, f := range def.Fields {
			if f.Column == "" || !cmp.Or(f.Direction, def.Direction).Has(mapping.Inbound) {
				continue
			}
			key := strings.ToLower(f.Column)
			cu := out[key]
			cu.received = true
			for _, p := range f.Salesforce {
				if why := systemReason(p); why != "" {
					cu.readOnly = why
				}
			}
			out[key] = cu
		}
	}
	for _, col := range sh.Columns {
		key := strings.ToLower(col.Name)
		cu := out[key]
		if strings.EqualFold(col.Name, syncer.VersionColumn) {
			cu.received = true
			cu.readOnly = "the sync keeps in it each record's SystemModstamp, to skip records read again unchanged"
		}
		if cu.sent = use.Sends(col.Name); cu.sent {
			cu.readOnly = ""
		}
		out[key] = cu
	}
	return out
}
