package salesforce

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// LimitInfoHeader is the response header in which Salesforce reports the
// org's API usage, e.g. "api-usage=18/5000; per-app-api-usage=17/250(appName=sfbridge)".
const LimitInfoHeader = "Sforce-Limit-Info"

// Usage is what one Sforce-Limit-Info header said.
type Usage struct {
	Used, Max int // org-wide daily API requests (api-usage)
	// AppUsed, AppMax and AppName are the connected app's own allocation
	// (per-app-api-usage); zero when the header has none.
	AppUsed, AppMax int
	AppName         string
}

// ParseLimitInfo parses a Sforce-Limit-Info header value. Entries are
// separated by ';' or ','; unknown entries are ignored. It fails when the
// header has no well-formed api-usage entry.
func ParseLimitInfo(header string) (Usage, error) {
	var u Usage
	found := false
	for entry := range strings.FieldsFuncSeq(header, func(r rune) bool { return r == ';' || r == ',' }) {
		key, value, ok := strings.Cut(strings.TrimSpace(entry), "=")
		if !ok {
			continue
		}
		switch key {
		case "api-usage":
			used, limit, err := parseFraction(value)
			if err != nil {
				return Usage{}, fmt.Errorf("parsing %s %q: %w", LimitInfoHeader, header, err)
			}
			u.Used, u.Max, found = used, limit, true
		case "per-app-api-usage":
			frac, rest, _ := strings.Cut(value, "(")
			used, limit, err := parseFraction(frac)
			if err != nil {
				return Usage{}, fmt.Errorf("parsing %s %q: %w", LimitInfoHeader, header, err)
			}
			u.AppUsed, u.AppMax = used, limit
			if name, ok := strings.CutPrefix(strings.TrimSuffix(rest, ")"), "appName="); ok {
				u.AppName = name
			}
		}
	}
	if !found {
		return Usage{}, fmt.Errorf("parsing %s %q: no api-usage=N/M entry", LimitInfoHeader, header)
	}
	return u, nil
}

func parseFraction(s string) (used, limit int, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, 0, fmt.Errorf("%q is not used/max", s)
	}
	if used, err = strconv.Atoi(a); err != nil || used < 0 {
		return 0, 0, fmt.Errorf("%q is not used/max", s)
	}
	if limit, err = strconv.Atoi(b); err != nil || limit < 0 {
		return 0, 0, fmt.Errorf("%q is not used/max", s)
	}
	return used, limit, nil
}

// BudgetSnapshot is the state of a Budget at one moment.
type BudgetSnapshot struct {
	Usage
	// Seen is when the usage was last reported; zero if never.
	Seen time.Time
}

// Remaining is Max-Used, never negative.
func (s BudgetSnapshot) Remaining() int { return max(s.Max-s.Used, 0) }

// Budget tracks one org's daily API usage as Salesforce reports it on every
// response. Share one Budget between all the clients that talk to the same
// org (every user's connection counts against the org's limit). The zero value
// is ready to use; it is safe for concurrent use.
type Budget struct {
	mu        sync.Mutex
	snap      BudgetSnapshot
	observers []func(BudgetSnapshot)
}

// Observe registers fn to be called after each update, with the new
// snapshot. fn runs on the goroutine that made the API call: keep it short.
func (b *Budget) Observe(fn func(BudgetSnapshot)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.observers = append(b.observers, fn)
}

// Update records usage reported at time at. Reports older than the last one
// are ignored, so that responses arriving out of order do not move the
// figures backwards in time.
func (b *Budget) Update(u Usage, at time.Time) {
	b.mu.Lock()
	if at.Before(b.snap.Seen) {
		b.mu.Unlock()
		return
	}
	b.snap = BudgetSnapshot{Usage: u, Seen: at}
	snap, observers := b.snap, b.observers
	b.mu.Unlock()
	for _, fn := range observers {
		fn(snap)
	}
}

// Snapshot returns the latest figures.
func (b *Budget) Snapshot() BudgetSnapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.snap
}

// Used returns the requests used in the current 24-hour window.
func (b *Budget) Used() int { return b.Snapshot().Used }

// Max returns the org's daily limit.
func (b *Budget) Max() int { return b.Snapshot().Max }

// Remaining returns Max-Used.
func (b *Budget) Remaining() int { return b.Snapshot().Remaining() }

// LastSeen returns when Salesforce last reported the usage.
func (b *Budget) LastSeen() time.Time { return b.Snapshot().Seen }

// CallCounter counts the HTTP requests a client sends: API calls (REST
// resources under /services/data, each retry included, as Salesforce counts
// them) and token-endpoint calls (OAuth, which do not count against the API
// limit). It is safe for concurrent use; share one between clients to count
// them together.
type CallCounter struct {
	api, auth atomic.Int64
}

// API returns the number of REST API requests sent.
func (c *CallCounter) API() int64 { return c.api.Load() }

// Auth returns the number of OAuth endpoint requests sent.
func (c *CallCounter) Auth() int64 { return c.auth.Load() }
