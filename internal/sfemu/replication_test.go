package sfemu

import (
	"net/url"
	"testing"
	"time"
)

func TestReplicationWindow(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 20, 12, 34, 56, 0, time.UTC)
	tests := []struct {
		start, end         string
		wantStart, wantEnd string
		wantCode           string
	}{
		{"2026-05-19T00:00:00+00:00", "2026-05-20T00:00:00+00:00", "2026-05-19T00:00:00Z", "2026-05-20T00:00:00Z", ""},
		{"2026-05-19T10:15:42Z", "2026-05-19T11:00:59.999Z", "2026-05-19T10:15:00Z", "2026-05-19T11:00:00Z", ""},
		{"2026-05-19T02:00:00+02:00", "2026-05-19T12:00:00.000+0000", "2026-05-19T00:00:00Z", "2026-05-19T12:00:00Z", ""},
		{"2026-05-19T00:00:00Z", "2026-06-01T00:00:00Z", "2026-05-19T00:00:00Z", "2026-05-20T12:34:00Z", ""}, // end capped to now
		{"", "2026-05-20T00:00:00Z", "", "", "MISSING_ARGUMENT"},
		{"2026-05-19T00:00:00Z", "", "", "", "MISSING_ARGUMENT"},
		{"yesterday", "2026-05-20T00:00:00Z", "", "", "INVALID_DATE_FORMAT"},
		{"2026-05-19 00:00:00 00:00", "2026-05-20T00:00:00Z", "", "", "INVALID_DATE_FORMAT"}, // an unencoded '+' arrives as a space
		{"2026-05-20T00:00:00Z", "2026-05-19T00:00:00Z", "", "", "INVALID_REPLICATION_DATE"},
		{"2026-05-19T10:15:10Z", "2026-05-19T10:15:50Z", "", "", "INVALID_REPLICATION_DATE"}, // same minute
		{"2026-04-01T00:00:00Z", "2026-05-20T00:00:00Z", "", "", "INVALID_REPLICATION_DATE"},
	}
	for _, tt := range tests {
		q := url.Values{}
		if tt.start != "" {
			q.Set("start", tt.start)
		}
		if tt.end != "" {
			q.Set("end", tt.end)
		}
		start, end, err := replicationWindow(q, now, updatedWindow)
		if tt.wantCode != "" {
			if ae, ok := err.(*apiError); !ok || ae.Code != tt.wantCode {
				t.Errorf("%s..%s: err = %v, want %s", tt.start, tt.end, err, tt.wantCode)
			}
			continue
		}
		if err != nil || start.Format(time.RFC3339) != tt.wantStart || end.Format(time.RFC3339) != tt.wantEnd {
			t.Errorf("%s..%s = %s..%s, %v; want %s..%s", tt.start, tt.end, start.Format(time.RFC3339), end.Format(time.RFC3339), err, tt.wantStart, tt.wantEnd)
		}
	}
}
