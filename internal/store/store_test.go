package store_test

import (
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

func TestQuoteIdent(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"account_name": `"account_name"`,
		`we"ird`:       `"we""ird"`,
		"":             `""`,
		`""`:           `""""""`,
	} {
		if got := store.QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestEscapeLike(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain": "plain",
		"100%":  `100\%`,
		"a_b":   `a\_b`,
		`back\`: `back\\`,
		`%_\ é`: `\%\_\\ é`,
		"":      "",
	} {
		if got := store.EscapeLike(in); got != want {
			t.Errorf("EscapeLike(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWorkflowStateLag(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		synced time.Time
		lag    time.Duration
		ok     bool
	}{
		{time.Time{}, 0, false},
		{now.Add(-5 * time.Minute), 5 * time.Minute, true},
		{now.Add(time.Minute), 0, true}, // a clock ahead of ours is no lag, not a negative one
	}
	for _, tt := range tests {
		lag, ok := store.WorkflowState{SyncedTo: tt.synced}.Lag(now)
		if lag != tt.lag || ok != tt.ok {
			t.Errorf("Lag(synced %v) = %v, %v; want %v, %v", tt.synced, lag, ok, tt.lag, tt.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for attempts, want := range map[int]time.Duration{
		0: 30 * time.Second, 1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 7: 32 * time.Minute, 8: time.Hour, 50: time.Hour,
	} {
		if got := store.Backoff(attempts); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", attempts, got, want)
		}
	}
}
