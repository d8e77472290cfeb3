package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

func TestExitCode(t *testing.T) {
	base := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"unmarked", base, ExitInternal},
		{"invalid", invalid(base), ExitInvalid},
		{"environment", environment(base), ExitEnvironment},
		{"wrapped invalid", fmt.Errorf("doing: %w", invalid(base)), ExitInvalid},
		{"the first mark wins", environment(fmt.Errorf("doing: %w", invalid(base))), ExitInvalid},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exitCode = %d, want %d", tt.name, got, tt.want)
		}
	}
	if invalid(nil) != nil || environment(nil) != nil {
		t.Error("marking nil must give nil")
	}
}

func TestCellText(t *testing.T) {
	long := strings.Repeat("é", maxCell+5)
	tests := []struct {
		in   any
		want string
	}{
		{nil, ""},
		{"Acme", "Acme"},
		{"two\tlines\nhere", "two lines here"},
		{12.5, "12.5"},
		{1e21, "1000000000000000000000"},
		{true, "true"},
		{[]string{"A", "B"}, "A;B"},
		{sheet.Address{City: "Paris"}, `{"city":"Paris"}`},
		{long, strings.Repeat("é", maxCell-1) + "…"},
	}
	for _, tt := range tests {
		if got := cellText(tt.in); got != tt.want {
			t.Errorf("cellText(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHowToFix(t *testing.T) {
	org := func(s store.State) store.Org { return store.Org{Name: "prod", State: s, StateReason: "why"} }
	conn := func(s store.State) store.Connection { return store.Connection{State: s} }
	tests := []struct {
		name  string
		org   store.Org
		conns []store.Connection
		want  string
	}{
		{"connected", org(store.StateConnected), []store.Connection{conn(store.StateConnected)}, ""},
		{"never connected", org(store.StateConnected), nil, "no connection yet; fix: sfbridge org connect prod"},
		{"needs reauth", org(store.StateNeedsReauth), []store.Connection{conn(store.StateNeedsReauth)}, "why; fix: sfbridge org connect prod"},
		{"reconnected", org(store.StateNeedsReauth), []store.Connection{conn(store.StateConnected)}, "resumes at its next poll"},
		{"paused", org(store.StatePausedLimit), nil, "why"},
		{"paused, no reason", store.Org{State: store.StatePausedLimit}, nil, "resumes by itself"},
	}
	for _, tt := range tests {
		got := howToFix(tt.org, tt.conns)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: howToFix = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAgoAndLag(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if got := ago(now, time.Time{}); got != "never" {
		t.Errorf("ago(zero) = %q", got)
	}
	if got := ago(now, now.Add(-90*time.Second-300*time.Millisecond)); got != "1m30s ago" {
		t.Errorf("ago = %q, want 1m30s ago", got)
	}
	if got := lagLabel(now, store.WorkflowState{}); got != "-" {
		t.Errorf("lag of a workflow never synced = %q, want -", got)
	}
	if got := lagLabel(now, store.WorkflowState{SyncedTo: now.Add(-time.Minute)}); got != "1m0s" {
		t.Errorf("lag = %q, want 1m0s", got)
	}
}
