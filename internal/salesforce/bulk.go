package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Bulk API 2.0 (/services/data/vXX.X/jobs/ingest and /jobs/query): see
// docs/adr/0092-client-bulk-api.md. Every call goes through the client's
// request loop: it renews the session, retries what is safe to retry,
// counts as an API call and reports the org's usage to the Budget.

// IngestOperation is what an ingest job does with its records.
type IngestOperation string

// The ingest operations.
const (
	OpInsert     IngestOperation = "insert"
	OpUpdate     IngestOperation = "update"
	OpUpsert     IngestOperation = "upsert"
	OpDelete     IngestOperation = "delete"
	OpHardDelete IngestOperation = "hardDelete"
)

// JobState is a Bulk API 2.0 job's state.
type JobState string

// The job states: an ingest job is Open until its data is uploaded and it
// is closed (UploadComplete); a query job starts UploadComplete. Both are
// then InProgress, and end JobComplete, Failed or Aborted.
const (
	JobOpen           JobState = "Open"
	JobUploadComplete JobState = "UploadComplete"
	JobInProgress     JobState = "InProgress"
	JobComplete       JobState = "JobComplete"
	JobFailed         JobState = "Failed"
	JobAborted        JobState = "Aborted"
)

// Terminal reports whether the job is over: JobComplete, Failed or Aborted.
func (s JobState) Terminal() bool { return s == JobComplete || s == JobFailed || s == JobAborted }

// ColumnDelimiter separates the columns of a job's CSV.
type ColumnDelimiter string

// The column delimiters Bulk API 2.0 accepts.
const (
	DelimiterComma     ColumnDelimiter = "COMMA"
	DelimiterTab       ColumnDelimiter = "TAB"
	DelimiterPipe      ColumnDelimiter = "PIPE"
	DelimiterSemicolon ColumnDelimiter = "SEMICOLON"
	DelimiterCaret     ColumnDelimiter = "CARET"
	DelimiterBackquote ColumnDelimiter = "BACKQUOTE"
)

// rune returns the delimiter's character; COMMA for "".
func (d ColumnDelimiter) rune() (rune, error) {
	switch d {
	case DelimiterComma, "":
		return ',', nil
	case DelimiterTab:
		return '\t', nil
	case DelimiterPipe:
		return '|', nil
	case DelimiterSemicolon:
		return ';', nil
	case DelimiterCaret:
		return '^', nil
	case DelimiterBackquote:
		return '`', nil
	}
	return 0, fmt.Errorf("column delimiter %q is not one of COMMA, TAB, PIPE, SEMICOLON, CARET, BACKQUOTE", string(d))
}

// LineEnding ends the rows of a job's CSV.
type LineEnding string

// The line endings Bulk API 2.0 accepts.
const (
	LineEndingLF   LineEnding = "LF"
	LineEndingCRLF LineEnding = "CRLF"
)

// IngestJobSpec defines an ingest job.
type IngestJobSpec struct {
	Object    string // the sObject's API name, e.g. Account
	Operation IngestOperation
	// ExternalIDField is the field upserts match records on (an external ID
	// field, or Id); required for OpUpsert.
	ExternalIDField string
	// ColumnDelimiter and LineEnding describe the CSV that will be uploaded;
	// default COMMA and LF. The line ending must be the data's: Salesforce
	// fails the job otherwise.
	ColumnDelimiter ColumnDelimiter
	LineEnding      LineEnding
	// AssignmentRuleID, if set, assigns the records (Case, Lead) with that rule.
	AssignmentRuleID string
}

func (s IngestJobSpec) validate() error {
	switch s.Operation {
	case OpInsert, OpUpdate, OpDelete, OpHardDelete:
	case OpUpsert:
		if s.ExternalIDField == "" {
			return errors.New("an upsert job needs ExternalIDField: the external ID field (or Id) that matches records")
		}
	default:
		return fmt.Errorf("operation %q is not one of insert, update, upsert, delete, hardDelete", string(s.Operation))
	}
	if s.Object == "" {
		return errors.New("the job has no Object: set it to the sObject's API name, e.g. Account")
	}
	if _, err := s.ColumnDelimiter.rune(); err != nil {
		return err
	}
	if s.LineEnding != "" && s.LineEnding != LineEndingLF && s.LineEnding != LineEndingCRLF {
		return fmt.Errorf("line ending %q is not LF or CRLF", string(s.LineEnding))
	}
	return nil
}

// BulkJob is a Bulk API 2.0 job as Salesforce describes it (JobInfo).
// Members Salesforce leaves out of a response are zero.
type BulkJob struct {
	ID              string
	Operation       string // insert, update, upsert, delete, hardDelete, query or queryAll
	Object          string
	CreatedByID     string
	CreatedDate     time.Time
	SystemModstamp  time.Time
	State           JobState
	ExternalIDField string
	ConcurrencyMode string
	ContentType     string
	APIVersion      float64
	JobType         string // V2Ingest or V2Query
	ContentURL      string // where an Open ingest job's data goes
	LineEnding      LineEnding
	ColumnDelimiter ColumnDelimiter
	// NumberRecordsProcessed counts the records processed, the failed ones
	// included; NumberRecordsFailed those that failed (ingest jobs).
	NumberRecordsProcessed int
	NumberRecordsFailed    int
	Retries                int
	// TotalProcessingTime, APIActiveProcessingTime and ApexProcessingTime
	// are in milliseconds.
	TotalProcessingTime     int64
	APIActiveProcessingTime int64
	ApexProcessingTime      int64
	// ErrorMessage says why a Failed job failed.
	ErrorMessage string
}

// UnmarshalJSON decodes a JobInfo body.
func (j *BulkJob) UnmarshalJSON(b []byte) error {
	var w struct {
		ID                      string  `json:"id"`
		Operation               string  `json:"operation"`
		Object                  string  `json:"object"`
		CreatedByID             string  `json:"createdById"`
		CreatedDate             string  `json:"createdDate"`
		SystemModstamp          string  `json:"systemModstamp"`
		State                   string  `json:"state"`
		ExternalIDFieldName     string  `json:"externalIdFieldName"`
		ConcurrencyMode         string  `json:"concurrencyMode"`
		ContentType             string  `json:"contentType"`
		APIVersion              float64 `json:"apiVersion"`
		JobType                 string  `json:"jobType"`
		ContentURL              string  `json:"contentUrl"`
		LineEnding              string  `json:"lineEnding"`
		ColumnDelimiter         string  `json:"columnDelimiter"`
		NumberRecordsProcessed  int     `json:"numberRecordsProcessed"`
		NumberRecordsFailed     int     `json:"numberRecordsFailed"`
		Retries                 int     `json:"retries"`
		TotalProcessingTime     int64   `json:"totalProcessingTime"`
		APIActiveProcessingTime int64   `json:"apiActiveProcessingTime"`
		ApexProcessingTime      int64   `json:"apexProcessingTime"`
		ErrorMessage            string  `json:"errorMessage"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*j = BulkJob{ID: w.ID, Operation: w.Operation, Object: w.Object, CreatedByID: w.CreatedByID, State: JobState(w.State),
		ExternalIDField: w.ExternalIDFieldName, ConcurrencyMode: w.ConcurrencyMode, ContentType: w.ContentType,
		APIVersion: w.APIVersion, JobType: w.JobType, ContentURL: w.ContentURL, LineEnding: LineEnding(w.LineEnding),
		ColumnDelimiter: ColumnDelimiter(w.ColumnDelimiter), NumberRecordsProcessed: w.NumberRecordsProcessed,
		NumberRecordsFailed: w.NumberRecordsFailed, Retries: w.Retries, TotalProcessingTime: w.TotalProcessingTime,
		APIActiveProcessingTime: w.APIActiveProcessingTime, ApexProcessingTime: w.ApexProcessingTime, ErrorMessage: w.ErrorMessage}
	for _, t := range []struct {
		text string
		dst  *time.Time
	}{{w.CreatedDate, &j.CreatedDate}, {w.SystemModstamp, &j.SystemModstamp}} {
		if t.text == "" {
			continue
		}
		v, err := ParseTime(t.text)
		if err != nil {
			return fmt.Errorf("job %s: %w", w.ID, err)
		}
		*t.dst = v
	}
	return nil
}

// Bulk job errors. A *JobError carries the job.
var (
	// ErrJobFailed means a job ended Failed; its ErrorMessage says why.
	ErrJobFailed = errors.New("salesforce: bulk job failed")
	// ErrJobAborted means a job ended Aborted.
	ErrJobAborted = errors.New("salesforce: bulk job aborted")
)

// JobError is a job that ended Failed or Aborted. It matches ErrJobFailed
// or ErrJobAborted.
type JobError struct {
	Job *BulkJob
}

func (e *JobError) Error() string {
	s := fmt.Sprintf("salesforce: bulk job %s (%s %s) ended %s", e.Job.ID, e.Job.Operation, e.Job.Object, e.Job.State)
	if e.Job.ErrorMessage != "" {
		s += ": " + e.Job.ErrorMessage
	}
	return s
}

// Is matches ErrJobFailed and ErrJobAborted.
func (e *JobError) Is(target error) bool {
	return target == ErrJobFailed && e.Job.State == JobFailed || target == ErrJobAborted && e.Job.State == JobAborted
}

// jobKind names the two kinds of job in their URLs.
type jobKind string

const (
	ingestJobs jobKind = "ingest"
	queryJobs  jobKind = "query"
)

// jobPath returns the path of a job resource: /jobs/{kind}[/{id}[/{sub}]].
func (c *Client) jobPath(kind jobKind, id string, sub ...string) (string, error) {
	p := "/jobs/" + string(kind)
	if id != "" {
		if !validJobID(id) {
			return "", fmt.Errorf("%q is not a job ID: give the 15- or 18-character ID Salesforce returned (750...)", id)
		}
		p += "/" + id
	}
	for _, s := range sub {
		p += "/" + s
	}
	return c.dataPath(p), nil
}

// validJobID keeps anything but an ID out of URL paths.
func validJobID(id string) bool {
	if len(id) != 15 && len(id) != 18 {
		return false
	}
	for i := range len(id) {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// CreateIngestJob creates an ingest job; it is Open for its data.
func (c *Client) CreateIngestJob(ctx context.Context, spec IngestJobSpec) (*BulkJob, error) {
	if err := spec.validate(); err != nil {
		return nil, fmt.Errorf("creating ingest job: %w", err)
	}
	body := struct {
		Object              string `json:"object"`
		Operation           string `json:"operation"`
		ExternalIDFieldName string `json:"externalIdFieldName,omitempty"`
		ContentType         string `json:"contentType"`
		ColumnDelimiter     string `json:"columnDelimiter,omitempty"`
		LineEnding          string `json:"lineEnding,omitempty"`
		AssignmentRuleID    string `json:"assignmentRuleId,omitempty"`
	}{spec.Object, string(spec.Operation), spec.ExternalIDField, "CSV", string(spec.ColumnDelimiter),
		string(spec.LineEnding), spec.AssignmentRuleID}
	path, _ := c.jobPath(ingestJobs, "")
	job := new(BulkJob)
	if err := c.sendJSON(ctx, http.MethodPost, path, body, job, false); err != nil {
		return nil, fmt.Errorf("creating %s job on %s: %w", spec.Operation, spec.Object, err)
	}
	return job, nil
}

// UploadIngestData sends an Open ingest job its CSV, streamed from csv (a
// job takes one upload, up to 100 MB). The first line names the columns:
// field API names, or Relationship.ExternalIdField to set a lookup. An
// empty cell leaves a field as it is; #N/A empties it. The upload is
// retried on transient failures only if csv is an io.ReadSeeker (a file,
// a bytes.Reader): a plain reader is sent once.
func (c *Client) UploadIngestData(ctx context.Context, jobID string, csv io.Reader) error {
	path, err := c.jobPath(ingestJobs, jobID, "batches")
	if err != nil {
		return fmt.Errorf("uploading job data: %w", err)
	}
	if err := c.do(ctx, call{method: http.MethodPut, path: path, stream: csv, contentType: "text/csv"}, nil); err != nil {
		return fmt.Errorf("uploading data of job %s: %w", jobID, err)
	}
	return nil
}

// CloseIngestJob tells Salesforce the job's data is uploaded
// (UploadComplete): it will be processed.
func (c *Client) CloseIngestJob(ctx context.Context, jobID string) (*BulkJob, error) {
	return c.setJobState(ctx, ingestJobs, jobID, JobUploadComplete)
}

// AbortIngestJob aborts an ingest job that has not completed.
func (c *Client) AbortIngestJob(ctx context.Context, jobID string) (*BulkJob, error) {
	return c.setJobState(ctx, ingestJobs, jobID, JobAborted)
}

// AbortQueryJob aborts a query job that has not completed.
func (c *Client) AbortQueryJob(ctx context.Context, jobID string) (*BulkJob, error) {
	return c.setJobState(ctx, queryJobs, jobID, JobAborted)
}

func (c *Client) setJobState(ctx context.Context, kind jobKind, jobID string, state JobState) (*BulkJob, error) {
	path, err := c.jobPath(kind, jobID)
	if err != nil {
		return nil, fmt.Errorf("setting job state: %w", err)
	}
	job := new(BulkJob)
	body := map[string]JobState{"state": state}
	if err := c.sendJSON(ctx, http.MethodPatch, path, body, job, false); err != nil {
		return nil, fmt.Errorf("setting %s job %s to %s: %w", kind, jobID, state, err)
	}
	return job, nil
}

// IngestJob returns an ingest job's current information.
func (c *Client) IngestJob(ctx context.Context, jobID string) (*BulkJob, error) {
	return c.jobInfo(ctx, ingestJobs, jobID)
}

// QueryJob returns a query job's current information.
func (c *Client) QueryJob(ctx context.Context, jobID string) (*BulkJob, error) {
	return c.jobInfo(ctx, queryJobs, jobID)
}

func (c *Client) jobInfo(ctx context.Context, kind jobKind, jobID string) (*BulkJob, error) {
	path, err := c.jobPath(kind, jobID)
	if err != nil {
		return nil, fmt.Errorf("reading job: %w", err)
	}
	job := new(BulkJob)
	if err := c.getJSON(ctx, path, nil, job); err != nil {
		return nil, fmt.Errorf("reading %s job %s: %w", kind, jobID, err)
	}
	return job, nil
}

// DeleteIngestJob deletes an ingest job and its results; the job must be
// closed or over.
func (c *Client) DeleteIngestJob(ctx context.Context, jobID string) error {
	return c.deleteJob(ctx, ingestJobs, jobID)
}

// DeleteQueryJob deletes a query job and its results.
func (c *Client) DeleteQueryJob(ctx context.Context, jobID string) error {
	return c.deleteJob(ctx, queryJobs, jobID)
}

func (c *Client) deleteJob(ctx context.Context, kind jobKind, jobID string) error {
	path, err := c.jobPath(kind, jobID)
	if err != nil {
		return fmt.Errorf("deleting job: %w", err)
	}
	if err := c.do(ctx, call{method: http.MethodDelete, path: path}, nil); err != nil {
		return fmt.Errorf("deleting %s job %s: %w", kind, jobID, err)
	}
	return nil
}

// PollPolicy says how often Wait calls ask for a job's state: after
// Initial, then twice as long each time, up to Max.
type PollPolicy struct {
	Initial time.Duration // default 1s
	Max     time.Duration // default 30s
}

// DefaultPollPolicy returns the defaults documented on PollPolicy.
func DefaultPollPolicy() PollPolicy { return PollPolicy{Initial: time.Second, Max: 30 * time.Second} }

func (p PollPolicy) withDefaults() PollPolicy {
	d := DefaultPollPolicy()
	if p.Initial <= 0 {
		p.Initial = d.Initial
	}
	if p.Max <= 0 {
		p.Max = d.Max
	}
	p.Max = max(p.Max, p.Initial)
	return p
}

// WaitIngestJob polls an ingest job until it is over. A job that ended
// Failed or Aborted comes with a *JobError; a JobComplete job may still
// have failed records (NumberRecordsFailed, FailedResults).
func (c *Client) WaitIngestJob(ctx context.Context, jobID string, poll PollPolicy) (*BulkJob, error) {
	return c.waitJob(ctx, ingestJobs, jobID, poll)
}

// WaitQueryJob polls a query job until it is over, like WaitIngestJob.
func (c *Client) WaitQueryJob(ctx context.Context, jobID string, poll PollPolicy) (*BulkJob, error) {
	return c.waitJob(ctx, queryJobs, jobID, poll)
}

func (c *Client) waitJob(ctx context.Context, kind jobKind, jobID string, poll PollPolicy) (*BulkJob, error) {
	poll = poll.withDefaults()
	for delay := poll.Initial; ; delay = min(2*delay, poll.Max) {
		job, err := c.jobInfo(ctx, kind, jobID)
		if err != nil {
			return nil, err
		}
		if job.State.Terminal() {
			if job.State != JobComplete {
				return job, &JobError{Job: job}
			}
			return job, nil
		}
		if err := sleep(ctx, delay); err != nil {
			return job, fmt.Errorf("waiting for %s job %s (%s): %w", kind, jobID, job.State, err)
		}
	}
}

// BulkIngest runs a whole ingest job: create it, upload csv, close it and
// wait until it is over. If the upload fails the job is aborted. The job
// is returned whenever it was created, with a *JobError if it ended Failed
// or Aborted; read its FailedResults for the records Salesforce refused.
func (c *Client) BulkIngest(ctx context.Context, spec IngestJobSpec, csv io.Reader, poll PollPolicy) (*BulkJob, error) {
	job, err := c.CreateIngestJob(ctx, spec)
	if err != nil {
		return nil, err
	}
	if err := c.UploadIngestData(ctx, job.ID, csv); err != nil {
		if _, aerr := c.AbortIngestJob(context.WithoutCancel(ctx), job.ID); aerr != nil {
			err = errors.Join(err, aerr)
		}
		return job, err
	}
	if _, err := c.CloseIngestJob(ctx, job.ID); err != nil {
		return job, err
	}
	done, err := c.WaitIngestJob(ctx, job.ID, poll)
	if done == nil {
		done = job
	}
	return done, err
}
