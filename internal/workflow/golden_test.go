package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/soql"
)

// renderPlan writes what a valid file compiles to: the query, then the
// definition and the plan as JSON.
func renderPlan(t *testing.T, def *Definition, plan *Plan) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("# query\n" + plan.SOQL() + "\n\n# definition\n")
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(def); err != nil {
		t.Fatal(err)
	}
	b.WriteString("\n# plan\n")
	if err := enc.Encode(plan); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func yamlFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflow files in %s: %v", dir, err)
	}
	return files
}

// TestValidFiles compiles every file of testdata/valid and compares the
// query, the definition and the plan with its golden file.
func TestValidFiles(t *testing.T) {
	t.Parallel()
	for _, file := range yamlFiles(t, "testdata/valid") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			_, env := setup(t)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			def, plan, err := Load(context.Background(), filepath.Base(file), data, env)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(file, ".yaml")+".golden", renderPlan(t, def, plan))
			roundTrip(t, def)
			parsesAsSOQL(t, plan)
		})
	}
}

// TestInvalidFiles checks every file of testdata/invalid fails with the
// problems of its golden file: all of them, with their positions.
func TestInvalidFiles(t *testing.T) {
	t.Parallel()
	for _, file := range yamlFiles(t, "testdata/invalid") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			_, env := setup(t)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			_, plan, err := Load(context.Background(), filepath.Base(file), data, env)
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) || plan != nil {
				t.Fatalf("Load: plan %v, error %v; want a *ValidationError", plan != nil, err)
			}
			golden(t, strings.TrimSuffix(file, ".yaml")+".golden", []byte(err.Error()+"\n"))
		})
	}
}

// TestExamples validates every sample workflow of examples/ against the
// test org (the demo org's objects).
func TestExamples(t *testing.T) {
	t.Parallel()
	for _, file := range yamlFiles(t, "../../examples") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			_, env := setup(t)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			def, plan, err := Load(context.Background(), filepath.Base(file), data, env)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Workflow+".yaml" != filepath.Base(file) {
				t.Errorf("workflow %q lives in %s: name the file after the workflow", plan.Workflow, file)
			}
			roundTrip(t, def)
			parsesAsSOQL(t, plan)
		})
	}
}

// parsesAsSOQL checks that the plan's query is SOQL the emulator's parser
// accepts.
func parsesAsSOQL(t *testing.T, plan *Plan) {
	t.Helper()
	if _, err := soql.Parse(plan.SOQL()); err != nil {
		t.Fatalf("the plan's query does not parse: %v\n%s", err, plan.SOQL())
	}
}

// roundTrip checks that the definition marshals to JSON that parses back
// to the same definition.
func roundTrip(t *testing.T, def *Definition) {
	t.Helper()
	first, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(first)
	if err != nil {
		t.Fatalf("the JSON form does not parse back: %v\n%s", err, first)
	}
	second, err := json.Marshal(again)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("JSON round trip changed the definition:\n%s\n%s", first, second)
	}
}
