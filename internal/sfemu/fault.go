package sfemu

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// FaultKind names an injectable failure.
type FaultKind string

// The failures the emulator can inject.
const (
	// FaultUnavailable answers 503 SERVER_UNAVAILABLE.
	FaultUnavailable FaultKind = "unavailable"
	// FaultUnknownException answers 500 UNKNOWN_EXCEPTION.
	FaultUnknownException FaultKind = "unknownException"
	// FaultLockRow fails DML with UNABLE_TO_LOCK_ROW (400 on a single
	// record, a per-record error in sObject Collections).
	FaultLockRow FaultKind = "lockRow"
	// FaultLatency delays the response by Fault.Latency, then serves it.
	FaultLatency FaultKind = "latency"
	// FaultDrop closes the connection without answering.
	FaultDrop FaultKind = "drop"
	// FaultExpireSession ends the caller's session, answering 401
	// INVALID_SESSION_ID; its refresh token still works.
	FaultExpireSession FaultKind = "expireSession"
	// FaultSlowCommit runs a write request (POST, PUT, PATCH, DELETE) as a
	// long transaction: its records are stamped when the request arrives
	// but stay unseen by other requests until it commits, once the
	// emulator's clock has moved Fault.Latency on; the response waits for
	// the commit (commit.go). Reads never draw it.
	FaultSlowCommit FaultKind = "slowCommit"
)

var faultKinds = []FaultKind{FaultUnavailable, FaultUnknownException, FaultLockRow, FaultLatency, FaultDrop, FaultExpireSession,
	FaultSlowCommit}

// Fault is one injected failure and where it applies.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// Rate is the chance, from 0 to 1, that a matching request fails.
	Rate float64 `json:"rate"`
	// Path is a path.Match pattern on the URL path
	// ("/services/data/*/sobjects/Account"); a pattern ending in "/**"
	// matches everything under its prefix. Empty matches every REST request.
	Path string `json:"path,omitempty"`
	// Method limits the fault to one HTTP method; empty matches all.
	Method string `json:"method,omitempty"`
	// Latency is the delay FaultLatency adds, or how long on the emulator's
	// clock a FaultSlowCommit transaction stays uncommitted.
	Latency Duration `json:"latency,omitempty"`
	// Limit stops the fault after it fired this many times; 0 means never.
	Limit int `json:"limit,omitempty"`
}

// FaultPlan is a reproducible set of faults: the same seed and the same
// sequence of requests fail the same way.
type FaultPlan struct {
	Seed   uint64  `json:"seed"`
	Faults []Fault `json:"faults"`
}

// Duration is a time.Duration that reads and writes JSON as "250ms" (a bare
// number is milliseconds).
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "1.5s" or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var ms float64
	if err := json.Unmarshal(b, &ms); err == nil {
		*d = Duration(ms * float64(time.Millisecond))
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"250ms\" or a number of milliseconds")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// validate checks a plan and says what to fix.
func (p FaultPlan) validate() error {
	for i, f := range p.Faults {
		where := fmt.Sprintf("faults[%d]", i)
		if !slices.Contains(faultKinds, f.Kind) {
			return fmt.Errorf("%s.kind %q is unknown (one of %v)", where, f.Kind, faultKinds)
		}
		if f.Rate < 0 || f.Rate > 1 {
			return fmt.Errorf("%s.rate %v must be between 0 and 1", where, f.Rate)
		}
		if _, err := path.Match(strings.TrimSuffix(f.Path, "/**"), ""); err != nil {
			return fmt.Errorf("%s.path %q: %w", where, f.Path, err)
		}
		if (f.Kind == FaultLatency || f.Kind == FaultSlowCommit) && (f.Latency <= 0 || time.Duration(f.Latency) > time.Minute) {
			return fmt.Errorf("%s.latency must be between 0 and 1m for a %s fault", where, f.Kind)
		}
		if f.Limit < 0 {
			return fmt.Errorf("%s.limit %d must be 0 or more", where, f.Limit)
		}
	}
	return nil
}

func (f *Fault) matches(r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	switch {
	case f.Path == "":
		return true
	case strings.HasSuffix(f.Path, "/**"):
		return strings.HasPrefix(r.URL.Path, strings.TrimSuffix(f.Path, "**"))
	}
	ok, _ := path.Match(f.Path, r.URL.Path) // validated
	return ok
}

// injector draws faults from a seeded generator.
type injector struct {
	mu    sync.Mutex
	plan  FaultPlan
	rng   *rand.Rand
	fired []int
}

// set installs a plan (an empty plan clears every fault).
func (in *injector) set(p FaultPlan) error {
	if err := p.validate(); err != nil {
		return err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.plan = p
	in.rng = rand.New(rand.NewPCG(p.Seed, p.Seed^0x9e3779b97f4a7c15))
	in.fired = make([]int, len(p.Faults))
	return nil
}

// FaultStatus is an installed fault and how often it fired.
type FaultStatus struct {
	Fault
	Fired int `json:"fired"`
}

func (in *injector) status() (uint64, []FaultStatus) {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]FaultStatus, len(in.plan.Faults))
	for i, f := range in.plan.Faults {
		out[i] = FaultStatus{f, in.fired[i]}
	}
	return in.plan.Seed, out
}

// draw returns the faults of the given kinds that fire for the request,
// drawing one number per matching fault, in plan order.
func (in *injector) draw(r *http.Request, kinds ...FaultKind) []Fault {
	in.mu.Lock()
	defer in.mu.Unlock()
	var out []Fault
	for i, f := range in.plan.Faults {
		if !slices.Contains(kinds, f.Kind) || !f.matches(r) || (f.Limit > 0 && in.fired[i] >= f.Limit) {
			continue
		}
		if in.rng.Float64() < f.Rate {
			in.fired[i]++
			out = append(out, f)
		}
	}
	return out
}

// dropConnection closes the client's connection without a response.
func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler) // HTTP/2: abort the stream
}

// requestFaults applies the request-level faults to a REST call: latency
// (then the call goes on), a slow commit (the call goes on in a long
// transaction), a dropped connection, an expired session, 503 and 500. It
// reports whether the call was answered (or dropped).
func (e *Emulator) requestFaults(c *call) bool {
	kinds := []FaultKind{FaultLatency, FaultDrop, FaultExpireSession, FaultUnavailable, FaultUnknownException}
	if isWrite(c.r.Method) {
		kinds = append(kinds, FaultSlowCommit)
	}
	for _, f := range e.faults.draw(c.r, kinds...) {
		switch f.Kind {
		case FaultSlowCommit:
			e.slowCommit(c, time.Duration(f.Latency))
		case FaultLatency:
			t := time.NewTimer(time.Duration(f.Latency))
			select {
			case <-t.C:
			case <-c.r.Context().Done():
				t.Stop()
			}
		case FaultDrop:
			dropConnection(c.w)
			return true
		case FaultExpireSession:
			c.auth.ExpireSession(bearerToken(c.r))
			c.fail(errInvalidSession)
			return true
		case FaultUnavailable:
			c.fail(errServerDown)
			return true
		case FaultUnknownException:
			c.fail(e.unknownException())
			return true
		}
	}
	return false
}

// lockFault reports whether a DML operation should fail with
// UNABLE_TO_LOCK_ROW.
func (e *Emulator) lockFault(r *http.Request) bool {
	return len(e.faults.draw(r, FaultLockRow)) > 0
}

// bearerToken is the token of an "Authorization: Bearer|OAuth <token>" header.
func bearerToken(r *http.Request) string {
	_, tok, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	return strings.TrimSpace(tok)
}
