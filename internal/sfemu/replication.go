package sfemu

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// Replication windows: getUpdated reaches 30 days back, getDeleted 15.
const (
	updatedWindow = 30 * 24 * time.Hour
	deletedWindow = 15 * 24 * time.Hour
)

// wireTime is how REST renders datetimes.
const wireTime = "2006-01-02T15:04:05.000-0700"

// replicationTimeLayouts are the ISO 8601 forms start and end may take.
var replicationTimeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", "2006-01-02T15:04Z07:00",
}

func invalidReplicationDate(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, "INVALID_REPLICATION_DATE", fmt.Sprintf(format, args...))
}

// replicationWindow reads getUpdated/getDeleted's start and end: both
// required, seconds dropped (Salesforce works by the minute), end after
// start, start no further back than reach, end not in the future (it is
// capped to now).
func replicationWindow(q url.Values, now time.Time, reach time.Duration) (start, end time.Time, err error) {
	parse := func(name string) (time.Time, error) {
		s := q.Get(name)
		if s == "" {
			return time.Time{}, newAPIError(http.StatusBadRequest, "MISSING_ARGUMENT",
				fmt.Sprintf("Missing required parameter: %s. Give a date and time such as 2026-05-06T00:00:00+00:00 (URL-encode the '+').", name))
		}
		for _, layout := range replicationTimeLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC().Truncate(time.Minute), nil
			}
		}
		return time.Time{}, newAPIError(http.StatusBadRequest, "INVALID_DATE_FORMAT",
			fmt.Sprintf("%s: %q is not a valid date and time; use ISO 8601 such as 2026-05-06T00:00:00+00:00 (URL-encode the '+' as %%2B)", name, s))
	}
	if start, err = parse("start"); err != nil {
		return start, end, err
	}
	if end, err = parse("end"); err != nil {
		return start, end, err
	}
	now = now.UTC().Truncate(time.Minute)
	if end.After(now) {
		end = now
	}
	switch {
	case !end.After(start):
		return start, end, invalidReplicationDate("endDate must chronologically follow the startDate")
	case start.Before(now.Add(-reach)):
		return start, end, invalidReplicationDate("startDate cannot be more than %d days ago", int(reach.Hours()/24))
	}
	return start, end, nil
}

// replicationCall resolves what a replication call reads: the object of the
// URL, the session's user and the ?start=&end= window, which may reach back
// at most reach. The window is checked before the session.
func (e *Emulator) replicationCall(c *call, reach time.Duration) (o *schema.Object, as *org.Principal, start, end time.Time, err error) {
	if o, err = c.object(); err != nil {
		return nil, nil, time.Time{}, time.Time{}, err
	}
	if start, end, err = replicationWindow(c.r.URL.Query(), e.clock.Now(), reach); err != nil {
		return nil, nil, time.Time{}, time.Time{}, err
	}
	if as, err = c.as(); err != nil {
		return nil, nil, time.Time{}, time.Time{}, err
	}
	return o, as, start, end, nil
}

// getUpdated serves GET /sobjects/{object}/updated?start=&end=.
func (e *Emulator) getUpdated(c *call) error {
	o, as, start, end, err := e.replicationCall(c, updatedWindow)
	if err != nil {
		return err
	}
	ids, err := c.org.Updated(as, o.Name, start, end)
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, struct {
		IDs               []string `json:"ids"`
		LatestDateCovered string   `json:"latestDateCovered"`
	}{ids, end.Format(wireTime)})
}

// deletedEntry is one entry of getDeleted.
type deletedEntry struct {
	ID          string `json:"id"`
	DeletedDate string `json:"deletedDate"`
}

// getDeleted serves GET /sobjects/{object}/deleted?start=&end=.
func (e *Emulator) getDeleted(c *call) error {
	o, as, start, end, err := e.replicationCall(c, deletedWindow)
	if err != nil {
		return err
	}
	recs, earliest, err := c.org.Deleted(as, o.Name, start, end)
	if err != nil {
		return err
	}
	out := make([]deletedEntry, len(recs))
	for i, d := range recs {
		out[i] = deletedEntry{ID: d.ID, DeletedDate: d.DeletedDate.UTC().Format(wireTime)}
	}
	return c.json(http.StatusOK, struct {
		DeletedRecords        []deletedEntry `json:"deletedRecords"`
		EarliestDateAvailable string         `json:"earliestDateAvailable"`
		LatestDateCovered     string         `json:"latestDateCovered"`
	}{out, earliest.UTC().Truncate(time.Minute).Format(wireTime), end.Format(wireTime)})
}
