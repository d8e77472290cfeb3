package api

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// SheetList is the sheets the caller may see, by name.
type SheetList struct {
	Sheets []SheetSummary `json:"sheets"`
}

// SheetSummary is a sheet with its columns, its workflows, and where its
// rows stand with Salesforce.
type SheetSummary struct {
	Name    string        `json:"name"`
	Columns []SheetColumn `json:"columns"`
	// Workflows are the workflows that name the sheet; the sheet is theirs
	// (docs/adr/0310-sheet-access-through-its-workflows.md).
	Workflows []SheetWorkflow `json:"workflows"`
	Rows      int64           `json:"rows"`    // every row but those deleted here and not yet in Salesforce
	Pending   int64           `json:"pending"` // rows waiting to be sent
	Failed    int64           `json:"failed"`  // rows Salesforce refused; see their dead letters
	// Conflicts counts the open conflicts: fields changed on both sides,
	// waiting for a decision.
	Conflicts   int `json:"conflicts"`
	DeadLetters int `json:"deadLetters"`
	// CanEdit says whether the caller may change rows, resolve conflicts
	// and requeue or discard dead letters.
	CanEdit bool `json:"canEdit"`
	// Deletes says whether a row deleted here deletes its Salesforce
	// record (a workflow has deletes.outbound: propagate); without it rows
	// cannot be deleted through the API.
	Deletes   bool      `json:"deletes"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// SheetColumn is a user column of a sheet.
type SheetColumn struct {
	Name string `json:"name"`
	Type string `json:"type"` // text, number, checkbox, date, picklist ... (package sheet's types)
	// Values are a picklist's allowed values; empty allows any.
	Values []string `json:"values,omitempty"`
	// Sent says whether a workflow sends the column to Salesforce; an edit
	// of a column not sent stays in the sheet.
	Sent bool `json:"sent"`
	// Received says whether a workflow brings the column from Salesforce:
	// an edit of a column received and not sent is overwritten by the next
	// change of the record.
	Received bool `json:"received"`
	// ReadOnly, when not empty, says why nobody may change the column: it
	// is a system column, which Salesforce or the sync writes (ADR 0315).
	ReadOnly string `json:"readOnly,omitempty"`
}

// SheetWorkflow is a workflow that names a sheet.
type SheetWorkflow struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	OwnerID int64  `json:"ownerId"`
	Enabled bool   `json:"enabled"`
	// Sends says whether it writes rows to Salesforce (outbound or both).
	Sends bool `json:"sends"`
}

// RowPage is a page of a sheet's rows, in row id order.
type RowPage struct {
	Rows []SheetRow `json:"rows"`
	// Next is the after= of the next page; 0 on the last page.
	Next int64 `json:"next"`
	// Total is how many rows the status filter selects, on every page.
	Total int64 `json:"total"`
}

// SheetRow is one row of a sheet with its sync status.
type SheetRow struct {
	ID int64 `json:"id"`
	// SFID is the Salesforce record's ID, empty until the record exists;
	// Link opens it in Salesforce, when its org's address is known.
	SFID string `json:"sfid,omitempty"`
	Link string `json:"link,omitempty"`
	// Status is pending (waiting to be sent), synced, failed (see Error and
	// Failure), conflict (see the sheet's conflicts) or removed (the record
	// is gone from Salesforce).
	Status string `json:"status"`
	// Error is what to do about a failed or conflicting row: one sentence.
	Error string `json:"error,omitempty"`
	// Failure is Salesforce's answer to a failed row: its dead letter.
	Failure *RowFailure `json:"failure,omitempty"`
	// Values are the row's values by column name: strings, numbers,
	// booleans, lists of strings (multi-picklists), objects (addresses),
	// or null.
	Values    map[string]any `json:"values"`
	UpdatedAt time.Time      `json:"updatedAt"`
	// Unsent names, in the answer to a change, the columns changed that no
	// workflow sends to Salesforce: the change stays in the sheet.
	Unsent []string `json:"unsent,omitempty"`
	// Overwritten names those of Unsent that a workflow brings from
	// Salesforce: the next change of the record overwrites them.
	Overwritten []string `json:"overwritten,omitempty"`
}

// RowFailure is why Salesforce refused a row's last change for good.
type RowFailure struct {
	DeadLetter int64    `json:"deadLetter"` // requeue or discard it with its id
	Code       string   `json:"code"`       // Salesforce's errorCode: REQUIRED_FIELD_MISSING ...
	Message    string   `json:"message"`    // Salesforce's message
	Fields     []string `json:"fields"`     // the fields Salesforce named
	Advice     string   `json:"advice"`     // what to do, in one sentence
}

// RowChange is the cells to write: values by column name, in any form the
// column takes (text, number, true/false, "A;B" or a list for a
// multi-picklist); null or "" clears a cell.
type RowChange struct {
	Values map[string]any `json:"values"`
}

// ConflictList is a sheet's conflicts, oldest first.
type ConflictList struct {
	Conflicts []SheetConflict `json:"conflicts"`
}

// SheetConflict is a field changed both in the sheet and in Salesforce
// since the last sync.
type SheetConflict struct {
	ID              int64  `json:"id"`
	Workflow        string `json:"workflow"`
	RowID           int64  `json:"rowId"`
	SFID            string `json:"sfid"`
	Field           string `json:"field"`  // the Salesforce field
	Column          string `json:"column"` // the sheet column
	SheetValue      any    `json:"sheetValue"`
	SalesforceValue any    `json:"salesforceValue"`
	BaseValue       any    `json:"baseValue"` // the value both sides changed from
	// Resolution is empty while open, then sheet, salesforce or value.
	Resolution    string    `json:"resolution,omitempty"`
	ResolvedValue any       `json:"resolvedValue,omitempty"`
	ResolvedBy    string    `json:"resolvedBy,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
}

// ConflictResolution settles a conflict: keep the sheet's value, keep
// Salesforce's, or keep Value.
type ConflictResolution struct {
	Keep  string `json:"keep"` // sheet, salesforce or value
	Value any    `json:"value,omitempty"`
}

// DeadLetterList is a sheet's dead letters, oldest first.
type DeadLetterList struct {
	DeadLetters []SheetDeadLetter `json:"deadLetters"`
}

// SheetDeadLetter is a change Salesforce refused for good: it stays until
// someone requeues or discards it.
type SheetDeadLetter struct {
	ID       int64  `json:"id"`
	Workflow string `json:"workflow"`
	RowID    int64  `json:"rowId"`
	SFID     string `json:"sfid,omitempty"`
	Op       string `json:"op"` // insert, update or delete
	RowFailure
	Attempts     int       `json:"attempts"`
	LastFailedAt time.Time `json:"lastFailedAt"`
}

// ImportReport is what an import did: the good lines are in, each bad line
// is listed with what to fix.
type ImportReport struct {
	Inserted int             `json:"inserted"`
	Updated  int             `json:"updated"`
	Problems []ImportProblem `json:"problems"`
}

// ImportProblem is a line of a CSV import that was left out.
type ImportProblem struct {
	Line    int    `json:"line"`             // 1 is the header
	Column  string `json:"column,omitempty"` // empty when the whole line is wrong
	Value   string `json:"value,omitempty"`
	Message string `json:"message"` // what is wrong and how to fix it
	// Reason is, for a value the column refused, why as a stable code
	// (not_number, not_date, too_long ..., as in ValueDetail), and Type the
	// column's type; both empty for other problems.
	Reason string `json:"reason,omitempty"`
	Type   string `json:"type,omitempty"`
}

// Sheet-specific limits.
const (
	defaultRowPage = 50
	maxRowPage     = 500
	maxImportBytes = 32 << 20
	// maxListed bounds the conflicts and dead letters one answer lists.
	maxListed = 500
)

// sheetResource returns the resource act is decided on for the sheet named
// in the path: a sheet is its workflows' (sheetOwner). When the sheet
// cannot be read, the resource has no owner: only admins pass, and the
// handler reports what went wrong.
func (s *Server) sheetResource(act access.Action) func(c *call) access.Resource {
	return func(c *call) access.Resource {
		if s.opts.Sheets == nil {
			return access.Resource{}
		}
		uses, err := s.sheetUses(c)
		if err != nil {
			return access.Resource{}
		}
		return sheetOwner(c.actor, act, uses.Of(c.r.PathValue("name")))
	}
}

// sheetUses reads what the workflows do with each sheet, once per request.
func (s *Server) sheetUses(c *call) (syncer.SheetUses, error) {
	if c.uses == nil {
		uses, err := syncer.ReadSheetUses(c.r.Context(), s.opts.Sheets)
		if err != nil {
			return nil, err
		}
		c.uses = uses
	}
	return c.uses, nil
}

// sheetOwner is the owner act on a sheet is decided against
// (docs/adr/0310-sheet-access-through-its-workflows.md): to see a sheet,
// owning any of its workflows is enough; to change it, one must own every
// workflow that sends it to Salesforce (every workflow, when none sends),
// since each writes the rows with its owner's connection. A sheet no
// workflow names has no owner: admins see it, nobody changes it.
func sheetOwner(a access.Actor, act access.Action, u *syncer.SheetUse) access.Resource {
	wfs := u.Workflows
	if act != access.SheetView && len(u.Senders) > 0 {
		wfs = u.Senders
	}
	if len(wfs) == 0 {
		return access.Resource{}
	}
	for _, wf := range wfs {
		if act == access.SheetView && wf.OwnerID == a.ID {
			return access.Resource{OwnerID: a.ID}
		}
		if act != access.SheetView && wf.OwnerID != a.ID {
			return access.Resource{OwnerID: wf.OwnerID}
		}
	}
	if act == access.SheetView {
		return access.Resource{OwnerID: wfs[0].OwnerID}
	}
	return access.Resource{OwnerID: a.ID}
}

// openSheet is the sheet of a route's path, with its workflows.
type openSheet struct {
	st   *store.Store
	sh   *sheet.Sheet
	use  *syncer.SheetUse
	cols columnUses // what the workflows do with each column
}

func (s *Server) openSheet(c *call) (*openSheet, error) {
	if s.opts.Sheets == nil {
		return nil, errorf(CodeUnavailable, "Sheets are not set up on this server.")
	}
	name := c.r.PathValue("name")
	sh, err := sheet.Open(c.r.Context(), s.opts.Sheets, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(CodeNotFound, fmt.Sprintf("No sheet is named %q; GET /api/v1/sheets lists the sheets you may see.", name))
	}
	if err != nil {
		return nil, err
	}
	uses, err := s.sheetUses(c)
	if err != nil {
		return nil, err
	}
	return newOpenSheet(s.opts.Sheets, sh, uses.Of(sh.Name)), nil
}

// openSheetItem opens the sheet of the request and reads the id of the row,
// conflict or dead letter its path names.
func (s *Server) openSheetItem(c *call) (*openSheet, int64, error) {
	o, err := s.openSheet(c)
	if err != nil {
		return nil, 0, err
	}
	id, err := c.pathID()
	if err != nil {
		return nil, 0, err
	}
	return o, id, nil
}

// actorName is who a change is made for, on the outbox and in conflict and
// dead-letter histories.
func (c *call) actorName() string { return "api:" + c.user.Login }

func (s *Server) listSheets(c *call) (any, error) {
	if s.opts.Sheets == nil {
		return nil, errorf(CodeUnavailable, "Sheets are not set up on this server.")
	}
	ctx := c.r.Context()
	sheets, err := sheet.List(ctx, s.opts.Sheets)
	if err != nil {
		return nil, err
	}
	uses, err := syncer.ReadSheetUses(ctx, s.opts.Sheets)
	if err != nil {
		return nil, err
	}
	out := SheetList{Sheets: []SheetSummary{}}
	for _, sh := range sheets {
		o := newOpenSheet(s.opts.Sheets, sh, uses.Of(sh.Name))
		if !access.Decide(c.actor, access.SheetView, sheetOwner(c.actor, access.SheetView, o.use)).Allowed {
			continue
		}
		sum, err := o.summary(ctx, c.actor)
		if err != nil {
			return nil, err
		}
		out.Sheets = append(out.Sheets, sum)
	}
	return out, nil
}

func (s *Server) getSheet(c *call) (any, error) {
	o, err := s.openSheet(c)
	if err != nil {
		return nil, err
	}
	return o.summary(c.r.Context(), c.actor)
}

// summary describes the sheet to a.
func (o *openSheet) summary(ctx context.Context, a access.Actor) (SheetSummary, error) {
	sum := SheetSummary{Name: o.sh.Name, Columns: []SheetColumn{}, Workflows: []SheetWorkflow{}, UpdatedAt: o.sh.UpdatedAt.UTC(),
		CanEdit: access.Decide(a, access.SheetEdit, sheetOwner(a, access.SheetEdit, o.use)).Allowed,
		Deletes: o.use.PropagatesDeletes()}
	for _, col := range o.sh.Columns {
		cu := o.cols.of(col.Name)
		sum.Columns = append(sum.Columns, SheetColumn{Name: col.Name, Type: string(col.Type), Values: col.Values,
			Sent: cu.sent, Received: cu.received, ReadOnly: cu.readOnly})
	}
	for _, wf := range o.use.Workflows {
		sends := slices.ContainsFunc(o.use.Senders, func(s store.Workflow) bool { return s.ID == wf.ID })
		sum.Workflows = append(sum.Workflows, SheetWorkflow{ID: wf.ID, Name: wf.Name, OwnerID: wf.OwnerID, Enabled: wf.Enabled, Sends: sends})
	}
	for _, n := range []struct {
		to     *int64
		status []sheet.Status
	}{{&sum.Rows, nil}, {&sum.Pending, []sheet.Status{sheet.StatusPending}}, {&sum.Failed, []sheet.Status{sheet.StatusFailed}}} {
		var err error
		if *n.to, err = o.sh.Count(ctx, o.st, sheet.Query{Status: n.status}); err != nil {
			return SheetSummary{}, err
		}
	}
	cs, err := o.st.Conflicts().List(ctx, store.ConflictFilter{SheetID: o.sh.ID, OpenOnly: true}, 0, maxListed)
	if err != nil {
		return SheetSummary{}, err
	}
	dls, err := o.st.DeadLetters().List(ctx, store.DeadLetterFilter{SheetID: o.sh.ID}, 0, maxListed)
	if err != nil {
		return SheetSummary{}, err
	}
	sum.Conflicts, sum.DeadLetters = len(cs), len(dls)
	return sum, nil
}

// rowStatuses reads ?status=: one status or several, comma-separated.
func rowStatuses(c *call) ([]sheet.Status, error) {
	raw := c.r.URL.Query().Get("status")
	if raw == "" {
		return nil, nil
	}
	var out []sheet.Status
	for part := range strings.SplitSeq(raw, ",") {
		st := sheet.Status(strings.TrimSpace(part))
		if st == sheet.StatusDeleted || !slices.Contains(sheet.Statuses, st) {
			return nil, invalid(FieldError{Field: "status", Message: fmt.Sprintf("has %q; use pending, synced, failed, conflict or removed, several separated by commas", st)})
		}
		out = append(out, st)
	}
	return out, nil
}

// queryInt reads a positive integer query parameter, def when absent.
func queryInt(c *call, name string, def, most int64) (int64, error) {
	raw := c.r.URL.Query().Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 || most > 0 && n > most {
		limit := ""
		if most > 0 {
			limit = fmt.Sprintf(" up to %d", most)
		}
		return 0, invalid(FieldError{Field: name, Message: fmt.Sprintf("is %q; give a whole number%s", raw, limit)})
	}
	return n, nil
}

func (s *Server) listRows(c *call) (any, error) {
	o, err := s.openSheet(c)
	if err != nil {
		return nil, err
	}
	statuses, err := rowStatuses(c)
	if err != nil {
		return nil, err
	}
	after, err := queryInt(c, "after", 0, 0)
	if err != nil {
		return nil, err
	}
	limit, err := queryInt(c, "limit", defaultRowPage, maxRowPage)
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	page, err := o.sh.List(ctx, o.st, sheet.Query{Status: statuses, AfterID: after, Limit: int(max(limit, 1))})
	if err != nil {
		return nil, err
	}
	total, err := o.sh.Count(ctx, o.st, sheet.Query{Status: statuses})
	if err != nil {
		return nil, err
	}
	link, err := o.recordLink(ctx)
	if err != nil {
		return nil, err
	}
	out := RowPage{Rows: make([]SheetRow, 0, len(page.Rows)), Next: page.Next, Total: total}
	for _, r := range page.Rows {
		row, err := o.row(ctx, r, link)
		if err != nil {
			return nil, err
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// recordLink returns the function that makes a record's link in
// Salesforce, from the org of the sheet's first workflow; links are empty
// when its address is unknown.
func (o *openSheet) recordLink(ctx context.Context) (func(sfid string) string, error) {
	base := ""
	if len(o.use.Workflows) > 0 {
		org, err := o.st.Orgs().Get(ctx, o.use.Workflows[0].OrgID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		base = strings.TrimSuffix(org.InstanceURL, "/")
	}
	return func(sfid string) string {
		if base == "" || sfid == "" {
			return ""
		}
		return base + "/" + sfid
	}, nil
}

// row is r as the API shows it, with its dead letter when it failed.
func (o *openSheet) row(ctx context.Context, r *sheet.Row, link func(string) string) (SheetRow, error) {
	out := SheetRow{ID: r.ID, SFID: r.SFID, Link: link(r.SFID), Status: string(r.Status), Error: r.Error,
		Values: make(map[string]any, len(o.sh.Columns)), UpdatedAt: r.UpdatedAt.UTC()}
	for i, col := range o.sh.Columns {
		out.Values[col.Name] = r.Values[i]
	}
	if r.Status != sheet.StatusFailed {
		return out, nil
	}
	dls, err := o.st.DeadLetters().List(ctx, store.DeadLetterFilter{SheetID: o.sh.ID, RowID: r.ID}, 0, 1)
	if err != nil {
		return SheetRow{}, err
	}
	if len(dls) > 0 {
		f := rowFailure(dls[0])
		out.Failure = &f
	}
	return out, nil
}

func rowFailure(dl store.DeadLetter) RowFailure {
	return RowFailure{DeadLetter: dl.ID, Code: dl.Code, Message: dl.Message, Fields: append([]string{}, dl.Fields...), Advice: dl.Advice}
}

// batch turns a RowChange into a one-row batch of a user's change, naming
// each unknown column.
func (o *openSheet) batch(c *call, ch RowChange, in sheet.Input) (sheet.Batch, error) {
	b := sheet.Batch{Origin: sheet.OriginUser, Actor: c.actorName()}
	var bad refusal
	for _, col := range o.sh.Columns { // the sheet's order, whatever the map's
		for name, v := range ch.Values {
			if !strings.EqualFold(name, col.Name) {
				continue
			}
			if slices.Contains(b.Columns, col.Name) {
				return b, invalid(FieldError{Field: "values", Message: fmt.Sprintf("names column %q twice (column names ignore case); give it once", col.Name)})
			}
			if why := o.cols.of(col.Name).readOnly; why != "" {
				bad.value("values."+name, fmt.Sprintf("is a system column, which nobody may change here: %s; leave it out of the change", why),
					ValueDetail{Reason: string(sheet.ValueReadOnly), Column: col.Name, Type: string(col.Type)})
				continue
			}
			b.Columns = append(b.Columns, col.Name)
			in.Values = append(in.Values, v)
		}
	}
	for name := range ch.Values {
		if _, ok := o.sh.Column(name); !ok {
			bad.fields = append(bad.fields, FieldError{Field: "values." + name, Message: fmt.Sprintf("is not a column of sheet %q; its columns are %s", o.sh.Name, columnNames(o.sh))})
		}
	}
	if len(bad.fields) > 0 {
		slices.SortFunc(bad.fields, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
		return b, bad.err()
	}
	if len(b.Columns) == 0 {
		return b, invalid(FieldError{Field: "values", Message: "is empty; give at least one column and its value"})
	}
	b.Rows = []sheet.Input{in}
	return b, nil
}

func columnNames(sh *sheet.Sheet) string {
	names := make([]string, len(sh.Columns))
	for i, col := range sh.Columns {
		names[i] = strconv.Quote(col.Name)
	}
	return strings.Join(names, ", ")
}

// valueErrors turns a batch's invalid values into field errors: which
// column, which value, what type it expects and how to fix it.
func valueErrors(err error) error {
	var ve *sheet.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var bad refusal
	for _, v := range ve.Errors {
		bad.valueError("values."+v.Column, v)
	}
	return bad.err()
}

// refusal collects the field errors of a change, with the details of the
// values refused among them for clients that word them themselves.
type refusal struct {
	fields []FieldError
	values []ValueDetail
}

// value adds a refused value: its field error, in English, and its details.
func (r *refusal) value(field, message string, d ValueDetail) {
	d.Field = field
	r.fields = append(r.fields, FieldError{Field: field, Message: message})
	r.values = append(r.values, d)
}

// valueError adds a value its column refused.
func (r *refusal) valueError(field string, v *sheet.ValueError) {
	r.value(field, valueMessage(v), ValueDetail{Reason: string(v.Code), Value: v.Value, Column: v.Column, Type: string(v.Type)})
}

// err is the invalid_input error of the refusal; it has a field error.
func (r *refusal) err() *Error {
	e := invalid(r.fields...)
	e.Details.Values = r.values
	return e
}

// valueMessage says what is wrong with a value, what the column takes and
// how to fix it: "\"12x\" is not a number; write digits ... (a number
// column)".
func valueMessage(v *sheet.ValueError) string {
	return fmt.Sprintf("%s %s (a %s column)", v.Value, v.Reason, v.Type)
}

func (s *Server) editRow(c *call) (any, error) {
	o, id, err := s.openSheetItem(c)
	if err != nil {
		return nil, err
	}
	var ch RowChange
	if err := c.decode(&ch); err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	if _, err := o.visibleRow(ctx, id); err != nil {
		return nil, err
	}
	b, err := o.batch(c, ch, sheet.Input{ID: id})
	if err != nil {
		return nil, err
	}
	if _, err := o.sh.Update(ctx, o.st, b); err != nil {
		return nil, valueErrors(err)
	}
	return o.written(ctx, id, b.Columns)
}

// visibleRow returns the row with the id, or not_found for a row that does
// not exist or was deleted.
func (o *openSheet) visibleRow(ctx context.Context, id int64) (*sheet.Row, error) {
	r, err := o.sh.Get(ctx, o.st, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && r.Status == sheet.StatusDeleted {
		return nil, errorf(CodeNotFound, fmt.Sprintf("Sheet %q has no row %d; GET /api/v1/sheets/%s/rows lists its rows.", o.sh.Name, id, o.sh.Name))
	}
	return r, err
}

// written answers a change of row id: the row as it is now, and the
// columns changed that no workflow sends.
func (o *openSheet) written(ctx context.Context, id int64, columns []string) (SheetRow, error) {
	r, err := o.sh.Get(ctx, o.st, id)
	if err != nil {
		return SheetRow{}, err
	}
	link, err := o.recordLink(ctx)
	if err != nil {
		return SheetRow{}, err
	}
	row, err := o.row(ctx, r, link)
	row.Unsent = o.use.Unsent(columns)
	for _, col := range row.Unsent {
		if o.cols.of(col).received {
			row.Overwritten = append(row.Overwritten, col)
		}
	}
	return row, err
}

func (s *Server) addRow(c *call) (any, error) {
	o, err := s.openSheet(c)
	if err != nil {
		return nil, err
	}
	var ch RowChange
	if err := c.decode(&ch); err != nil {
		return nil, err
	}
	b, err := o.batch(c, ch, sheet.Input{})
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	ids, _, err := o.sh.Insert(ctx, o.st, b)
	if err != nil {
		return nil, valueErrors(err)
	}
	return o.written(ctx, ids[0], b.Columns)
}

func (s *Server) deleteRow(c *call) (any, error) {
	o, id, err := s.openSheetItem(c)
	if err != nil {
		return nil, err
	}
	if !o.use.PropagatesDeletes() {
		return nil, errorf(CodeSheetDeletesOff, fmt.Sprintf("No workflow of sheet %q deletes records in Salesforce, so its rows cannot be deleted here: "+
			"the row would come back or its record stay. Add deletes: {outbound: propagate} to the workflow that sends the sheet, or clear the row's cells instead.", o.sh.Name))
	}
	ctx := c.r.Context()
	if _, err := o.visibleRow(ctx, id); err != nil {
		return nil, err
	}
	_, err = o.sh.DeleteAsUser(ctx, o.st, c.actorName(), []int64{id})
	return nil, err
}

// exportCSV streams the sheet as CSV (sheet.ExportCSV). An error after the
// first byte can only be logged: the status is sent.
func (s *Server) exportCSV(c *call) error {
	o, err := s.openSheet(c)
	if err != nil {
		return err
	}
	statuses, err := rowStatuses(c)
	if err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", exportName(o.sh.Name)))
	if _, err := o.sh.ExportCSV(c.r.Context(), o.st, c.w, sheet.Query{Status: statuses}); err != nil {
		s.log.Error("api: exporting a sheet", "sheet", o.sh.Name, "err", err)
	}
	return nil
}

// exportName is the file name of a sheet's export: its name with only
// letters, digits, '-' and '_', then .csv.
func exportName(name string) string {
	clean := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, name)
	return clean + ".csv"
}

// guardedStream is a guarded route whose answer is not JSON: serve writes
// it, after the access check, or returns an error before writing anything
// (answered as a JSON error).
func (s *Server) guardedStream(method, path string, action access.Action, contentType, summary string,
	resource func(*call) access.Resource, serve func(*call) error) route {
	rt := guarded(method, path, action, summary, nil).on(resource)
	inner := rt
	inner.handle = func(c *call) (any, error) { return nil, serve(c) }
	rt.raw = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.run(inner, &call{s: s, w: w, r: r}); err != nil {
			s.writeError(w, r, err)
		}
	})
	rt.rawType = contentType
	return rt
}

// importCSV adds or updates rows from a CSV body whose header names the
// sheet's columns (system columns, as an export has them, are skipped).
// With ?key=COLUMN, a line whose key matches a row updates it, others are
// added; without, every line is added. Each bad line is reported and left
// out; the good lines are written in one transaction.
func (s *Server) importCSV(c *call) (any, error) {
	o, err := s.openSheet(c)
	if err != nil {
		return nil, err
	}
	imp, err := o.readImport(http.MaxBytesReader(c.w, c.r.Body, maxImportBytes), c.r.URL.Query().Get("key"))
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	err = o.st.Write(ctx, func(tx *store.Tx) error {
		if err := imp.match(ctx, tx); err != nil {
			return err
		}
		if err := imp.write(ctx, tx, c.actorName()); err != nil {
			return err
		}
		return appendAudit(ctx, tx, c.audit("sheet.import", "sheet "+o.sh.Name,
			fmt.Sprintf("imported %d new rows and %d updates from CSV, %d lines left out", imp.report.Inserted, imp.report.Updated, len(imp.report.Problems))),
			nil, imp.report)
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(imp.report.Problems, func(a, b ImportProblem) int { return cmp.Compare(a.Line, b.Line) })
	return imp.report, nil
}

// readImport reads a CSV import: its header, checked against the sheet and
// the key, then each line, kept or reported.
func (o *openSheet) readImport(r io.Reader, key string) (*sheetImport, error) {
	rd := csv.NewReader(r)
	rd.FieldsPerRecord = -1
	header, err := rd.Read()
	if err != nil {
		return nil, invalid(FieldError{Field: "body", Message: "has no CSV header line: " + csvReason(err) +
			"; send the column names on the first line, as an export has them"})
	}
	imp, err := o.newImport(header, key)
	if err != nil {
		return nil, err
	}
	var tooLarge *http.MaxBytesError
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return imp, nil
		}
		if errors.As(err, &tooLarge) {
			return nil, invalid(FieldError{Field: "body", Message: fmt.Sprintf("is over %d MiB; split the file", maxImportBytes>>20)})
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			imp.problem(ImportProblem{Line: pe.StartLine, Message: "is not valid CSV: " + csvReason(err) + "; fix the quotes or commas of the line"})
			continue
		}
		if err != nil {
			return nil, err
		}
		line, _ := rd.FieldPos(0)
		imp.add(line, rec)
	}
}

// csvReason is a CSV error without its "record on line N" prefix, which
// the problem's line says.
func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	if errors.Is(err, io.EOF) {
		return "the body is empty"
	}
	return err.Error()
}

// sheetImport is one CSV import under way.
type sheetImport struct {
	o       *openSheet
	header  []string
	cols    []int // per header field: the index of its user column, or -1 (a system column)
	names   []string
	key     string // the key column's name, "" to add every line
	keyAt   int    // the key's field in the header
	lines   []importLine
	report  ImportReport
	seenKey map[string]int // key value → its first line
	// index maps a user key column's values to their rows (sheet.Index).
	index map[string][]int64
}

type importLine struct {
	line   int
	keyVal string
	values []any
	rowID  int64 // the row to update; 0 to add
}

// newImport checks the header and the key.
func (o *openSheet) newImport(header []string, key string) (*sheetImport, error) {
	imp := &sheetImport{o: o, header: header, keyAt: -1, seenKey: map[string]int{}, report: ImportReport{Problems: []ImportProblem{}}}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		switch col, ok := o.sh.Column(h); {
		case seen[strings.ToLower(h)]:
			return nil, invalid(FieldError{Field: "header", Message: fmt.Sprintf("names column %q twice; keep one", h)})
		case ok && o.cols.of(col.Name).readOnly == "":
			imp.cols = append(imp.cols, slices.IndexFunc(o.sh.Columns, func(c sheet.Column) bool { return c.Name == col.Name }))
			imp.names = append(imp.names, col.Name)
		case ok, sheet.IsSystemColumn(h): // read-only: an export has them
			imp.cols = append(imp.cols, -1)
		default:
			return nil, invalid(FieldError{Field: "header", Message: fmt.Sprintf("names %q, which is not a column of sheet %q; its columns are %s. Rename or remove that column of the file",
				h, o.sh.Name, columnNames(o.sh))})
		}
		seen[strings.ToLower(h)] = true
		if key != "" && strings.EqualFold(h, key) {
			imp.keyAt = i
			imp.key = h
			if col, ok := o.sh.Column(h); ok {
				imp.key = col.Name
			}
		}
	}
	if key != "" && imp.keyAt < 0 {
		return nil, invalid(FieldError{Field: "key", Message: fmt.Sprintf("is %q, which the file's header does not name; give a column of the file whose values identify the rows (Row ID, Salesforce ID, or a column such as an email)", key)})
	}
	if key != "" && sheet.IsSystemColumn(imp.key) && !strings.EqualFold(imp.key, "Row ID") && !strings.EqualFold(imp.key, "Salesforce ID") {
		return nil, invalid(FieldError{Field: "key", Message: fmt.Sprintf("is %q; of the system columns only Row ID and Salesforce ID identify rows", key)})
	}
	if len(imp.names) == 0 {
		return nil, invalid(FieldError{Field: "header", Message: "names none of the sheet's columns; its columns are " + columnNames(o.sh)})
	}
	return imp, nil
}

func (imp *sheetImport) problem(p ImportProblem) {
	imp.report.Problems = append(imp.report.Problems, p)
}

// add takes one CSV record, or reports it.
func (imp *sheetImport) add(line int, rec []string) {
	if len(rec) != len(imp.header) {
		imp.problem(ImportProblem{Line: line, Message: fmt.Sprintf("has %d fields, the header %d; give every line the header's columns, in its order", len(rec), len(imp.header))})
		return
	}
	l := importLine{line: line}
	for i, v := range rec {
		if imp.cols[i] >= 0 {
			var val any
			if v != "" {
				val = v
			}
			l.values = append(l.values, val)
		}
	}
	if imp.keyAt >= 0 {
		l.keyVal = strings.TrimSpace(rec[imp.keyAt])
		if l.keyVal != "" {
			if first, dup := imp.seenKey[l.keyVal]; dup {
				imp.problem(ImportProblem{Line: line, Column: imp.key, Value: l.keyVal,
					Message: fmt.Sprintf("is the key of line %d too; keep one line per row", first)})
				return
			}
			imp.seenKey[l.keyVal] = line
		}
	}
	imp.lines = append(imp.lines, l)
}

// match finds the row each keyed line updates; lines without a key, or
// whose key matches no row, add one (with its Salesforce ID, when that is
// the key).
func (imp *sheetImport) match(ctx context.Context, tx *store.Tx) error {
	if imp.keyAt < 0 {
		return nil
	}
	if _, ok := imp.o.sh.Column(imp.key); ok {
		var err error
		if imp.index, err = imp.o.sh.Index(ctx, tx, imp.key); err != nil {
			return err
		}
	}
	kept := imp.lines[:0]
	for _, l := range imp.lines {
		if l.keyVal == "" {
			kept = append(kept, l)
			continue
		}
		id, p, err := imp.lookup(ctx, tx, l.keyVal)
		if err != nil {
			return err
		}
		if p.Message != "" {
			p.Line, p.Column, p.Value = l.line, imp.key, l.keyVal
			imp.problem(p)
			continue
		}
		l.rowID = id
		kept = append(kept, l)
	}
	imp.lines = kept
	return nil
}

// lookup returns the id of the row whose key is v (0: none, a new row), or
// why the line cannot be imported: a problem without its line.
func (imp *sheetImport) lookup(ctx context.Context, tx *store.Tx, v string) (int64, ImportProblem, error) {
	sh := imp.o.sh
	var (
		r   *sheet.Row
		err error
	)
	switch {
	case strings.EqualFold(imp.key, "Row ID"):
		id, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || id <= 0 {
			return 0, ImportProblem{Message: "is not a row id; row ids are positive whole numbers, or leave the cell empty to add the line as a new row"}, nil
		}
		if r, err = sh.Get(ctx, tx, id); errors.Is(err, store.ErrNotFound) {
			return 0, ImportProblem{Message: fmt.Sprintf("is not a row of sheet %q; leave the cell empty to add the line as a new row", sh.Name)}, nil
		}
	case strings.EqualFold(imp.key, "Salesforce ID"):
		if _, reason := sheet.NormalizeID(v); reason != "" {
			return 0, ImportProblem{Message: "is not a Salesforce ID: " + v + " " + reason, Reason: string(sheet.ValueNotID), Type: string(sheet.TypeReference)}, nil
		}
		if r, err = sh.BySFID(ctx, tx, v); errors.Is(err, store.ErrNotFound) {
			return 0, ImportProblem{}, nil
		}
	default:
		key, kerr := sh.KeyText(imp.key, v)
		var ve *sheet.ValueError
		if errors.As(kerr, &ve) {
			return 0, importValueProblem(0, ve), nil
		}
		if kerr != nil {
			return 0, ImportProblem{}, kerr
		}
		switch ids := imp.index[key]; len(ids) {
		case 0:
			return 0, ImportProblem{}, nil
		case 1:
			return ids[0], ImportProblem{}, nil // the index holds no row deleted here
		default:
			return 0, ImportProblem{Message: fmt.Sprintf("matches several rows (%d, %d ...); use a key whose values are unique, such as Row ID", ids[0], ids[1])}, nil
		}
	}
	if err != nil {
		return 0, ImportProblem{}, err
	}
	if r.Status == sheet.StatusDeleted {
		return 0, ImportProblem{Message: fmt.Sprintf("is the key of row %d, which was deleted; remove the line", r.ID)}, nil
	}
	return r.ID, ImportProblem{}, nil
}

// write adds and updates the lines' rows, leaving out and reporting each
// line with an invalid value.
func (imp *sheetImport) write(ctx context.Context, tx *store.Tx, actor string) error {
	adds := sheet.Batch{Columns: imp.names, Origin: sheet.OriginUser, Actor: actor, SkipInvalid: true}
	updates := adds
	var addLines, updateLines []int
	sfidKey := strings.EqualFold(imp.key, "Salesforce ID")
	for _, l := range imp.lines {
		if l.rowID != 0 {
			updates.Rows = append(updates.Rows, sheet.Input{ID: l.rowID, Values: l.values})
			updateLines = append(updateLines, l.line)
			continue
		}
		in := sheet.Input{Values: l.values}
		if sfidKey {
			in.SFID = l.keyVal
		}
		adds.Rows = append(adds.Rows, in)
		addLines = append(addLines, l.line)
	}
	if len(adds.Rows) > 0 {
		_, res, err := imp.o.sh.Insert(ctx, tx, adds)
		if err != nil {
			return err
		}
		imp.report.Inserted = res.Inserted
		imp.rejected(res.Rejected, addLines)
	}
	if len(updates.Rows) > 0 {
		res, err := imp.o.sh.Update(ctx, tx, updates)
		if err != nil {
			return err
		}
		imp.report.Updated = res.Updated
		imp.rejected(res.Rejected, updateLines)
	}
	return nil
}

// importValueProblem is the problem of line's value that its column
// refused, with the refusal's reason code.
func importValueProblem(line int, ve *sheet.ValueError) ImportProblem {
	return ImportProblem{Line: line, Column: ve.Column, Value: ve.Value, Message: valueMessage(ve), Reason: string(ve.Code), Type: string(ve.Type)}
}

// rejected reports a batch's invalid values on their lines.
func (imp *sheetImport) rejected(errs []*sheet.ValueError, lines []int) {
	for _, ve := range errs {
		imp.problem(importValueProblem(lines[ve.Row-1], ve))
	}
}

func (s *Server) listConflicts(c *call) (any, error) {
	o, err := s.openSheet(c)
	if err != nil {
		return nil, err
	}
	all := c.r.URL.Query().Get("all") == "true"
	ctx := c.r.Context()
	cs, err := o.st.Conflicts().List(ctx, store.ConflictFilter{SheetID: o.sh.ID, OpenOnly: !all}, 0, maxListed)
	if err != nil {
		return nil, err
	}
	out := ConflictList{Conflicts: make([]SheetConflict, 0, len(cs))}
	for _, cf := range cs {
		out.Conflicts = append(out.Conflicts, o.conflict(cf))
	}
	return out, nil
}

// workflowName is the name of one of the sheet's workflows.
func (o *openSheet) workflowName(id int64) string {
	for _, wf := range o.use.Workflows {
		if wf.ID == id {
			return wf.Name
		}
	}
	return fmt.Sprintf("workflow %d", id)
}

func (o *openSheet) conflict(cf store.Conflict) SheetConflict {
	return SheetConflict{ID: cf.ID, Workflow: o.workflowName(cf.WorkflowID), RowID: cf.RowID, SFID: cf.SFID, Field: cf.Field, Column: cf.Column,
		SheetValue: cf.SheetValue, SalesforceValue: cf.SalesforceValue, BaseValue: cf.BaseValue, Resolution: string(cf.Resolution),
		ResolvedValue: cf.ResolvedValue, ResolvedBy: cf.ResolvedBy, CreatedAt: cf.CreatedAt.UTC()}
}

func (s *Server) resolveConflict(c *call) (any, error) {
	o, id, err := s.openSheetItem(c)
	if err != nil {
		return nil, err
	}
	var in ConflictResolution
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	how := map[string]store.Resolution{"sheet": store.ResolvedSheet, "salesforce": store.ResolvedSalesforce, "value": store.ResolvedWithNewValue}[in.Keep]
	switch {
	case how == "":
		return nil, invalid(FieldError{Field: "keep", Message: fmt.Sprintf("is %q; use sheet (keep the sheet's value), salesforce (keep Salesforce's) or value (keep the value given)", in.Keep)})
	case how != store.ResolvedWithNewValue && in.Value != nil:
		return nil, invalid(FieldError{Field: "value", Message: "is given with keep " + in.Keep + "; give a value only with keep value"})
	}
	ctx := c.r.Context()
	var after store.Conflict
	err = o.st.Write(ctx, func(tx *store.Tx) error {
		before, err := tx.Conflicts().Get(ctx, id)
		if err != nil || before.SheetID != o.sh.ID {
			return errorf(CodeNotFound, fmt.Sprintf("Sheet %q has no conflict %d; GET /api/v1/sheets/%s/conflicts lists them.", o.sh.Name, id, o.sh.Name))
		}
		if !before.Open() {
			return errorf(CodeConflict, fmt.Sprintf("Conflict %d was already resolved by %s; nothing to do.", id, before.ResolvedBy))
		}
		if err := syncer.ResolveConflict(ctx, tx, o.sh, id, how, in.Value, c.actorName()); err != nil {
			return err
		}
		if after, err = tx.Conflicts().Get(ctx, id); err != nil {
			return err
		}
		return appendAudit(ctx, tx, c.audit("conflict.resolve", fmt.Sprintf("sheet %s conflict %d", o.sh.Name, id),
			fmt.Sprintf("kept the %s value of %s on row %d", in.Keep, before.Column, before.RowID)), o.conflict(before), o.conflict(after))
	})
	if err != nil {
		var ve *sheet.ValueError
		if errors.As(err, &ve) {
			var bad refusal
			bad.valueError("value", ve)
			return nil, bad.err()
		}
		return nil, err
	}
	return o.conflict(after), nil
}

func (s *Server) listDeadLetters(c *call) (any, error) {
	o, err := s.openSheet(c)
	if err != nil {
		return nil, err
	}
	dls, err := o.st.DeadLetters().List(c.r.Context(), store.DeadLetterFilter{SheetID: o.sh.ID}, 0, maxListed)
	if err != nil {
		return nil, err
	}
	out := DeadLetterList{DeadLetters: make([]SheetDeadLetter, 0, len(dls))}
	for _, dl := range dls {
		out.DeadLetters = append(out.DeadLetters, o.deadLetter(dl))
	}
	return out, nil
}

func (o *openSheet) deadLetter(dl store.DeadLetter) SheetDeadLetter {
	return SheetDeadLetter{ID: dl.ID, Workflow: o.workflowName(dl.WorkflowID), RowID: dl.RowID, SFID: dl.SFID, Op: string(dl.Op),
		RowFailure: rowFailure(dl), Attempts: dl.Attempts, LastFailedAt: dl.LastFailedAt.UTC()}
}

// settleDeadLetter requeues or discards a dead letter of the sheet, with
// its audit entry, in one transaction.
func (s *Server) settleDeadLetter(verb string, settle func(*sheet.Sheet, context.Context, store.Scope, int64, string) error) func(*call) (any, error) {
	return func(c *call) (any, error) {
		o, id, err := s.openSheetItem(c)
		if err != nil {
			return nil, err
		}
		ctx := c.r.Context()
		return nil, o.st.Write(ctx, func(tx *store.Tx) error {
			dl, err := tx.DeadLetters().Get(ctx, id)
			if err != nil || dl.SheetID != o.sh.ID {
				return errorf(CodeNotFound, fmt.Sprintf("Sheet %q has no dead letter %d; GET /api/v1/sheets/%s/deadletters lists them.", o.sh.Name, id, o.sh.Name))
			}
			if err := settle(o.sh, ctx, tx, id, c.actorName()); err != nil {
				return err
			}
			return appendAudit(ctx, tx, c.audit("deadletter."+verb, fmt.Sprintf("sheet %s dead letter %d", o.sh.Name, id),
				fmt.Sprintf("%s the %s of row %d (%s)", verb+"d", dl.Op, dl.RowID, cmp.Or(dl.Code, "no error code"))), o.deadLetter(dl), nil)
		})
	}
}

// routes of sheets, for the route table.
func (s *Server) sheetRoutes(v1 string) []route {
	view, edit := s.sheetResource(access.SheetView), s.sheetResource(access.SheetEdit)
	sh := v1 + "/sheets/{name}"
	return []route{
		guarded(http.MethodGet, v1+"/sheets", access.SheetView, "The sheets you may see, with row counts and how many rows are pending, failed or in conflict", s.listSheets).
			body(nil, SheetList{}).on(self),
		guarded(http.MethodGet, sh, access.SheetView, "One sheet: its columns, its workflows and where its rows stand", s.getSheet).
			body(nil, SheetSummary{}).on(view),
		guarded(http.MethodGet, sh+"/rows", access.SheetView, "A page of the sheet's rows with their sync status, Salesforce ID and error", s.listRows).
			body(nil, RowPage{}).on(view).
			params("status", "pending, synced, failed, conflict or removed, several separated by commas; all when left out",
				"after", "the next of the previous page", "limit", "rows per page, 50 by default, at most 500"),
		guarded(http.MethodPost, sh+"/rows", access.SheetEdit, "Add a row; a workflow that creates records sends it to Salesforce", s.addRow).
			body(RowChange{}, SheetRow{}).on(edit).created(),
		guarded(http.MethodPatch, sh+"/rows/{id}", access.SheetEdit, "Change cells of a row; the change is sent to Salesforce with the workflow owner's connection", s.editRow).
			body(RowChange{}, SheetRow{}).on(edit),
		guarded(http.MethodDelete, sh+"/rows/{id}", access.SheetEdit, "Delete a row and its Salesforce record (only when a workflow propagates deletes)", s.deleteRow).
			body(nil, nil).on(edit),
		s.guardedStream(http.MethodGet, sh+"/export.csv", access.SheetView, "text/csv", "The sheet's rows as CSV: system columns, then the sheet's", view, s.exportCSV).
			params("status", "only rows with these statuses, as for rows"),
		guarded(http.MethodPost, sh+"/import", access.SheetEdit, "Import a CSV body (text/csv, header of column names): update rows by ?key=, add the others; bad lines are reported, the good ones written", s.importCSV).
			body(nil, ImportReport{}).rawBody("text/csv").on(edit).
			params("key", "a column of the file whose values identify rows (Row ID, Salesforce ID or a sheet column); without it every line is added"),
		guarded(http.MethodGet, sh+"/conflicts", access.SheetView, "The sheet's open conflicts (?all=true: the resolved ones too)", s.listConflicts).
			body(nil, ConflictList{}).on(view).params("all", "true to list resolved conflicts too"),
		guarded(http.MethodPost, sh+"/conflicts/{id}/resolve", access.SheetEdit, "Resolve a conflict: keep the sheet's value, Salesforce's, or another; the row is sent again", s.resolveConflict).
			body(ConflictResolution{}, SheetConflict{}).on(edit),
		guarded(http.MethodGet, sh+"/deadletters", access.SheetView, "The sheet's dead letters: changes Salesforce refused for good", s.listDeadLetters).
			body(nil, DeadLetterList{}).on(view),
		guarded(http.MethodPost, sh+"/deadletters/{id}/requeue", access.SheetEdit, "Send a dead letter's change again (after fixing the row or the workflow)", s.settleDeadLetter("requeue", (*sheet.Sheet).Requeue)).
			body(nil, nil).on(edit),
		guarded(http.MethodPost, sh+"/deadletters/{id}/discard", access.SheetEdit, "Drop a dead letter: its change is not sent", s.settleDeadLetter("discard", (*sheet.Sheet).Discard)).
			body(nil, nil).on(edit),
	}
}
