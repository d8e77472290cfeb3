package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// TestExamplesOnEmulator validates the sample workflows against the
// emulator's standard objects, the demo org "sfbridge demo" installs them
// in: a sample that does not fit it would break the demo.
func TestExamplesOnEmulator(t *testing.T) {
	t.Parallel()
	env := emulatorEnv()
	for _, file := range yamlFiles(t, "../../examples") {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Load(context.Background(), filepath.Base(file), data, env); err != nil {
			t.Error(err)
		}
	}
}

// emulatorEnv compiles against the emulator's standard objects.
func emulatorEnv() Env {
	reg := schema.Standard()
	return Env{
		Orgs: []string{"demo"},
		Describe: func(_ context.Context, object string) (*salesforce.SObjectDescribe, error) {
			o := reg.Object(object)
			if o == nil {
				return nil, ErrObjectNotFound
			}
			body, err := o.Describe(schema.DescribeOptions{Version: "60.0"})
			if err != nil {
				return nil, err
			}
			var d salesforce.SObjectDescribe
			if err := json.Unmarshal(body, &d); err != nil {
				return nil, fmt.Errorf("decoding the emulator's describe of %s: %w", object, err)
			}
			return &d, nil
		},
	}
}
