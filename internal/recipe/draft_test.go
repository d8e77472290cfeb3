package recipe_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/recipe"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestDraftYAML pins the documents the builder writes (-update rewrites
// testdata/drafts/*.yaml) and reads each back: what the builder writes is
// a workflow the parser takes, with the values it was given.
func TestDraftYAML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		draft recipe.Draft
	}{
		{"two-way-leads", recipe.Draft{Name: "hot-leads", Org: "demo", Owner: "ana@example.com", Enabled: true,
			Object: "Lead", Sheet: "hot_leads", Direction: "both", Operation: "create", Conflicts: "newest_wins",
			Conditions: []recipe.DraftCondition{{"Rating", "=", "Hot"}, {"Status", "!=", "Closed - Converted"},
				{"NumberOfEmployees", ">", "50"}, {"LeadSource", "in", "Web, Phone Inquiry"}, {"Email", "is not null", "ignored"}, {"", "=", "x"}},
			Fields: []recipe.DraftField{{Salesforce: "LastName", Column: "last_name", Transform: "trim"},
				{Salesforce: "Company", Column: "company"},
				{Salesforce: "Owner.Name", Column: "owner", Direction: "inbound"},
				{Salesforce: "Description", Column: "notes", Direction: "both"}}}},
		{"outbound-upsert", recipe.Draft{Name: "signups", Org: "demo org", Owner: "bob@example.com",
			Object: "Contact", Sheet: "signups", Direction: "outbound", Operation: "upsert", ExternalID: "Ext_Id__c", Conflicts: "manual",
			Conditions: []recipe.DraftCondition{{"Email", "like", "%@example.com"}},
			Fields:     []recipe.DraftField{{Salesforce: "Ext_Id__c", Column: "key"}, {Salesforce: "LastName", Column: "true"}}}},
		{"inbound-bare", recipe.Draft{Name: "accounts", Org: "demo", Owner: "ana@example.com", Object: "Account", Sheet: "accounts",
			Direction: "inbound", Operation: "create", Conflicts: "sheet_wins", Fields: []recipe.DraftField{{Salesforce: "Name", Column: "name"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.draft.YAML()
			path := filepath.Join("testdata", "drafts", tc.name+".yaml")
			if *update {
				if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if diff := cmp.Diff(string(want), doc); diff != "" {
				t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
			}
			def, err := workflow.Parse([]byte(doc))
			if err != nil {
				t.Fatalf("the draft does not parse: %v", err)
			}
			d := tc.draft
			if def.Name != d.Name || def.Org != d.Org || def.Owner != d.Owner || def.Object != d.Object || def.Sheet != d.Sheet ||
				def.Direction.String() != d.Direction || def.Enabled != d.Enabled {
				t.Errorf("read back as %+v", def)
			}
			var cols []string
			for _, f := range def.Fields {
				cols = append(cols, f.Column)
			}
			var want2 []string
			for _, f := range d.Fields {
				want2 = append(want2, f.Column)
			}
			if !slices.Equal(cols, want2) {
				t.Errorf("columns read back %q, want %q", cols, want2)
			}
		})
	}
}

func TestDraftWithoutFieldsSaysSo(t *testing.T) {
	t.Parallel()
	_, err := workflow.Parse([]byte(recipe.Draft{Name: "a", Org: "demo", Owner: "ana", Object: "Lead", Sheet: "a", Direction: "inbound"}.YAML()))
	var ve *workflow.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Path != "fields" {
		t.Errorf("a draft without fields: %v, want one problem at fields", err)
	}
}

func TestColumnName(t *testing.T) {
	t.Parallel()
	for field, want := range map[string]string{
		"LastName": "last_name", "Owner.Name": "owner_name", "Ext_Id__c": "ext_id", "BillingAddress": "billing_address",
		"NumberOfEmployees": "number_of_employees", "SLAExpirationDate__c": "sla_expiration_date", "Id": "id", "X2nd__c": "x2nd",
	} {
		if got := recipe.ColumnName(field); got != want {
			t.Errorf("ColumnName(%q) = %q, want %q", field, got, want)
		}
	}
}

func TestSimpleTransformsTakeNoArgument(t *testing.T) {
	t.Parallel()
	got := recipe.SimpleTransforms()
	for _, want := range []string{"lower", "trim", "upper"} {
		if !slices.Contains(got, want) {
			t.Errorf("SimpleTransforms() = %v, lacks %s", got, want)
		}
	}
	if slices.Contains(got, "map") || slices.Contains(got, "replace") {
		t.Errorf("SimpleTransforms() = %v offers transforms that need an argument", got)
	}
}

// FuzzDraftYAML checks that whatever people type in the builder, the
// document it writes is YAML that reads back with the same name, sheet and
// condition value: quoting never breaks the document.
func FuzzDraftYAML(f *testing.F) {
	for _, s := range []string{"hot-leads", "a: b", "#x", "\"quoted\"", "yes", "1.5", "multi\nline", "tab\there", "- dash", "{x}", "[y]", "é", "\x00", "'"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		d := recipe.Draft{Name: name, Org: "demo", Owner: "ana", Object: "Lead", Sheet: name, Direction: "both",
			Conditions: []recipe.DraftCondition{{Field: "Rating", Op: "=", Value: value}},
			Fields:     []recipe.DraftField{{Salesforce: "LastName", Column: name}}}
		doc := d.YAML()
		def, err := workflow.Parse([]byte(doc))
		var ve *workflow.ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("reading the draft: %v\n%s", err, doc)
		}
		if ve != nil {
			for _, p := range ve.Problems {
				if p.Code == workflow.CodeSyntax {
					t.Fatalf("the draft is not valid YAML: %v\n%s", p, doc)
				}
			}
		}
		if def == nil {
			t.Fatalf("nothing read back from\n%s", doc)
		}
	})
}
