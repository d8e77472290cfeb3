package bulk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// operations are the ingest operations Bulk API 2.0 accepts.
var operations = []string{"insert", "update", "upsert", "delete", "hardDelete"}

// createIngest serves POST /jobs/ingest.
func (req *request) createIngest() error {
	var body struct {
		Object              string `json:"object"`
		Operation           string `json:"operation"`
		ExternalIDFieldName string `json:"externalIdFieldName"`
		ContentType         string `json:"contentType"`
		LineEnding          string `json:"lineEnding"`
		ColumnDelimiter     string `json:"columnDelimiter"`
		AssignmentRuleID    string `json:"assignmentRuleId"`
	}
	if err := decodeBody(req.r, &body); err != nil {
		return err
	}
	op := ""
	for _, o := range operations {
		if strings.EqualFold(o, body.Operation) {
			op = o
		}
	}
	if op == "" {
		return invalidJob("Invalid operation %q: use insert, update, upsert, delete or hardDelete", body.Operation)
	}
	if body.Object == "" {
		return invalidJob("The job has no object: set object to the API name of an sObject, e.g. Account")
	}
	obj := req.h.cfg.Schema.Registry().Object(body.Object)
	if obj == nil || !req.who.CanReadObject(obj) {
		return newError(http.StatusBadRequest, codeInvalidEntity, fmt.Sprintf("Entity '%s' is not supported by the Bulk API.", body.Object))
	}
	if body.ContentType != "" && body.ContentType != "CSV" {
		return invalidJob("Invalid contentType %q: Bulk API 2.0 ingests CSV only", body.ContentType)
	}
	d, err := newDialect(body.ColumnDelimiter, body.LineEnding)
	if err != nil {
		return err
	}
	ext := ""
	if op == "upsert" {
		f := obj.Field(body.ExternalIDFieldName)
		if body.ExternalIDFieldName == "" {
			return invalidJob("An upsert job needs externalIdFieldName: the external ID field (or Id) that matches records of %s", obj.Name)
		}
		if f == nil || !f.IDLookup || !req.who.CanReadField(f) {
			return invalidJob("Field name provided, %s does not match an External ID, Salesforce Id, or indexed field for %s", body.ExternalIDFieldName, obj.Name)
		}
		ext = f.Name
	}
	j, err := req.newJob(op, obj.Name, d)
	if err != nil {
		return err
	}
	j.extID, j.ruleID, j.state = ext, body.AssignmentRuleID, stateOpen
	info := j.info(shapeCreate)
	req.h.add(j)
	req.writeJSON(http.StatusOK, info)
	return nil
}

// upload serves PUT /jobs/ingest/{id}/batches: the job's CSV, once.
func (req *request) upload() error {
	j, err := req.find()
	if err != nil {
		return err
	}
	if err := j.checkUploadable(); err != nil {
		return err
	}
	if ct := req.r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "text/csv" {
			return newError(http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
				fmt.Sprintf("Content type %q is not supported for job data: send text/csv", ct))
		}
	}
	data, err := io.ReadAll(io.LimitReader(req.r.Body, maxUpload+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errTooLarge
		}
		return fmt.Errorf("reading the upload of job %s: %w", j.id, err)
	}
	if len(data) > maxUpload {
		return errTooLarge
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.checkUploadableLocked(); err != nil { // another upload may have won meanwhile
		return err
	}
	j.data, j.uploaded = data, true
	req.w.WriteHeader(http.StatusCreated)
	return nil
}

var errTooLarge = newError(http.StatusRequestEntityTooLarge, "REQUEST_ENTITY_TOO_LARGE",
	"The job data exceeds 150 MB once base64-encoded (about 100 MB of CSV): split it into several jobs")

func (j *job) checkUploadable() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.checkUploadableLocked()
}

func (j *job) checkUploadableLocked() error {
	switch {
	case j.state != stateOpen:
		return invalidState("Job %s is %s: data can only be uploaded to an Open job", j.id, j.state)
	case j.uploaded:
		return invalidState("Job %s already has its data: a Bulk API 2.0 job takes one upload; create another job for more records", j.id)
	}
	return nil
}

// ingestResults serves GET /jobs/ingest/{id}/successfulResults,
// /failedResults and /unprocessedrecords.
func (req *request) ingestResults() error {
	j, err := req.find()
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	req.h.advanceLocked(req.r.Context(), j)
	if !j.state.terminal() {
		return invalidState("Job %s is %s: its results are available once it is JobComplete, Failed or Aborted", j.id, j.state)
	}
	res := j.finalResults()
	var body []byte
	switch req.sub {
	case "successfulresults":
		body = res.success
	case "failedresults":
		body = res.failed
	default:
		body = res.unprocessed
	}
	req.w.Header().Set("Content-Type", "text/csv")
	req.w.WriteHeader(http.StatusOK)
	if req.r.Method != http.MethodHead {
		_, _ = req.w.Write(body)
	}
	return nil
}

// decodeBody reads a JSON request body into v, answering Salesforce's
// JSON_PARSER_ERROR for anything else, unknown members included.
func decodeBody(r *http.Request, v any) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return fmt.Errorf("reading the request body: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return newError(http.StatusBadRequest, codeJSONParser, "No content to map due to end-of-input")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return newError(http.StatusBadRequest, codeJSONParser, "Unable to parse the request body: "+err.Error())
	}
	return nil
}
