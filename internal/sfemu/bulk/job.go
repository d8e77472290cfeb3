package bulk

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/query"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
)

// jobKind tells ingest jobs from query jobs.
type jobKind int

const (
	ingestJob jobKind = iota
	queryJob
)

// since is the first API version that has the kind of job.
func (k jobKind) since() float64 {
	if k == queryJob {
		return 47
	}
	return 41
}

func (k jobKind) jobType() string {
	if k == queryJob {
		return "V2Query"
	}
	return "V2Ingest"
}

// state is a job's state, as JobInfo names it.
type state string

const (
	stateOpen           state = "Open"
	stateUploadComplete state = "UploadComplete"
	stateInProgress     state = "InProgress"
	stateJobComplete    state = "JobComplete"
	stateFailed         state = "Failed"
	stateAborted        state = "Aborted"
)

func (s state) terminal() bool {
	return s == stateJobComplete || s == stateFailed || s == stateAborted
}

// job is one Bulk API 2.0 job. Its fields are guarded by mu, except those
// set at creation (id, kind, who, operation, object, extID, ruleID,
// version, dialect, created).
type job struct {
	mu sync.Mutex

	id        string
	seq       uint64
	kind      jobKind
	who       Caller
	operation string
	object    string
	extID     string // externalIdFieldName
	ruleID    string // assignmentRuleId
	version   float64
	dialect   dialect
	created   time.Time

	state    state
	modstamp time.Time
	closedAt time.Time // processing started: UploadComplete, or a query job's creation
	doneAt   time.Time // when the state became terminal
	errMsg   string

	// Ingest.
	uploaded  bool
	data      []byte // the uploaded CSV
	processed int
	failed    int
	results   *ingestResults

	// Query.
	result  *query.Result
	columns *columns
}

// setState moves the job to s at now.
func (j *job) setState(s state, now time.Time) {
	j.state, j.modstamp = s, now
	if s.terminal() {
		j.doneAt = now
	}
}

// shape says which members a JobInfo response has; Salesforce sends
// different sets from different resources.
type shape int

const (
	shapeCreate shape = iota // POST: the job as created, with its contentUrl
	shapePatch               // PATCH: the short form
	shapeInfo                // GET: with jobType, counts and processing times
	shapeList                // an entry of GET /jobs/ingest or /jobs/query
)

// member is one key of a JSON object rendered in order.
type member struct {
	key   string
	value any
}

// info renders the job's JobInfo in Salesforce's member order. j.mu is
// held.
func (j *job) info(s shape) []byte {
	m := []member{
		{"id", j.id}, {"operation", j.operation}, {"object", j.object},
		{"createdById", j.who.UserID()}, {"createdDate", formatDateTime(j.created)},
		{"systemModstamp", formatDateTime(j.modstamp)}, {"state", string(j.state)},
	}
	if j.extID != "" {
		m = append(m, member{"externalIdFieldName", j.extID})
	}
	if j.ruleID != "" {
		m = append(m, member{"assignmentRuleId", j.ruleID})
	}
	m = append(m, member{"concurrencyMode", "Parallel"}, member{"contentType", "CSV"},
		member{"apiVersion", json.RawMessage(strconv.FormatFloat(j.version, 'f', 1, 64))})
	if s == shapePatch {
		return encodeMembers(m)
	}
	if s != shapeCreate {
		m = append(m, member{"jobType", j.kind.jobType()})
	}
	if j.kind == ingestJob && j.state == stateOpen && s != shapeList {
		m = append(m, member{"contentUrl", j.contentURL()})
	}
	m = append(m, member{"lineEnding", j.dialect.lineEnding}, member{"columnDelimiter", j.dialect.name})
	if s != shapeInfo {
		return encodeMembers(m)
	}
	switch {
	case j.kind == queryJob:
		m = append(m, member{"numberRecordsProcessed", j.processed})
	case j.uploaded || j.state != stateOpen:
		m = append(m, member{"numberRecordsProcessed", j.processed}, member{"numberRecordsFailed", j.failed})
	}
	m = append(m, member{"retries", 0}, member{"totalProcessingTime", j.processingMillis()})
	if j.kind == ingestJob {
		m = append(m, member{"apiActiveProcessingTime", j.processingMillis()}, member{"apexProcessingTime", 0})
	}
	if j.errMsg != "" {
		m = append(m, member{"errorMessage", j.errMsg})
	}
	return encodeMembers(m)
}

// processingMillis is how long the job took, once it is done.
func (j *job) processingMillis() int64 {
	if j.doneAt.IsZero() || j.closedAt.IsZero() {
		return 0
	}
	return j.doneAt.Sub(j.closedAt).Milliseconds()
}

func (j *job) contentURL() string {
	return "services/data/v" + strconv.FormatFloat(j.version, 'f', 1, 64) + "/jobs/ingest/" + j.id + "/batches"
}

func encodeMembers(m []member) []byte {
	b := []byte{'{'}
	for i, kv := range m {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, kv.key)
		b = append(b, ':')
		v, err := json.Marshal(kv.value)
		if err != nil { // only strings, numbers and raw numbers: a bug
			panic("bulk: encoding " + kv.key + ": " + err.Error())
		}
		b = append(b, v...)
	}
	return append(b, '}')
}

// formatDateTime renders a JobInfo date as Salesforce does:
// 2024-01-15T10:30:00.000+0000.
func formatDateTime(t time.Time) string { return t.UTC().Format(schema.DateTimeLayout) }

// newJob makes a job created now by the request's caller, with its ID;
// the caller completes it, then registers it with add.
func (req *request) newJob(operation, object string, d dialect) (*job, error) {
	h := req.h
	now := h.cfg.Clock.Now()
	pod := "5g"
	if u := req.who.UserID(); len(u) >= 5 {
		pod = u[3:5]
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	id, err := sfid.New("750", pod, h.seq)
	if err != nil {
		return nil, err
	}
	return &job{id: id, seq: h.seq, kind: req.kind, who: req.who, operation: operation, object: object,
		version: req.version, dialect: d, created: now, modstamp: now}, nil
}

// add registers a new job: requests can find it from now on.
func (h *Handler) add(j *job) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.jobs[j.id] = j
}

// find returns the request's job, of the request's kind.
func (req *request) find() (*job, error) {
	id, err := sfid.To18(req.id)
	if err != nil {
		return nil, errNotFound
	}
	req.h.mu.Lock()
	j := req.h.jobs[id]
	req.h.mu.Unlock()
	if j == nil || j.kind != req.kind {
		return nil, errNotFound
	}
	return j, nil
}

// advance moves a closed job along the clock: InProgress until its
// processing time has come, then processed once (JobComplete or Failed).
// It takes j.mu.
func (h *Handler) advance(ctx context.Context, j *job) {
	j.mu.Lock()
	defer j.mu.Unlock()
	h.advanceLocked(ctx, j)
}

func (h *Handler) advanceLocked(ctx context.Context, j *job) {
	if j.state != stateUploadComplete && j.state != stateInProgress {
		return
	}
	now := h.cfg.Clock.Now()
	if now.Before(j.closedAt.Add(h.cfg.ProcessingDelay)) {
		if j.state == stateUploadComplete {
			j.setState(stateInProgress, now)
		}
		return
	}
	// A poller that hangs up must not leave a job half processed.
	ctx = context.WithoutCancel(ctx)
	if j.kind == ingestJob {
		h.processIngest(ctx, j, now)
		return
	}
	j.processed = j.result.Records()
	j.setState(stateJobComplete, now)
}

// purge forgets jobs that reached a terminal state more than seven days
// ago, as Salesforce does. It looks at most once a minute.
func (h *Handler) purge() {
	now := h.cfg.Clock.Now()
	cutoff := now.Add(-retention)
	h.mu.Lock()
	defer h.mu.Unlock()
	if now.Sub(h.purged) < time.Minute {
		return
	}
	h.purged = now
	for id, j := range h.jobs {
		j.mu.Lock()
		old := j.state.terminal() && j.doneAt.Before(cutoff)
		j.mu.Unlock()
		if old {
			delete(h.jobs, id)
		}
	}
}

// jobInfo serves GET /jobs/{kind}/{id}.
func (req *request) jobInfo() error {
	j, err := req.find()
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	req.h.advanceLocked(req.r.Context(), j)
	req.writeJSON(http.StatusOK, j.info(shapeInfo))
	return nil
}

// patchJob serves PATCH /jobs/{kind}/{id}: {"state":"UploadComplete"} closes
// an ingest job, {"state":"Aborted"} aborts a job.
func (req *request) patchJob() error {
	var body struct {
		State string `json:"state"`
	}
	if err := decodeBody(req.r, &body); err != nil {
		return err
	}
	j, err := req.find()
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	req.h.advanceLocked(req.r.Context(), j)
	now := req.h.cfg.Clock.Now()
	switch {
	case body.State == string(stateAborted):
		if j.state.terminal() {
			return invalidState("Aborting already %s Job not allowed", pastTense(j.state))
		}
		j.setState(stateAborted, now)
	case body.State == string(stateUploadComplete) && j.kind == ingestJob:
		if j.state != stateOpen {
			return invalidState("Closing already %s Job not allowed", pastTense(j.state))
		}
		j.setState(stateUploadComplete, now)
		j.closedAt = now
	default:
		allowed := "Aborted"
		if j.kind == ingestJob {
			allowed = "UploadComplete or Aborted"
		}
		return invalidState("Invalid state %q for a %s job: set state to %s", body.State, j.kind.jobType(), allowed)
	}
	req.writeJSON(http.StatusOK, j.info(shapePatch))
	return nil
}

// pastTense names a state in Salesforce's "Aborting already Completed Job
// not allowed".
func pastTense(s state) string {
	switch s {
	case stateJobComplete:
		return "Completed"
	case stateUploadComplete, stateInProgress:
		return "Closed"
	}
	return string(s)
}

// deleteJob serves DELETE /jobs/{kind}/{id}. A job that is still open or
// being processed cannot be deleted.
func (req *request) deleteJob() error {
	j, err := req.find()
	if err != nil {
		return err
	}
	j.mu.Lock()
	req.h.advanceLocked(req.r.Context(), j)
	st := j.state
	j.mu.Unlock()
	if st == stateOpen || st == stateInProgress {
		return invalidState("Deleting a job in state %s is not allowed: close or abort it first", st)
	}
	req.h.mu.Lock()
	delete(req.h.jobs, j.id)
	req.h.mu.Unlock()
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}

// listPage is how many jobs GET /jobs/{kind} returns per page.
const listPage = 1000

// listJobs serves GET /jobs/ingest and GET /jobs/query: the jobs of that
// kind, oldest first, 1,000 a page, filtered by jobType, concurrencyMode
// and isPkChunkingEnabled.
func (req *request) listJobs() error {
	q := req.r.URL.Query()
	offset := 0
	if loc := q.Get("queryLocator"); loc != "" {
		n, ok := decodeLocator(loc)
		if !ok {
			return errBadLocator
		}
		offset = n
	}
	keep := func(j *job) bool {
		if t := q.Get("jobType"); t != "" && t != j.kind.jobType() {
			return false
		}
		if m := q.Get("concurrencyMode"); m != "" && m != "Parallel" {
			return false
		}
		return q.Get("isPkChunkingEnabled") != "true"
	}
	req.h.mu.Lock()
	var all []*job
	for _, j := range req.h.jobs {
		if j.kind == req.kind && keep(j) {
			all = append(all, j)
		}
	}
	req.h.mu.Unlock()
	slices.SortFunc(all, func(a, b *job) int { return cmpUint(a.seq, b.seq) })
	if offset > len(all) {
		return errBadLocator
	}
	page := all[offset:min(offset+listPage, len(all))]
	body := []byte(`{"done":`)
	done := offset+len(page) >= len(all)
	body = strconv.AppendBool(body, done)
	body = append(body, `,"records":[`...)
	for i, j := range page {
		if i > 0 {
			body = append(body, ',')
		}
		j.mu.Lock()
		req.h.advanceLocked(req.r.Context(), j)
		body = append(body, j.info(shapeList)...)
		j.mu.Unlock()
	}
	body = append(body, `],"nextRecordsUrl":`...)
	if done {
		body = append(body, "null"...)
	} else {
		next := req.r.URL.Path + "?" + url.Values{"queryLocator": {encodeLocator(offset + listPage)}}.Encode()
		body = strconv.AppendQuote(body, next)
	}
	req.writeJSON(http.StatusOK, append(body, '}'))
	return nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// encodeLocator makes a locator for a position in a list of records: like
// Salesforce's ("MTAwMDA" is record 10000), the position in base64.
func encodeLocator(n int) string {
	return base64.RawStdEncoding.EncodeToString([]byte(strconv.Itoa(n)))
}

func decodeLocator(s string) (int, bool) {
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(string(b))
	return n, err == nil && n >= 0
}
