// Package clock is the emulator's movable clock. Tests and the admin API move
// it forward to make sessions expire, date literals roll over and API limits
// reset, without waiting.
package clock

import (
	"sync"
	"time"
)

// Clock tells the emulator's time: the real time plus an offset that only
// grows or is set explicitly. The zero value is not usable; call New.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	now    func() time.Time
	last   time.Time
}

// New returns a clock that follows the real time.
func New() *Clock { return &Clock{now: time.Now} }

// Now returns the current emulator time in UTC, truncated to milliseconds
// (Salesforce keeps milliseconds). Successive calls never go backwards.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now().Add(c.offset).UTC().Truncate(time.Millisecond)
	if t.Before(c.last) {
		t = c.last
	}
	c.last = t
	return t
}

// Advance moves the clock forward by d (d must be positive).
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Set moves the clock to t. Moving it back is allowed (for tests of date
// literals) and resets the monotonic guard.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.offset = t.Sub(c.now())
	c.last = time.Time{}
	c.mu.Unlock()
}
