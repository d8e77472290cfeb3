package sfemu

import (
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// maxRecent is how many recently viewed records are kept per user.
const maxRecent = 200

// recentViews remembers, per user, the records they retrieved most
// recently (the REST API's notion of "recently viewed").
type recentViews struct {
	mu     sync.Mutex
	byUser map[string][]string // record IDs, most recent first
}

// viewed records that the user retrieved a record.
func (rv *recentViews) viewed(userID, recordID string) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if rv.byUser == nil {
		rv.byUser = map[string][]string{}
	}
	ids := slices.DeleteFunc(rv.byUser[userID], func(id string) bool { return id == recordID })
	ids = slices.Insert(ids, 0, recordID)
	rv.byUser[userID] = ids[:min(len(ids), maxRecent)]
}

// list returns the user's recently viewed record IDs, most recent first.
func (rv *recentViews) list(userID string) []string {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return slices.Clone(rv.byUser[userID])
}

// clear forgets everything (an org reset).
func (rv *recentViews) clear() {
	rv.mu.Lock()
	clear(rv.byUser)
	rv.mu.Unlock()
}

// recentLimit reads ?limit= (default and maximum 200).
func recentLimit(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return maxRecent, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, newAPIError(http.StatusBadRequest, "INVALID_INPUT",
			"limit must be a whole number from 1 to 200, not "+strconv.Quote(s))
	}
	return min(n, maxRecent), nil
}

// recentItem is an entry of /recent and of a basic info's recentItems.
func (e *Emulator) appendRecentItem(dst []byte, c *call, o *schema.Object, rec schema.Record) []byte {
	fields := []*schema.Field{o.Field("Id")}
	if o.NameField != nil {
		fields = append(fields, o.NameField)
	}
	return appendRecord(dst, c.v, o, rec, fields)
}

// recentRecords returns the user's recently viewed records that still
// exist and are visible, most recent first, of object o (nil: any).
func (e *Emulator) recentRecords(c *call, o *schema.Object, limit int) ([]byte, error) {
	as, err := c.as()
	if err != nil {
		return nil, err
	}
	reg := c.org.Registry()
	dst := []byte{'['}
	n := 0
	for _, id := range e.recent.list(c.sess.UserID) {
		if n == limit {
			break
		}
		rec, err := c.org.Get(as, id)
		if err != nil {
			continue
		}
		ro := reg.Object(rec.Object())
		if ro == nil || (o != nil && ro != o) {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = e.appendRecentItem(dst, c, ro, rec)
		n++
	}
	return append(dst, ']'), nil
}

// recentHandler serves GET /recent[?limit=N].
func (e *Emulator) recentHandler(c *call) error {
	limit, err := recentLimit(c.r)
	if err != nil {
		return err
	}
	body, err := e.recentRecords(c, nil, limit)
	return c.rawJSON(http.StatusOK, body, err)
}
