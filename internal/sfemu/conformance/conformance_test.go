package conformance

import (
	"net/http/httptest"
	"os"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu"
)

// startEmulator serves an empty org with the conformance schema (an
// external ID on Account) and returns its base URL.
func startEmulator(t *testing.T) string {
	t.Helper()
	emu, err := sfemu.New(sfemu.Options{Seed: "empty", SchemaFile: "testdata/schema.yaml"})
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return srv.URL
}

// needs skips the test with reason when a tool it needs is missing, except
// in CI, where .ci/run installs every such tool and a missing one fails.
func needs(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI must run this test, but %s", reason)
	}
	t.Skip(reason)
}
