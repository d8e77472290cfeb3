package recipe_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/recipe"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// TestDraftOfRoundTrip reads every document the builder wrote
// (testdata/drafts, pinned by TestDraftYAML) back into a draft and writes
// it again: the same bytes, so that opening a builder-made workflow in the
// builder and saving it changes nothing.
func TestDraftOfRoundTrip(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join("testdata", "drafts", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no builder documents in testdata/drafts: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			doc, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			d, err := recipe.DraftOf(doc)
			if err != nil {
				t.Fatalf("DraftOf refused a document the builder wrote: %v", err)
			}
			if diff := cmp.Diff(string(doc), d.YAML()); diff != "" {
				t.Errorf("document -> draft -> document differs (-read +written):\n%s", diff)
			}
		})
	}
}

// TestDraftOf pins what DraftOf makes of documents written by hand
// (testdata/draftof/*.yaml): the document the builder would write back, or
// every reason it refuses (-update rewrites the .golden files).
func TestDraftOf(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join("testdata", "draftof", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no documents in testdata/draftof: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			doc, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			d, err := recipe.DraftOf(doc)
			if nb, ok := errors.AsType[*recipe.NotBuildableError](err); ok {
				if !errors.Is(err, recipe.ErrNotBuildable) || len(nb.Reasons) == 0 {
					t.Errorf("refused without a reason or the sentinel: %v", err)
				}
				got = "not buildable:\n- " + strings.Join(nb.Reasons, "\n- ") + "\n"
			} else if err != nil {
				t.Fatal(err)
			} else {
				got = d.YAML()
				sameMeaning(t, doc, []byte(got))
			}
			golden := strings.TrimSuffix(path, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", golden, diff)
			}
		})
	}
}

// sameMeaning fails unless both documents read as the same workflow, the
// ways of writing one thing aside (a condition alone or in all: [...], a
// field's direction that is the workflow's written or not).
func sameMeaning(t *testing.T, a, b []byte) {
	t.Helper()
	da, err := workflow.Parse(a)
	if err != nil {
		t.Fatal(err)
	}
	db, err := workflow.Parse(b)
	if err != nil {
		t.Fatalf("the written document does not parse: %v\n%s", err, b)
	}
	if diff := cmp.Diff(recipe.Canonical(da), recipe.Canonical(db)); diff != "" {
		t.Errorf("the written document means something else (-read +written):\n%s", diff)
	}
}

// FuzzDraftOf checks DraftOf on any document: it never panics, and what it
// accepts it writes back with the same meaning; a document the builder
// wrote from any draft it accepts and writes back byte for byte.
func FuzzDraftOf(f *testing.F) {
	for _, s := range []string{"hot-leads", "Hot", "a, b", "50", "true", "\"q\"", "é", "# not a comment", "x: y"} {
		f.Add(s, "=", s)
	}
	f.Add("leads", "in", "Web, Phone Inquiry")
	f.Add("leads", "is null", "")
	for _, p := range []string{"drafts/two-way-leads.yaml", "draftof/cli-written.yaml", "draftof/everything-else.yaml"} {
		doc, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(doc), "", "")
	}
	f.Fuzz(func(t *testing.T, text, op, value string) {
		if op == "" { // text is a whole document
			d, err := recipe.DraftOf([]byte(text))
			if err == nil {
				sameMeaning(t, []byte(text), []byte(d.YAML()))
			} else if !errors.Is(err, recipe.ErrNotBuildable) {
				t.Fatalf("DraftOf: %v, want ErrNotBuildable", err)
			}
			return
		}
		doc := recipe.Draft{Name: "leads", Org: text, Owner: "ana", Object: "Lead", Sheet: "leads", Direction: "both",
			Conditions: []recipe.DraftCondition{{Field: "Rating", Op: op, Value: value}},
			Fields:     []recipe.DraftField{{Salesforce: "LastName", Column: "last_name", Transform: "trim"}}}.YAML()
		if _, err := workflow.Parse([]byte(doc)); err != nil {
			return // the builder's validation reports it
		}
		d, err := recipe.DraftOf([]byte(doc))
		if err != nil {
			if strings.Contains(value, ",") {
				return // a list item holding a comma, or "a, b" that = compares whole
			}
			t.Fatalf("DraftOf refused a valid builder document: %v\n%s", err, doc)
		}
		if got := d.YAML(); got != doc {
			t.Fatalf("round trip differs:\n%s\nvs\n%s", doc, got)
		}
	})
}
