package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
	"github.com/sfbridge/sfbridge/internal/sheet"
)

// sheetsData is the Sheets page.
type sheetsData struct {
	Sheets []api.SheetSummary
}

// sheetData is one sheet's page: its grid, conflicts and dead letters.
type sheetData struct {
	Sheet       api.SheetSummary
	Rows        []gridRow
	Next        int64
	Total       int64
	Status      string // the status filter, "" for all
	Statuses    []string
	Conflicts   []api.SheetConflict
	DeadLetters []deadLetterRow
	Import      *api.ImportReport // after an import
	// Added is the add-row form's values by column, as posted, shown back
	// after a refusal.
	Added map[string]string
	// API is the sheet's API path, for the grid's script and the export.
	API string
	// ValueMessages word each refused value's reason for the grid's
	// script, with {value} and {column} to fill in.
	ValueMessages []valueMessage
}

// valueMessage is the wording of a value code in the page's language.
type valueMessage struct {
	Reason, Text string
}

// deadLetterRow is a dead letter with advice worded for the console.
type deadLetterRow struct {
	api.SheetDeadLetter
	// Advice says what to do with the page's buttons, where the stored
	// advice names CLI commands.
	Advice string
}

// gridRow is a row of the grid: its cells in the sheet's column order.
type gridRow struct {
	api.SheetRow
	Cells []gridCell
	// Advice words, for a row Salesforce refused, what to do in the
	// console (the row's Error is the advice for the CLI).
	Advice string
}

// gridCell is one cell, as text the grid shows and the edit form takes.
type gridCell struct {
	Column string
	Text   string
	// ReadOnly marks a system column's cell, which shows but is no form.
	ReadOnly bool
}

// rowStatuses are the statuses the grid filters on.
var rowStatuses = []string{"pending", "synced", "failed", "conflict", "removed"}

func (c *console) sheetsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /sheets", c.guard(access.SheetView, self, c.sheetsPage))
	mux.HandleFunc("GET /sheets/{name}", c.guard(access.SheetView, self, c.sheetPage))
	// The API decides sheet.edit on the sheet's workflows for every change.
	mux.HandleFunc("POST /sheets/{name}/rows", c.guard(access.SheetView, self, c.sheetAddRow))
	mux.HandleFunc("POST /sheets/{name}/rows/{id}", c.guard(access.SheetView, self, c.sheetEditRow))
	mux.HandleFunc("POST /sheets/{name}/rows/{id}/delete", c.guard(access.SheetView, self, c.sheetDeleteRow))
	mux.HandleFunc("POST /sheets/{name}/conflicts/{id}", c.guard(access.SheetView, self, c.sheetResolve))
	mux.HandleFunc("POST /sheets/{name}/deadletters/{id}/{verb}", c.guard(access.SheetView, self, c.sheetDeadLetter))
	mux.HandleFunc("POST /sheets/{name}/import", c.guard(access.SheetView, self, c.sheetImport))
}

func (c *console) sheetsPage(w http.ResponseWriter, r *http.Request, v *view) {
	var list api.SheetList
	if err := c.api.do(w, r, http.MethodGet, "/api/v1/sheets", nil, &list); err != nil {
		c.fail(w, r, v, err)
		return
	}
	v.Data = sheetsData{Sheets: list.Sheets}
	c.render(w, v, http.StatusOK, "sheets")
}

// sheetAPI is the API path of the sheet named in the request.
func sheetAPI(r *http.Request) string { return "/api/v1/sheets/" + url.PathEscape(r.PathValue("name")) }

func (c *console) sheetPage(w http.ResponseWriter, r *http.Request, v *view) {
	c.renderSheet(w, r, v, http.StatusOK, nil)
}

// renderSheet renders the sheet's page with status, after a change made
// or refused (v.Error), or an import's report.
func (c *console) renderSheet(w http.ResponseWriter, r *http.Request, v *view, status int, report *api.ImportReport) {
	base := sheetAPI(r)
	d := sheetData{API: base, Status: r.URL.Query().Get("status"), Statuses: rowStatuses, Import: report}
	if err := c.api.do(w, r, http.MethodGet, base, nil, &d.Sheet); err != nil {
		c.fail(w, r, v, err)
		return
	}
	q := url.Values{}
	if d.Status != "" {
		q.Set("status", d.Status)
	}
	if after := r.URL.Query().Get("after"); after != "" {
		q.Set("after", after)
	}
	var (
		page api.RowPage
		cl   api.ConflictList
		dl   api.DeadLetterList
	)
	for _, call := range []struct {
		path string
		out  any
	}{{base + "/rows?" + q.Encode(), &page}, {base + "/conflicts", &cl}, {base + "/deadletters", &dl}} {
		if err := c.api.do(w, r, http.MethodGet, call.path, nil, call.out); err != nil {
			c.fail(w, r, v, err)
			return
		}
	}
	d.Next, d.Total, d.Conflicts = page.Next, page.Total, cl.Conflicts
	for _, l := range dl.DeadLetters {
		d.DeadLetters = append(d.DeadLetters, deadLetterRow{SheetDeadLetter: l, Advice: deadLetterAdvice(v, l.RowFailure, l.RowID)})
	}
	d.Added = addedValues(r)
	for _, row := range page.Rows {
		g := gridRow{SheetRow: row}
		if row.Failure != nil {
			g.Advice = deadLetterAdvice(v, *row.Failure, row.ID)
		}
		for _, col := range d.Sheet.Columns {
			g.Cells = append(g.Cells, gridCell{Column: col.Name, Text: cellText(row.Values[col.Name]), ReadOnly: col.ReadOnly != ""})
		}
		d.Rows = append(d.Rows, g)
	}
	for _, code := range sheet.ValueCodes {
		d.ValueMessages = append(d.ValueMessages, valueMessage{Reason: string(code), Text: valueText(v, string(code), "{value}", "{column}", "")})
	}
	v.Data = d
	c.render(w, v, status, "sheets-detail")
}

// cellText is a value as a cell shows it and the edit form takes it back:
// lists joined with ';' as Salesforce writes multi-picklists, objects
// (addresses) as JSON.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = cellText(p)
		}
		return strings.Join(parts, ";")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// back sends the browser back to the sheet's page with a notice
// ("done=sheets_saved").
func back(w http.ResponseWriter, r *http.Request, notice string) {
	http.Redirect(w, r, "/sheets/"+url.PathEscape(r.PathValue("name"))+"?"+notice, http.StatusSeeOther)
}

// deadLetterNotices are the notices of the dead-letter actions, by verb.
var deadLetterNotices = map[string]string{"requeue": "done=sheets_requeued", "discard": "done=sheets_discarded"}

// valueText words a refused value in the page's language by its reason
// code (ADR 0315): fallback, the API's English message, for a code the
// catalogue does not word.
func valueText(v *view, reason, value, column, fallback string) string {
	switch sheet.ValueCode(reason) {
	case sheet.ValueNotText:
		return v.T("sheets.value.not_text", value, column)
	case sheet.ValueBadText:
		return v.T("sheets.value.bad_text", value, column)
	case sheet.ValueTooLong:
		return v.T("sheets.value.too_long", value, column)
	case sheet.ValueLineBreak:
		return v.T("sheets.value.line_break", value, column)
	case sheet.ValueNotInPicklist:
		return v.T("sheets.value.not_in_picklist", value, column)
	case sheet.ValueNotList:
		return v.T("sheets.value.not_list", value, column)
	case sheet.ValueNotEmail:
		return v.T("sheets.value.not_email", value, column)
	case sheet.ValueNotURL:
		return v.T("sheets.value.not_url", value, column)
	case sheet.ValueNotNumber:
		return v.T("sheets.value.not_number", value, column)
	case sheet.ValueTooManyDigits:
		return v.T("sheets.value.too_many_digits", value, column)
	case sheet.ValueNotCheckbox:
		return v.T("sheets.value.not_checkbox", value, column)
	case sheet.ValueNotDate:
		return v.T("sheets.value.not_date", value, column)
	case sheet.ValueNotDateTime:
		return v.T("sheets.value.not_datetime", value, column)
	case sheet.ValueNotTime:
		return v.T("sheets.value.not_time", value, column)
	case sheet.ValueNotAddress:
		return v.T("sheets.value.not_address", value, column)
	case sheet.ValueNotID:
		return v.T("sheets.value.not_id", value, column)
	case sheet.ValueRequired:
		return v.T("sheets.value.required", value, column)
	case sheet.ValueReadOnly:
		return v.T("sheets.value.read_only", value, column)
	}
	return fallback
}

// deadLetterAdvice says what to do about the failure of row with the
// page's buttons, by its code (Salesforce's, or the sync's SFBRIDGE_*);
// the stored advice, for the CLI, names commands.
func deadLetterAdvice(v *view, f api.RowFailure, row int64) string {
	fields := strings.Join(f.Fields, ", ")
	if fields == "" {
		fields = v.T("sheets.dead.a_field")
	}
	if f.Code == "INVALID_FIELD" && strings.HasPrefix(strings.TrimSpace(f.Message), "Foreign key external ID:") {
		// A lookup set through a key no record has.
		return v.T("sheets.dead.advice.missing_parent", fields, row)
	}
	switch f.Code {
	case "REQUIRED_FIELD_MISSING":
		return v.T("sheets.dead.advice.required", fields, row)
	case "FIELD_CUSTOM_VALIDATION_EXCEPTION", "FIELD_INTEGRITY_EXCEPTION":
		return v.T("sheets.dead.advice.validation", fields, row)
	case "DUPLICATE_VALUE", "DUPLICATES_DETECTED", "DUPLICATE_EXTERNAL_ID":
		return v.T("sheets.dead.advice.duplicate", fields, row)
	case "ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_CROSS_REFERENCE_KEY":
		return v.T("sheets.dead.advice.gone", fields, row)
	case "INVALID_FIELD_FOR_INSERT_UPDATE", "INVALID_FIELD", "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY":
		return v.T("sheets.dead.advice.field_access", fields, row)
	case "INSUFFICIENT_ACCESS_OR_READONLY", "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY":
		return v.T("sheets.dead.advice.record_access", fields, row)
	case "STRING_TOO_LONG", "INVALID_EMAIL_ADDRESS", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "NUMBER_OUTSIDE_VALID_RANGE",
		"INVALID_TYPE_ON_FIELD_IN_RECORD", "MALFORMED_ID", "JSON_PARSER_ERROR", "INVALID_ID_FIELD", "SFBRIDGE_INVALID_VALUE":
		return v.T("sheets.dead.advice.bad_value", fields, row)
	case "SFBRIDGE_NO_KEY", "SFBRIDGE_NO_MATCH":
		return v.T("sheets.dead.advice.no_match", fields, row)
	case "SFBRIDGE_GAVE_UP":
		return v.T("sheets.dead.advice.gave_up", fields, row)
	}
	return v.T("sheets.dead.advice.other", fields, row)
}

// refused renders the sheet again after an API refusal, with its message.
func (c *console) refused(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status := c.explain(r, v, err)
	if e, ok := errors.AsType[*api.Error](err); ok && e.Details != nil {
		for _, d := range e.Details.Values {
			v.Fields[d.Field] = valueText(v, d.Reason, d.Value, d.Column, v.Fields[d.Field])
		}
	}
	for field, msg := range v.Fields { // the value errors of the edit form
		v.Error += " " + strings.TrimPrefix(field, "values.") + ": " + msg
	}
	r.URL.RawQuery = ""
	c.renderSheet(w, r, v, status, nil)
}

// formValue is an edit form's value: empty clears the cell.
func formValue(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// sheetEditRow is the form fallback of the grid's in-place edit: one cell.
func (c *console) sheetEditRow(w http.ResponseWriter, r *http.Request, v *view) {
	ch := api.RowChange{Values: map[string]any{r.PostFormValue("column"): formValue(r.PostFormValue("value"))}}
	path := sheetAPI(r) + "/rows/" + url.PathEscape(r.PathValue("id"))
	var row api.SheetRow
	if err := c.api.do(w, r, http.MethodPatch, path, ch, &row); err != nil {
		c.refused(w, r, v, err)
		return
	}
	back(w, r, savedNotice(row, "done=sheets_saved", "done=sheets_saved_local", "done=sheets_saved_overwritten"))
}

// savedNotice is the notice after a change answered with row: sent, or
// local when a column changed stays in the sheet, or overwritten when,
// besides, the next change from Salesforce overwrites it (ADR 0315).
func savedNotice(row api.SheetRow, sent, local, overwritten string) string {
	switch {
	case len(row.Overwritten) > 0:
		return overwritten
	case len(row.Unsent) > 0:
		return local
	}
	return sent
}

// sheetDeleteRow deletes a row, and its record when the sheet's workflow
// propagates deletes (the API refuses otherwise).
func (c *console) sheetDeleteRow(w http.ResponseWriter, r *http.Request, v *view) {
	path := sheetAPI(r) + "/rows/" + url.PathEscape(r.PathValue("id"))
	if err := c.api.do(w, r, http.MethodDelete, path, nil, nil); err != nil {
		c.refused(w, r, v, err)
		return
	}
	back(w, r, "done=sheets_deleted")
}

// addedValues returns the add-row form's non-empty value_<column> fields
// by column (none for any other request).
func addedValues(r *http.Request) map[string]string {
	added := map[string]string{}
	for key, vals := range r.PostForm {
		if col, ok := strings.CutPrefix(key, "value_"); ok && len(vals) > 0 && vals[0] != "" {
			added[col] = vals[0]
		}
	}
	return added
}

// sheetAddRow adds a row from the form's value_<column> fields.
func (c *console) sheetAddRow(w http.ResponseWriter, r *http.Request, v *view) {
	if err := r.ParseForm(); err != nil {
		c.refused(w, r, v, err)
		return
	}
	ch := api.RowChange{Values: map[string]any{}}
	for col, val := range addedValues(r) {
		ch.Values[col] = val
	}
	var row api.SheetRow
	if err := c.api.do(w, r, http.MethodPost, sheetAPI(r)+"/rows", ch, &row); err != nil {
		c.refused(w, r, v, err)
		return
	}
	back(w, r, savedNotice(row, "done=sheets_added", "done=sheets_added_local", "done=sheets_added_overwritten"))
}

func (c *console) sheetResolve(w http.ResponseWriter, r *http.Request, v *view) {
	res := api.ConflictResolution{Keep: r.PostFormValue("keep")}
	if res.Keep == "value" {
		res.Value = r.PostFormValue("value")
	}
	path := sheetAPI(r) + "/conflicts/" + url.PathEscape(r.PathValue("id")) + "/resolve"
	if err := c.api.do(w, r, http.MethodPost, path, res, nil); err != nil {
		c.refused(w, r, v, err)
		return
	}
	back(w, r, "done=sheets_resolved")
}

func (c *console) sheetDeadLetter(w http.ResponseWriter, r *http.Request, v *view) {
	verb := r.PathValue("verb")
	notice, ok := deadLetterNotices[verb]
	if !ok {
		c.notFound(w, r)
		return
	}
	path := sheetAPI(r) + "/deadletters/" + url.PathEscape(r.PathValue("id")) + "/" + verb
	if err := c.api.do(w, r, http.MethodPost, path, nil, nil); err != nil {
		c.refused(w, r, v, err)
		return
	}
	back(w, r, notice)
}

// maxUpload bounds the CSV file of an import form (the API takes 32 MiB).
const maxUpload = 32 << 20

// sheetImport sends the uploaded CSV file to the API and shows its report.
func (c *console) sheetImport(w http.ResponseWriter, r *http.Request, v *view) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
	file, _, err := r.FormFile("file")
	if err != nil {
		v.Error = v.T("sheets.import.no_file")
		r.URL.RawQuery = ""
		c.renderSheet(w, r, v, http.StatusBadRequest, nil)
		return
	}
	defer file.Close()
	path := sheetAPI(r) + "/import"
	if key := r.PostFormValue("key"); key != "" {
		path += "?key=" + url.QueryEscape(key)
	}
	var report api.ImportReport
	if err := c.api.send(w, r, http.MethodPost, path, "text/csv", io.LimitReader(file, maxUpload), &report); err != nil {
		c.refused(w, r, v, err)
		return
	}
	for i, p := range report.Problems {
		report.Problems[i].Message = valueText(v, p.Reason, p.Value, p.Column, p.Message)
	}
	v.Notice = v.T("sheets.import.done", strconv.Itoa(report.Inserted), strconv.Itoa(report.Updated), strconv.Itoa(len(report.Problems)))
	r.URL.RawQuery = ""
	c.renderSheet(w, r, v, http.StatusOK, &report)
}
