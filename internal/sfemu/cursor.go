package sfemu

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfid"
)

// Query cursors: a query result too big for one page stays open for its
// next pages, which clients fetch through nextRecordsUrl
// (/services/data/v60.0/query/01g...-2000).
const (
	// cursorIdle is how long an unread cursor lives.
	cursorIdle = 15 * time.Minute
	// cursorsPerUser bounds the open cursors of a user; opening one more
	// closes the least recently used. (Salesforce allows 10; sync engines
	// that run many workflows as one user need a little more room.)
	cursorsPerUser = 50
)

// cursor is an open query result.
type cursor struct {
	id      string
	userID  string
	all     bool // queryAll
	result  any  // the query engine's result
	total   int
	lastUse time.Time
}

// cursors holds the open query cursors.
type cursors struct {
	mu   sync.Mutex
	seq  uint64
	open map[string]*cursor
}

// add opens a cursor for a result and returns its locator ID.
func (cs *cursors) add(now time.Time, userID string, all bool, result any, total int) string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.open == nil {
		cs.open = map[string]*cursor{}
	}
	cs.expireLocked(now)
	var oldest *cursor
	n := 0
	for _, c := range cs.open {
		if c.userID != userID {
			continue
		}
		n++
		if oldest == nil || c.lastUse.Before(oldest.lastUse) {
			oldest = c
		}
	}
	if n >= cursorsPerUser {
		delete(cs.open, oldest.id)
	}
	cs.seq++
	id, _ := sfid.New("01g", "00", cs.seq) // the sequence stays far below sfid.MaxNumber
	cs.open[id] = &cursor{id: id, userID: userID, all: all, result: result, total: total, lastUse: now}
	return id
}

// get returns the cursor of a locator ("01g...-2000" gives the cursor and
// offset 2000) when it is open, belongs to the user, and the offset lies
// within the result.
func (cs *cursors) get(now time.Time, userID, locator string) (*cursor, int, bool) {
	id, off, ok := strings.Cut(locator, "-")
	if !ok {
		return nil, 0, false
	}
	offset, err := strconv.Atoi(off)
	if err != nil || offset < 0 {
		return nil, 0, false
	}
	id18, err := sfid.To18(id)
	if err != nil {
		return nil, 0, false
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.expireLocked(now)
	c, ok := cs.open[id18]
	if !ok || c.userID != userID || offset > c.total {
		return nil, 0, false
	}
	c.lastUse = now
	return c, offset, true
}

// expireLocked closes the cursors idle for too long. cs.mu must be held.
func (cs *cursors) expireLocked(now time.Time) {
	for id, c := range cs.open {
		if now.Sub(c.lastUse) >= cursorIdle {
			delete(cs.open, id)
		}
	}
}

// clear closes every cursor (an org reset).
func (cs *cursors) clear() {
	cs.mu.Lock()
	clear(cs.open)
	cs.mu.Unlock()
}
