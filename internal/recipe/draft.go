package recipe

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// Draft is a workflow as the console's builder fills it in: the recipe
// sentence ("When a Lead matches these conditions, create a row in leads
// and sync all future changes"), the fields picked from the describe, and
// the policies. Its YAML is the workflow document the builder shows, the
// API validates and `sfbridge workflow apply` takes: the builder writes
// documents, it does not have a format of its own.
type Draft struct {
	Name, Org, Owner string
	Object, Sheet    string
	// Direction is "inbound" (Salesforce to the sheet), "outbound" or
	// "both".
	Direction string
	Enabled   bool
	// Conditions select the records (inbound), all of them true.
	Conditions []DraftCondition
	Fields     []DraftField
	// Operation is how rows reach Salesforce (outbound and both): create,
	// update or upsert; ExternalID is upsert's key field.
	Operation  string
	ExternalID string
	// Conflicts is the two-way policy: salesforce_wins, sheet_wins,
	// newest_wins or manual.
	Conflicts string
}

// DraftCondition is one condition: Field Op Value.
type DraftCondition struct {
	Field, Op, Value string
}

// DraftField maps one Salesforce field to a column.
type DraftField struct {
	Salesforce, Column string
	// Direction is "" (the workflow's), "inbound", "outbound" or "both".
	Direction string
	// Transform is a transform that takes no argument ("trim"), or "".
	Transform string
}

// SimpleTransforms are the transforms of package mapping that take no
// argument: those the builder offers in a list (the others are written
// in the YAML).
func SimpleTransforms() []string {
	var out []string
	for _, name := range mapping.StepNames() {
		if _, err := mapping.NewStep(name, nil); err == nil {
			out = append(out, name)
		}
	}
	return out
}

// Operators are the condition operators, as written in documents.
func Operators() []string {
	return []string{"=", "!=", "<", "<=", ">", ">=", "like", "in", "not in", "includes", "excludes", "is null", "is not null"}
}

// Conflicts are the two-way conflict policies, the default first.
func Conflicts() []workflow.Conflict {
	return []workflow.Conflict{workflow.SalesforceWins, workflow.SheetWins, workflow.NewestWins, workflow.ManualConflict}
}

// YAML writes the draft as a workflow document. Empty parts are left out;
// whatever is wrong (an unknown field, a required field unmapped) is for
// Check to report, at its line.
func (d Draft) YAML() string {
	var b strings.Builder
	line := func(key, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\n", key, scalar(value))
		}
	}
	b.WriteString("# Written by the sfbridge console's workflow builder; `sfbridge workflow apply` takes it as it is.\n")
	b.WriteString("version: 1\n")
	line("name", d.Name)
	line("org", d.Org)
	line("owner", d.Owner)
	fmt.Fprintf(&b, "enabled: %t\n\n", d.Enabled)
	line("object", d.Object)
	line("sheet", d.Sheet)
	line("direction", d.Direction)
	inbound, outbound := d.Direction != "outbound", d.Direction != "inbound"
	var conds []DraftCondition
	for _, c := range d.Conditions {
		if c.Field != "" && c.Op != "" {
			conds = append(conds, c)
		}
	}
	if inbound && len(conds) > 0 {
		b.WriteString("\nwhen:\n  all:\n")
		for _, c := range conds {
			fmt.Fprintf(&b, "    - { field: %s, op: %s", scalar(c.Field), strconv.Quote(c.Op))
			if c.Op != "is null" && c.Op != "is not null" {
				fmt.Fprintf(&b, ", value: %s", conditionValue(c.Op, c.Value))
			}
			b.WriteString(" }\n")
		}
	}
	if len(d.Fields) == 0 {
		b.WriteString("\nfields: [] # pick the fields to sync\n")
	} else {
		b.WriteString("\nfields:\n")
	}
	for _, f := range d.Fields {
		fmt.Fprintf(&b, "  - { salesforce: %s, column: %s", scalar(f.Salesforce), scalar(f.Column))
		if f.Direction != "" && f.Direction != d.Direction {
			fmt.Fprintf(&b, ", direction: %s", f.Direction)
		}
		if f.Transform != "" {
			fmt.Fprintf(&b, ", transform: [%s]", scalar(f.Transform))
		}
		b.WriteString(" }\n")
	}
	if outbound && d.Operation != "" {
		fmt.Fprintf(&b, "\noutbound:\n  operation: %s\n", scalar(d.Operation))
		if d.Operation == string(workflow.OpUpsert) && d.ExternalID != "" {
			fmt.Fprintf(&b, "  external_id: %s\n", scalar(d.ExternalID))
		}
	}
	if inbound && outbound && d.Conflicts != "" {
		fmt.Fprintf(&b, "conflicts: %s\n", scalar(d.Conflicts))
	}
	return b.String()
}

// ColumnName is the column the builder proposes for a Salesforce field
// path: its words in lower case joined by _ ("Owner.Name" → owner_name,
// "Ext_Id__c" → ext_id).
func ColumnName(field string) string {
	field = strings.TrimSuffix(field, "__c")
	var b strings.Builder
	rs := []rune(field)
	for i, r := range rs {
		lower := unicode.ToLower(r)
		switch {
		case r == '.' || r == '_':
			lower = '_'
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))):
			b.WriteRune('_')
		}
		if lower == '_' && strings.HasSuffix(b.String(), "_") {
			continue
		}
		b.WriteRune(lower)
	}
	return strings.Trim(b.String(), "_")
}

// plain matches what YAML reads back as the same string without quotes.
var plain = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.@/+-]*$`)

// scalar writes s as a YAML string: plain when YAML reads it back as the
// same string, double-quoted (JSON's escapes are YAML's) otherwise.
func scalar(s string) string {
	if plain.MatchString(s) && !slices.Contains([]string{"true", "false", "null", "yes", "no", "on", "off", "y", "n"}, strings.ToLower(s)) {
		return s
	}
	return quote(s)
}

// quote writes s double-quoted. Bytes that are not UTF-8 become U+FFFD
// first: Go escapes them as \xNN, which YAML reads as a character.
func quote(s string) string {
	return strconv.Quote(strings.ToValidUTF8(s, "\uFFFD"))
}

// number matches a plain number, written unquoted so that a numeric field
// compares with a number.
var number = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// conditionValue writes a condition's value: a list for the operators that
// take one (comma-separated in the builder), a number or a boolean as
// such, anything else as a string.
func conditionValue(op, v string) string {
	if op == "in" || op == "not in" || op == "includes" || op == "excludes" {
		var items []string
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, conditionValue("=", item))
			}
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	v = strings.TrimSpace(v)
	if number.MatchString(v) || v == "true" || v == "false" {
		return v
	}
	return quote(v)
}
