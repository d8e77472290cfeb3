package sfemu

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
)

// Options configures an Emulator. The zero value is a demo org on a real
// clock whose URLs follow the request's Host.
type Options struct {
	// Seed is the data a fresh org starts with: "demo" (default) or "empty".
	// It is ignored when DataFile exists.
	Seed string
	// SchemaFile is a schema file (YAML, see internal/sfemu/schema) whose
	// custom objects and fields are added at start. Empty adds none.
	SchemaFile string
	// DataFile keeps the org across restarts: loaded at start when it
	// exists, written by Save. Empty means an in-memory org.
	DataFile string
	// SessionTimeout is how long an access token lives without use; 0 means 2h.
	SessionTimeout time.Duration
	// DailyAPILimit is the daily API request limit; 0 means 15,000
	// (Developer Edition).
	DailyAPILimit int
	// BaseURL is the URL the emulator is served at (instance_url, identity
	// and record URLs), e.g. "http://127.0.0.1:8383". Empty means derive it
	// from each request's Host.
	BaseURL string
	// Clock is the emulator's clock; nil means a new real-time clock.
	Clock *clock.Clock
	// AdminToken guards the admin API for callers that are not on loopback;
	// empty means a random token (see Emulator.AdminToken).
	AdminToken string
	// Logger receives the emulator's own errors; nil discards them.
	Logger *slog.Logger
	// BulkProcessingDelay is how long, on the clock, a Bulk API 2.0 job
	// stays InProgress once closed (ingest) or created (query); 0 means
	// 500ms, negative means none (the first poll sees the job done).
	BulkProcessingDelay time.Duration
	// BulkSettleDelay is how long (real time) after a Bulk API 2.0 call the
	// emulator processes the jobs that are due by itself, so that a job
	// nobody polls still completes; 0 means BulkProcessingDelay plus 10ms,
	// negative means never (tests that want every job to move only when
	// they poll it, or call SettleBulk).
	BulkSettleDelay time.Duration
}

// Emulator is a local Salesforce org served over Salesforce's wire
// protocol. It is an http.Handler; create it with New.
type Emulator struct {
	opts       Options
	clock      *clock.Clock
	log        *slog.Logger
	usage      *usage
	faults     injector
	routes     []route
	admin      *http.ServeMux
	adminToken string
	errorSeq   atomic.Int64
	// schemaChanged is when the schema last changed (Unix seconds), for
	// If-Modified-Since on describes.
	schemaChanged atomic.Int64
	// cur is the org and what is built on it; an admin reset swaps it.
	cur     atomic.Pointer[world]
	recent  recentViews
	cursors cursors
	// settler processes due Bulk API jobs shortly after Bulk calls.
	settler settler
}

// normalize checks the options and fills in the defaults.
func (o *Options) normalize() error {
	switch o.Seed {
	case "":
		o.Seed = "demo"
	case "demo", "empty":
	default:
		return fmt.Errorf("%w: seed %q must be \"demo\" or \"empty\"", ErrInvalidOptions, o.Seed)
	}
	if o.SessionTimeout < 0 {
		return fmt.Errorf("%w: session timeout %s must not be negative", ErrInvalidOptions, o.SessionTimeout)
	}
	if o.DailyAPILimit < 0 {
		return fmt.Errorf("%w: daily API limit %d must not be negative", ErrInvalidOptions, o.DailyAPILimit)
	}
	if o.DailyAPILimit == 0 {
		o.DailyAPILimit = DefaultDailyAPIRequests
	}
	if o.BaseURL != "" && !strings.HasPrefix(o.BaseURL, "http://") && !strings.HasPrefix(o.BaseURL, "https://") {
		return fmt.Errorf("%w: base URL %q must start with http:// or https://", ErrInvalidOptions, o.BaseURL)
	}
	o.BaseURL = strings.TrimSuffix(o.BaseURL, "/")
	if o.Clock == nil {
		o.Clock = clock.New()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.AdminToken == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b) // crypto/rand.Read never fails
		o.AdminToken = hex.EncodeToString(b)
	}
	return nil
}

// AdminToken returns the token the admin API requires from callers that
// are not on loopback.
func (e *Emulator) AdminToken() string { return e.adminToken }

// Clock returns the emulator's clock (tests move it to expire sessions and
// roll the API request counter over).
func (e *Emulator) Clock() *clock.Clock { return e.clock }

// Auth returns the OAuth server, for tests and tools that register
// connected apps or revoke tokens directly.
func (e *Emulator) Auth() *auth.Server { return e.world().auth }

// Org returns the current org (an admin reset replaces it), for tests and
// tools that add or read records without going through the API.
func (e *Emulator) Org() *org.Org { return e.world().org }

// OrgID returns the org's 18-character ID.
func (e *Emulator) OrgID() string { return e.world().auth.OrgID() }

// SetFaults installs a fault plan; an empty plan clears every fault.
func (e *Emulator) SetFaults(p FaultPlan) error { return e.faults.set(p) }

// SetAPILimit sets the daily API request limit.
func (e *Emulator) SetAPILimit(limit int) error { return e.usage.set(&limit, nil) }

// APIUsage returns the API requests spent today and the daily limit.
func (e *Emulator) APIUsage() (used, limit int) { return e.usage.snapshot() }

// ResetAPIUsage sets today's counts of API requests, Bulk API batches and
// Bulk query jobs back to zero.
func (e *Emulator) ResetAPIUsage() {
	zero := 0
	_ = e.usage.set(nil, &zero) // zero is valid
	e.usage.resetOther()
}

// ServeHTTP routes OAuth (/services/oauth2/, /id/), REST
// (/services/data/) and admin (/_emulator/) requests.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/services/data" || strings.HasPrefix(p, "/services/data/"):
		withGzip(http.HandlerFunc(e.serveREST)).ServeHTTP(w, r)
	case strings.HasPrefix(p, "/services/oauth2/") || strings.HasPrefix(p, "/id/"):
		e.world().auth.ServeHTTP(w, r)
	case strings.HasPrefix(p, AdminPrefix) || p == strings.TrimSuffix(AdminPrefix, "/"):
		e.serveAdmin(w, r)
	default:
		writeAPIError(w, r, errNotFound)
	}
}
