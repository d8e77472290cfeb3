package bulk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/query"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// Caller is the authenticated user a request is made for: who queries run
// as (query.Principal) and the record writes made on their behalf. The
// front builds one per request from the session and puts it in the
// request's context with WithCaller. A job keeps its creator's Caller and is
// processed as them, whoever polls it.
//
// Writes return a *schema.Error (errorCode, message, fields) for anything
// Salesforce reports on the record — an upsert whose external ID matches
// several records included (DUPLICATE_EXTERNAL_ID); any other error is
// reported on the record as UNKNOWN_EXCEPTION and logged.
type Caller interface {
	query.Principal
	// Create inserts a record of object and returns its ID.
	Create(ctx context.Context, object string, in *schema.Input) (id string, err error)
	// Update changes the record id of object.
	Update(ctx context.Context, object, id string, in *schema.Input) error
	// Upsert creates or updates the record of object whose field (an
	// external ID, or "Id") has value.
	Upsert(ctx context.Context, object, field, value string, in *schema.Input) (id string, created bool, err error)
	// Delete moves a record to the recycle bin.
	Delete(ctx context.Context, id string) error
	// HardDelete deletes a record for good, without the recycle bin.
	HardDelete(ctx context.Context, id string) error
}

// Clock tells the emulator's time; *clock.Clock (internal/sfemu/clock)
// satisfies it. Jobs move through their states on it.
type Clock interface {
	Now() time.Time
}

// Schema gives the org's current schema. The org, its query source and the
// query engine's Source all satisfy it.
type Schema interface {
	Registry() *schema.Registry
}

// Querier runs SOQL; *query.Engine satisfies it.
type Querier interface {
	Query(ctx context.Context, who query.Principal, soql string, opt query.Options) (*query.Result, error)
}

// Usage counts the org's daily allocations, by the names GET /limits gives
// them (see the Alloc constants).
type Usage interface {
	// Spend counts n units of an allocation. It reports false, and counts
	// nothing, when that would go over the allocation's limit.
	Spend(allocation string, n int) bool
	// LimitInfo is the Sforce-Limit-Info header value, e.g. "api-usage=18/15000".
	LimitInfo() string
}

// The allocations the handler spends.
const (
	// AllocAPIRequests is spent once per request the handler serves.
	AllocAPIRequests = "DailyApiRequests"
	// AllocBulkBatches is spent when an ingest job is processed: one batch
	// per 10,000 records (or part of it), as Salesforce chunks ingest jobs.
	AllocBulkBatches = "DailyBulkApiBatches"
	// AllocQueryJobs is spent once per query job created.
	AllocQueryJobs = "DailyBulkV2QueryJobs"
)

// Defaults of Config.
const (
	// DefaultProcessingDelay is how long a job stays InProgress.
	DefaultProcessingDelay = 500 * time.Millisecond
	// DefaultMaxRecords is the page size of query results when the request
	// gives no maxRecords.
	DefaultMaxRecords = 50_000
)

// maxUpload bounds an upload: 150 MB once base64-encoded, as Salesforce
// counts it, is 112.5 MB of CSV.
const maxUpload = 150 << 20 / 4 * 3

// retention is how long Salesforce keeps jobs in a terminal state.
const retention = 7 * 24 * time.Hour

// Config configures a Handler.
type Config struct {
	// Clock is the emulator's clock. Required.
	Clock Clock
	// Schema is the org's schema. Required.
	Schema Schema
	// Query runs the SOQL of query jobs. Required.
	Query Querier
	// Usage counts API requests and Bulk allocations; nil counts nothing.
	Usage Usage
	// ProcessingDelay is how long, on the clock, a closed ingest job or a new
	// query job stays InProgress before it completes. Default
	// DefaultProcessingDelay; negative means no delay (the first poll sees
	// the job done).
	ProcessingDelay time.Duration
	// MaxRecords is the page size of query results when the request gives no
	// maxRecords. Default DefaultMaxRecords.
	MaxRecords int
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
}

// Handler serves Bulk API 2.0 under /services/data/vXX.X/jobs/. Create it
// with New; it is safe for concurrent use.
type Handler struct {
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	seq    uint64
	jobs   map[string]*job // by 18-character ID
	purged time.Time       // when purge last ran

	errorSeq atomic.Int64 // ErrorIds of UNKNOWN_EXCEPTION answers
}

// New returns a handler.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.Clock == nil:
		return nil, fmt.Errorf("%w: Clock is required", ErrInvalidConfig)
	case cfg.Schema == nil:
		return nil, fmt.Errorf("%w: Schema is required", ErrInvalidConfig)
	case cfg.Query == nil:
		return nil, fmt.Errorf("%w: Query is required", ErrInvalidConfig)
	case cfg.MaxRecords < 0:
		return nil, fmt.Errorf("%w: MaxRecords %d must not be negative", ErrInvalidConfig, cfg.MaxRecords)
	}
	switch {
	case cfg.ProcessingDelay == 0:
		cfg.ProcessingDelay = DefaultProcessingDelay
	case cfg.ProcessingDelay < 0:
		cfg.ProcessingDelay = 0
	}
	if cfg.MaxRecords == 0 {
		cfg.MaxRecords = DefaultMaxRecords
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{cfg: cfg, log: log, jobs: map[string]*job{}}, nil
}

type callerKey struct{}

// WithCaller returns a context carrying the authenticated caller; the front
// serves each request with it.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// request is one call being served.
type request struct {
	h       *Handler
	w       http.ResponseWriter
	r       *http.Request
	who     Caller
	version float64 // API version of the URL, e.g. 60.0
	kind    jobKind
	id      string // job ID segment, "" for the collection
	sub     string // resource under the job ("batches", "results" ...), ""
}

// ServeHTTP serves /services/data/vXX.X/jobs/{ingest|query}/... . The
// request's context must carry the caller (WithCaller).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{h: h, w: w, r: r}
	if err := req.serve(); err != nil {
		req.fail(err)
	}
}

func (req *request) serve() error {
	who, ok := req.r.Context().Value(callerKey{}).(Caller)
	if !ok {
		return errors.New("no caller in the request context: mount the handler behind authentication (bulk.WithCaller)")
	}
	req.who = who
	if u := req.h.cfg.Usage; u != nil {
		ok := u.Spend(AllocAPIRequests, 1)
		req.w.Header().Set("Sforce-Limit-Info", u.LimitInfo())
		if !ok {
			return errLimitExceeded
		}
	}
	if err := req.parsePath(); err != nil {
		return err
	}
	req.h.purge()
	return req.route()
}

// parsePath reads /services/data/v60.0/jobs/{ingest|query}[/{id}[/{sub}]],
// a trailing slash allowed.
func (req *request) parsePath() error {
	rest, ok := strings.CutPrefix(req.r.URL.Path, "/services/data/v")
	if !ok {
		return errNotFound
	}
	segs := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if len(segs) < 3 || len(segs) > 5 || !strings.EqualFold(segs[1], "jobs") {
		return errNotFound
	}
	v, err := strconv.ParseFloat(segs[0], 64)
	if err != nil || !strings.Contains(segs[0], ".") {
		return errNotFound
	}
	req.version = v
	switch strings.ToLower(segs[2]) {
	case "ingest":
		req.kind = ingestJob
	case "query":
		req.kind = queryJob
	default:
		return errNotFound
	}
	if v < req.kind.since() {
		return errNotFound
	}
	if len(segs) > 3 {
		req.id = segs[3]
	}
	if len(segs) > 4 {
		req.sub = strings.ToLower(segs[4])
	}
	return nil
}

// route dispatches to the handler of the resource and method.
func (req *request) route() error {
	type resource map[string]func() error
	var res resource
	switch {
	case req.id == "" && req.kind == ingestJob:
		res = resource{http.MethodGet: req.listJobs, http.MethodPost: req.createIngest}
	case req.id == "" && req.kind == queryJob:
		res = resource{http.MethodGet: req.listJobs, http.MethodPost: req.createQuery}
	case req.sub == "":
		res = resource{http.MethodGet: req.jobInfo, http.MethodPatch: req.patchJob, http.MethodDelete: req.deleteJob}
	case req.kind == ingestJob && req.sub == "batches":
		res = resource{http.MethodPut: req.upload}
	case req.kind == ingestJob && (req.sub == "successfulresults" || req.sub == "failedresults" || req.sub == "unprocessedrecords"):
		res = resource{http.MethodGet: req.ingestResults}
	case req.kind == queryJob && req.sub == "results":
		res = resource{http.MethodGet: req.queryResults}
	default:
		return errNotFound
	}
	method := req.r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	if fn, ok := res[method]; ok {
		return fn()
	}
	var allowed []string
	for _, m := range []string{http.MethodHead, http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
		if _, ok := res[m]; ok || m == http.MethodHead && res[http.MethodGet] != nil {
			allowed = append(allowed, m)
		}
	}
	return methodNotAllowed(req.r.Method, allowed...)
}

// fail renders err. Errors that are not *apiError are bugs or environment
// failures: logged, and answered 500 UNKNOWN_EXCEPTION.
func (req *request) fail(err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		id := fmt.Sprintf("bulk-%d", req.h.errorSeq.Add(1))
		req.h.log.Error("serving a Bulk API 2.0 call", "errorId", id, "method", req.r.Method, "path", req.r.URL.Path, "err", err)
		ae = newError(http.StatusInternalServerError, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if you contact support: "+id)
	}
	for k, v := range ae.Header {
		req.w.Header()[k] = v
	}
	req.json(ae.Status, []map[string]string{{"errorCode": ae.Code, "message": ae.Message}})
}

// json writes v as the response body; X-PrettyPrint: 1 indents it.
func (req *request) json(status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only our own values are encoded: a bug
		panic(fmt.Sprintf("bulk: encoding a %T response: %v", v, err))
	}
	req.writeJSON(status, body)
}

func (req *request) writeJSON(status int, body []byte) {
	if req.r.Header.Get("X-PrettyPrint") == "1" {
		var b bytes.Buffer
		if json.Indent(&b, body, "", "  ") == nil {
			body = b.Bytes()
		}
	}
	req.w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	req.w.WriteHeader(status)
	if req.r.Method != http.MethodHead {
		_, _ = req.w.Write(body)
	}
}

// Settle processes every job whose processing time has come, as a poll of
// each would. The front may call it on a timer, or after moving the clock,
// so that ingest jobs write their records even when nobody polls them.
func (h *Handler) Settle(ctx context.Context) {
	h.mu.Lock()
	all := make([]*job, 0, len(h.jobs))
	for _, j := range h.jobs {
		all = append(all, j)
	}
	h.mu.Unlock()
	for _, j := range all {
		h.advance(ctx, j)
	}
}
