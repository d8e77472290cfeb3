package bulk

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// ingestResults are an ingest job's three result files, rendered once.
type ingestResults struct {
	success, failed, unprocessed []byte
}

// batchSize is how many records Salesforce puts in one internal batch of an
// ingest job; each spends one DailyBulkApiBatches.
const batchSize = 10_000

// column is one column of an ingest CSV: a field, or a lookup set through
// a parent's external ID (Account.Ext__c, or Contact:Who.Email for a
// polymorphic lookup).
type column struct {
	name   string
	field  *schema.Field  // the field set, or the reference field of a relationship column
	target *schema.Object // relationship columns: the parent object
	key    *schema.Field  // relationship columns: the parent's external ID field
}

// ingestion is one ingest job being processed.
type ingestion struct {
	h   *Handler
	ctx context.Context
	j   *job
	obj *schema.Object

	header []byte // the upload's header line, verbatim
	cols   []column
	keyCol int // the Id column (update, delete), the external ID column (upsert); -1
	res    ingestResults
}

// processIngest runs an ingest job's rows through its creator's record
// writes. j.mu is held.
func (h *Handler) processIngest(ctx context.Context, j *job, now time.Time) {
	p := &ingestion{h: h, ctx: ctx, j: j, keyCol: -1}
	rows, failure := p.prepare()
	if failure == "" && len(rows) > 0 && h.cfg.Usage != nil &&
		!h.cfg.Usage.Spend(AllocBulkBatches, (len(rows)+batchSize-1)/batchSize) {
		failure = "ExceededQuota : The org has used its daily allocation of Bulk API batches (DailyBulkApiBatches)"
	}
	if failure != "" {
		j.errMsg = failure
		j.setState(stateFailed, now)
		return
	}
	d := j.dialect
	p.res.success = p.resultHeader("sf__Id", "sf__Created")
	p.res.failed = p.resultHeader("sf__Id", "sf__Error")
	p.res.unprocessed = append(append([]byte(nil), p.header...), d.eol()...)
	for _, cells := range rows {
		p.process(cells)
	}
	j.results, j.data = &p.res, nil
	j.setState(stateJobComplete, h.cfg.Clock.Now())
}

// prepare reads the upload: its line ending, header and rows. A non-empty
// failure is the job's errorMessage: the upload cannot be processed.
func (p *ingestion) prepare() (rows [][]string, failure string) {
	j := p.j
	data := bytes.TrimPrefix(j.data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, "ClientInputError : No data was uploaded: upload the CSV with PUT " + j.contentURL() + " before closing the job"
	}
	line, _, hasEOL := bytes.Cut(data, []byte("\n"))
	if hasEOL && bytes.HasSuffix(line, []byte("\r")) != (j.dialect.lineEnding == "CRLF") {
		return nil, "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is " + j.dialect.lineEnding
	}
	p.header = bytes.TrimSuffix(line, []byte("\r"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = j.dialect.delim
	all, err := r.ReadAll()
	if err != nil {
		return nil, "InvalidBatch : Failed to parse CSV: " + err.Error()
	}
	if msg := p.columns(all[0]); msg != "" {
		return nil, msg
	}
	return all[1:], ""
}

// columns resolves the header's names against the job's object.
func (p *ingestion) columns(names []string) string {
	j := p.j
	p.obj = p.h.cfg.Schema.Registry().Object(j.object)
	if p.obj == nil {
		return "InvalidBatch : Entity '" + j.object + "' is no longer available"
	}
	seen := map[string]bool{}
	for i, name := range names {
		name = strings.TrimSpace(name)
		c, ok := p.column(name)
		if !ok {
			return "InvalidBatch : Field name not found : " + name
		}
		key := strings.ToLower(c.field.Name)
		if seen[key] {
			return "InvalidBatch : Duplicate field name : " + name
		}
		seen[key] = true
		p.cols = append(p.cols, c)
		switch {
		case c.key != nil:
		case j.operation == "upsert" && strings.EqualFold(c.field.Name, j.extID),
			j.operation != "upsert" && j.operation != "insert" && c.field.Name == "Id":
			p.keyCol = i
		}
	}
	return ""
}

// column resolves one header name: Field, Relationship.Key or
// Type:Relationship.Key.
func (p *ingestion) column(name string) (column, bool) {
	who := p.j.who
	path, key, isRef := strings.Cut(name, ".")
	if !isRef {
		f := p.obj.Field(name)
		return column{name: name, field: f}, f != nil && who.CanReadField(f)
	}
	typ, rel, typed := strings.Cut(path, ":")
	if !typed {
		rel = path
	}
	f := p.obj.Relationship(rel)
	if f == nil || !who.CanReadField(f) {
		return column{}, false
	}
	var target *schema.Object
	for _, t := range f.Targets {
		if typed && strings.EqualFold(t.Name, typ) || !typed && len(f.Targets) == 1 {
			target = t
		}
	}
	if target == nil {
		return column{}, false
	}
	k := target.Field(key)
	if k == nil || !k.IDLookup || !who.CanReadField(k) {
		return column{}, false
	}
	return column{name: name, field: f, target: target, key: k}, true
}

// resultHeader is the first line of a result file: the sf__ columns, then
// the upload's header as it was written.
func (p *ingestion) resultHeader(sf ...string) []byte {
	d := p.j.dialect
	var b []byte
	for i, s := range sf {
		if i > 0 {
			b = append(b, string(d.delim)...)
		}
		b = appendQuoted(b, s)
	}
	if len(p.header) > 0 {
		b = append(b, string(d.delim)...)
		b = append(b, p.header...)
	}
	return append(b, d.eol()...)
}

// process writes one row and records its result.
func (p *ingestion) process(cells []string) {
	j := p.j
	d := j.dialect
	id, created, rendered, err := p.write(cells)
	j.processed++
	if err != nil {
		j.failed++
		p.res.failed = d.appendRow(p.res.failed, []string{id, sfError(err)}, cells)
		return
	}
	p.res.success = d.appendRow(p.res.success, []string{id, fmt.Sprint(created)}, rendered)
}

// write sends one row to the caller's record writes. It returns the
// record's ID (when known, failures included), whether it was created, and
// the row's cells as the successful results show them.
func (p *ingestion) write(cells []string) (id string, created bool, rendered []string, err *schema.Error) {
	j := p.j
	key := ""
	if p.keyCol >= 0 {
		key = cells[p.keyCol]
	}
	switch j.operation {
	case "delete", "hardDelete":
		if key == "" {
			return "", false, nil, missingID(j.operation)
		}
		del := j.who.Delete
		if j.operation == "hardDelete" {
			del = j.who.HardDelete
		}
		return key, false, cells, recordError(p.h, del(p.ctx, key))
	}
	in, rendered, err := p.input(cells)
	if err != nil {
		return key, false, nil, err
	}
	switch j.operation {
	case "insert":
		id, werr := j.who.Create(p.ctx, j.object, in)
		return id, werr == nil, rendered, recordError(p.h, werr)
	case "update":
		if key == "" {
			return "", false, nil, missingID(j.operation)
		}
		return key, false, rendered, recordError(p.h, j.who.Update(p.ctx, j.object, key, in))
	default: // upsert
		if key == "" {
			return "", false, nil, schema.NewError("MISSING_ARGUMENT", j.extID+" not specified")
		}
		id, created, werr := j.who.Upsert(p.ctx, j.object, j.extID, key, in)
		return id, created, rendered, recordError(p.h, werr)
	}
}

func missingID(op string) *schema.Error {
	return schema.NewError("MISSING_ARGUMENT", "Id not specified in an "+op+" call")
}

// input decodes a row's cells, but the key column: an empty cell leaves the
// field unchanged, #N/A sets it to null. rendered are the cells as the
// successful results show them: values re-rendered from what was stored
// (912260031 becomes 9.12260031E8, #N/A becomes empty), relationship and key
// cells as written.
func (p *ingestion) input(cells []string) (*schema.Input, []string, *schema.Error) {
	in := &schema.Input{}
	rendered := make([]string, len(cells))
	copy(rendered, cells)
	for i, c := range p.cols {
		text := cells[i]
		if i == p.keyCol || text == "" {
			continue
		}
		if text == "#N/A" {
			in.Values = append(in.Values, schema.FieldValue{Field: c.field})
			rendered[i] = ""
			continue
		}
		if c.key != nil {
			v, err := schema.ParseText(c.key.Type, text)
			if err != nil {
				return nil, nil, badValue(c.key, text)
			}
			in.Refs = append(in.Refs, schema.ExternalRef{Field: c.field, Object: c.target, Key: c.key, Value: v})
			continue
		}
		v, err := schema.ParseText(c.field.Type, text)
		if err != nil {
			return nil, nil, badValue(c.field, text)
		}
		in.Values = append(in.Values, schema.FieldValue{Field: c.field, Value: v})
		rendered[i] = formatCell(c.field.Type, v)
	}
	return in, rendered, nil
}

func badValue(f *schema.Field, text string) *schema.Error {
	return schema.NewError("INVALID_TYPE_ON_FIELD_IN_RECORD", fmt.Sprintf("%s: value not of required type: %s", f.Label, text), f.Name)
}

// recordError turns a write's error into the record's Salesforce error.
func recordError(h *Handler, err error) *schema.Error {
	if err == nil {
		return nil
	}
	var se *schema.Error
	if errors.As(err, &se) {
		return se
	}
	h.log.Error("writing a Bulk API 2.0 record", "err", err)
	return schema.NewError("UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if you contact support")
}

// sfError renders a record's error as the sf__Error column does:
// "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --",
// or with no fields "INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--".
func sfError(e *schema.Error) string {
	s := e.Code + ":" + e.Message + ":"
	if len(e.Fields) > 0 {
		return s + strings.Join(e.Fields, ",") + " --"
	}
	return s + "--"
}

// finalResults returns the job's result files; a job that ended before its
// rows were processed (aborted, or failed on its upload) has empty
// successful and failed results, and its whole upload unprocessed. j.mu is
// held.
func (j *job) finalResults() *ingestResults {
	if j.results != nil {
		return j.results
	}
	p := &ingestion{j: j}
	data := bytes.TrimPrefix(j.data, []byte("\xef\xbb\xbf"))
	line, _, _ := bytes.Cut(data, []byte("\n"))
	p.header = bytes.TrimSuffix(line, []byte("\r"))
	j.results = &ingestResults{
		success:     p.resultHeader("sf__Id", "sf__Created"),
		failed:      p.resultHeader("sf__Id", "sf__Error"),
		unprocessed: j.data,
	}
	return j.results
}
