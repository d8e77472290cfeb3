package sfemu

import (
	"strings"
	"testing"
	"time"
)

func TestCursors(t *testing.T) {
	t.Parallel()
	var cs cursors
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id := cs.add(now, "u1", false, "result", 4500)
	if !strings.HasPrefix(id, "01g") || len(id) != 18 {
		t.Fatalf("locator id %q", id)
	}
	for _, tt := range []struct {
		user, locator string
		at            time.Duration
		ok            bool
		offset        int
	}{
		{"u1", id + "-2000", time.Minute, true, 2000},
		{"u1", id[:15] + "-4000", 2 * time.Minute, true, 4000},
		{"u1", id + "-4500", 3 * time.Minute, true, 4500},
		{"u1", id + "-4501", 3 * time.Minute, false, 0},
		{"u1", id + "--1", 3 * time.Minute, false, 0},
		{"u1", id, 3 * time.Minute, false, 0},
		{"u2", id + "-2000", 3 * time.Minute, false, 0},
		{"u1", "01g000000000000AAA-2000", 3 * time.Minute, false, 0},
		{"u1", id + "-2000", 3*time.Minute + cursorIdle - time.Second, true, 2000}, // each read keeps it open
		{"u1", id + "-2000", 4*time.Minute + 2*cursorIdle, false, 0},
	} {
		c, off, ok := cs.get(now.Add(tt.at), tt.user, tt.locator)
		if ok != tt.ok || off != tt.offset || (ok && c.result != "result") {
			t.Errorf("get(%s, %s) = %v, %d, %v; want ok %v offset %d", tt.user, tt.locator, c, off, ok, tt.ok, tt.offset)
		}
	}

	// A user's oldest cursor closes when they open one too many.
	first := cs.add(now, "u3", false, 1, 10)
	for i := range cursorsPerUser {
		cs.add(now.Add(time.Duration(i+1)*time.Second), "u3", false, i, 10)
	}
	if _, _, ok := cs.get(now.Add(time.Hour/60), "u3", first+"-0"); ok {
		t.Error("the least recently used cursor is still open")
	}
}
