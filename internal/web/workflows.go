package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
	"github.com/sfbridge/sfbridge/internal/recipe"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// workflowsRoutes registers the workflow pages: the list, a workflow's
// page (history, YAML, edit), and the builder. Every change goes through
// /api/v1/workflows, which decides again with access.Decide.
func (c *console) workflowsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /workflows", c.guard(access.WorkflowView, self, c.workflows))
	mux.HandleFunc("GET /workflows/new", c.guard(access.WorkflowCreate, nil, c.builder))
	mux.HandleFunc("POST /workflows/new", c.guard(access.WorkflowCreate, nil, c.builder))
	mux.HandleFunc("GET /workflows/{id}", c.guard(access.WorkflowView, self, c.workflowPage))
	mux.HandleFunc("POST /workflows/{id}", c.guard(access.WorkflowView, self, c.editWorkflow))
	mux.HandleFunc("GET /workflows/{id}/yaml", c.guard(access.WorkflowView, self, c.workflowYAML))
	mux.HandleFunc("GET /workflows/{id}/builder", c.guard(access.WorkflowEdit, self, c.editInBuilder))
	mux.HandleFunc("POST /workflows/{id}/builder", c.guard(access.WorkflowEdit, self, c.editInBuilder))
	mux.HandleFunc("POST /workflows/{id}/{change}", c.guard(access.WorkflowView, self, c.changeWorkflow))
}

// workflowRow is one workflow as the pages show it.
type workflowRow struct {
	api.WorkflowInfo
	LastRun string // a date and time in the page's language, "" for never
	Lag     string // "1m30s", "" before the first sync
}

func (v *view) workflowRow(w api.WorkflowInfo) workflowRow {
	r := workflowRow{WorkflowInfo: w}
	if w.LastRunAt != nil {
		r.LastRun = v.DateTime(*w.LastRunAt)
	}
	if w.LagSeconds != nil {
		r.Lag = (time.Duration(*w.LagSeconds) * time.Second).Round(time.Second).String()
	}
	return r
}

// WFLabel translates a value of the workflow enums: a direction, a workflow
// or run status, an outbound operation, a conflict policy. Each key is
// written out, for the catalogue test to see.
func (v *view) WFLabel(value string) string {
	switch value {
	case "inbound":
		return v.T("workflows.direction.inbound")
	case "outbound":
		return v.T("workflows.direction.outbound")
	case "both":
		return v.T("workflows.direction.both")
	case "idle":
		return v.T("workflows.status.idle")
	case "running":
		return v.T("workflows.status.running")
	case "failing":
		return v.T("workflows.status.failing")
	case "paused":
		return v.T("workflows.status.paused")
	case "succeeded":
		return v.T("workflows.run_status.succeeded")
	case "failed":
		return v.T("workflows.run_status.failed")
	case "create":
		return v.T("workflows.operation.create")
	case "update":
		return v.T("workflows.operation.update")
	case "upsert":
		return v.T("workflows.operation.upsert")
	case "salesforce_wins":
		return v.T("workflows.conflicts.salesforce_wins")
	case "sheet_wins":
		return v.T("workflows.conflicts.sheet_wins")
	case "newest_wins":
		return v.T("workflows.conflicts.newest_wins")
	case "manual":
		return v.T("workflows.conflicts.manual")
	}
	return value
}

// DateTime prints an instant with its time, in the page's language, in
// UTC.
func (v *view) DateTime(t time.Time) string {
	return t.UTC().Format(v.T("workflows.format.datetime"))
}

// workflowsData is the workflow list.
type workflowsData struct {
	Workflows []workflowRow
	CanCreate bool
}

// workflows lists the workflows the signed-in person may see
// (GET /api/v1/workflows).
func (c *console) workflows(w http.ResponseWriter, r *http.Request, v *view) {
	var list api.WorkflowList
	if err := c.api.do(nil, r, http.MethodGet, "/api/v1/workflows", nil, &list); err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := workflowsData{CanCreate: v.Can(string(access.WorkflowCreate))}
	for _, wf := range list.Workflows {
		d.Workflows = append(d.Workflows, v.workflowRow(wf))
	}
	v.Data = d
	c.render(w, v, http.StatusOK, "workflows")
}

// changes are the buttons of a workflow: the API route each posts to,
// and the notice shown after.
var changes = map[string]string{"enable": "done=workflow_enabled", "disable": "done=workflow_disabled", "run": "done=workflow_queued"}

// changeWorkflow enables, disables or runs a workflow through the API, then
// goes back to the page the button was on.
func (c *console) changeWorkflow(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := c.pathID(w, r)
	if !ok {
		return // pathID answered 404
	}
	change := r.PathValue("change")
	notice, known := changes[change]
	if !known {
		c.notFound(w, r)
		return
	}
	var run api.RunQueued // the answer of "run"; enable and disable answer the workflow
	var out any
	if change == "run" {
		out = &run
	}
	if err := c.api.do(w, r, http.MethodPost, fmt.Sprintf("/api/v1/workflows/%d/%s", id, change), nil, out); err != nil {
		c.fail(w, r, v, err)
		return
	}
	if change == "run" && !run.Queued {
		notice = "done=workflow_already_queued"
	}
	back := localPath(r.PostFormValue("back"), "/workflows")
	back, _, _ = strings.Cut(back, "?")
	http.Redirect(w, r, back+"?"+notice, http.StatusSeeOther)
}

// workflowData is a workflow's page.
type workflowData struct {
	Workflow workflowRow
	Document string
	Version  int
	Runs     []api.RunInfo
	Next     int64
	// Problems and DryRun answer the edit form's buttons.
	Problems []workflow.Problem
	DryRun   *recipe.DryRun
	Checked  bool // a validation ran and found no problem
	// NotBuildable says why "Edit in the builder" opened the YAML instead.
	NotBuildable []string
}

// workflowPage shows a workflow, its history of runs and its document.
func (c *console) workflowPage(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	c.renderWorkflow(w, r, v, id, http.StatusOK, workflowData{})
}

// workflow reads a workflow through the API, as the signed-in person.
func (c *console) workflow(r *http.Request, id int64) (api.WorkflowDetail, error) {
	var wf api.WorkflowDetail
	err := c.api.do(nil, r, http.MethodGet, fmt.Sprintf("/api/v1/workflows/%d", id), nil, &wf)
	return wf, err
}

func (c *console) renderWorkflow(w http.ResponseWriter, r *http.Request, v *view, id int64, status int, d workflowData) {
	wf, err := c.workflow(r, id)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	q := url.Values{"limit": {"20"}}
	if b := r.URL.Query().Get("before"); b != "" {
		q.Set("before", b)
	}
	var runs api.RunList
	if err := c.api.do(nil, r, http.MethodGet, fmt.Sprintf("/api/v1/workflows/%d/runs?%s", id, q.Encode()), nil, &runs); err != nil {
		c.fail(w, r, v, err)
		return
	}
	d.Workflow, d.Runs, d.Next, d.Version = v.workflowRow(wf.WorkflowInfo), runs.Runs, runs.Next, wf.Version
	if d.Document == "" {
		d.Document = wf.Document
	}
	v.Data = d
	c.render(w, v, status, "workflows-detail")
}

// workflowYAML downloads a workflow's document, to edit it or apply it
// with `sfbridge workflow apply`.
func (c *console) workflowYAML(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	var doc api.WorkflowDocument
	if err := c.api.do(nil, r, http.MethodGet, fmt.Sprintf("/api/v1/workflows/%d/yaml", id), nil, &doc); err != nil {
		c.fail(w, r, v, err)
		return
	}
	wf, err := c.workflow(r, id)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/yaml; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", wf.Name+".yaml"))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(doc.Document))
}

// editWorkflow validates, dry-runs or saves the document of the edit form
// (PUT /api/v1/workflows/{id}, a new version).
func (c *console) editWorkflow(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	doc := r.PostFormValue("document")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	d := workflowData{Document: doc}
	status := http.StatusOK
	switch r.PostFormValue("action") {
	case "validate":
		status = c.checkDocument(w, r, v, doc, &d.Problems, &d.Checked, nil)
	case "dryrun":
		status = c.checkDocument(w, r, v, doc, &d.Problems, &d.Checked, &d.DryRun)
	default:
		err := c.api.do(w, r, http.MethodPut, fmt.Sprintf("/api/v1/workflows/%d", id), api.WorkflowDocument{Document: doc, Version: version}, nil)
		if err == nil {
			http.Redirect(w, r, fmt.Sprintf("/workflows/%d?done=workflow_saved", id), http.StatusSeeOther)
			return
		}
		status = c.saveFailed(r, v, err, &d.Problems)
	}
	c.renderWorkflow(w, r, v, id, status, d)
}

// checkDocument validates doc, or dry-runs it when dry is set, through the API,
// and puts the problems (or the dry run) where the page shows them.
func (c *console) checkDocument(w http.ResponseWriter, r *http.Request, v *view, doc string, problems *[]workflow.Problem, ok *bool, dry **recipe.DryRun) int {
	var rep api.DryRunReport
	path, out := "/api/v1/workflows/validate", any(&rep.Validation)
	if dry != nil {
		path, out = "/api/v1/workflows/dry-run", &rep
	}
	if err := c.api.do(w, r, http.MethodPost, path, api.WorkflowDocument{Document: doc}, out); err != nil {
		return c.explain(r, v, err)
	}
	*problems, *ok = rep.Problems, rep.Valid
	if dry != nil {
		*dry = rep.DryRun
	}
	if !rep.Valid {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// saveFailed explains a refused save: a document's problems are listed
// one by one (the API sends them as details.fields), anything else is the
// page's error.
func (c *console) saveFailed(r *http.Request, v *view, err error, problems *[]workflow.Problem) int {
	var e *api.Error
	if errors.As(err, &e) && e.Code == api.CodeWorkflowInvalid && e.Details != nil {
		for _, f := range e.Details.Fields {
			*problems = append(*problems, workflow.Problem{Path: f.Field, Message: f.Message})
		}
		v.Error = v.T("error." + string(e.Code))
		return e.Code.Status()
	}
	return c.explain(r, v, err)
}

// builderData is the workflow builder.
type builderData struct {
	Orgs    []api.OrgChoice
	OrgID   int64
	Objects []api.ObjectSummary
	Object  *api.ObjectInfo
	Draft   recipe.Draft
	Fields  []builderField
	Conds   []recipe.DraftCondition // the condition rows, padded with empty ones
	// Choices offered by the form.
	Operations []string
	Directions []string
	Operators  []string
	Transforms []string
	Conflicts  []workflow.Conflict
	Document   string
	Problems   []workflow.Problem
	DryRun     *recipe.DryRun
	Checked    bool // a validation ran and found no problem
	// Edit is the stored workflow the builder edits, nil for a new one;
	// Version is the version it was opened at.
	Edit    *api.WorkflowInfo
	Version int
}

// builderField is one field of the object, with how the draft maps it.
type builderField struct {
	api.FieldInfo
	Mapped               bool
	Column               string
	Direction            string
	Transform            string
	RequiredButNotMapped bool
	ReadOnlyForOutbound  bool // cannot be written: it may only flow inbound
}

// condRows is the number of condition rows the builder shows.
const condRows = 3

// builder is the workflow builder: pick an org and an object (a GET form),
// then the recipe (direction, conditions, fields, policies). Its buttons
// show the YAML it writes, validate it, dry-run it or save it, through
// the API; the YAML may also be edited and sent as it is.
func (c *console) builder(w http.ResponseWriter, r *http.Request, v *view) {
	form := r.URL.Query()
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			c.notFound(w, r)
			return
		}
		form = r.PostForm
	}
	c.buildWorkflow(w, r, v, form, nil)
}

// buildWorkflow renders the builder filled from form, and answers its
// buttons. edit is the stored workflow being edited (its org is fixed, and
// saving stores a new version of it), or nil for a new workflow.
func (c *console) buildWorkflow(w http.ResponseWriter, r *http.Request, v *view, form url.Values, edit *api.WorkflowDetail) {
	d := builderData{Operations: []string{"create", "update", "upsert"}, Directions: []string{"inbound", "outbound", "both"}, Operators: recipe.Operators(), Transforms: recipe.SimpleTransforms(), Conflicts: recipe.Conflicts()}
	status := http.StatusOK
	fail := func(err error) { status = c.explain(r, v, err) }
	var orgs api.OrgChoices
	if err := c.api.do(nil, r, http.MethodGet, "/api/v1/me/orgs", nil, &orgs); err != nil {
		c.fail(w, r, v, err)
		return
	}
	d.Orgs = orgs.Orgs
	owner := v.Me.Login
	d.OrgID, _ = strconv.ParseInt(form.Get("org"), 10, 64)
	if edit != nil {
		d.Edit, d.OrgID, owner = &edit.WorkflowInfo, edit.OrgID, edit.Owner
		d.Version, _ = strconv.Atoi(form.Get("version"))
	}
	if d.OrgID == 0 && len(d.Orgs) > 0 {
		d.OrgID = d.Orgs[0].ID
		if i := slices.IndexFunc(d.Orgs, func(o api.OrgChoice) bool { return o.Connected }); i >= 0 {
			d.OrgID = d.Orgs[i].ID
		}
	}
	d.Draft = draftOf(form, owner)
	if i := slices.IndexFunc(d.Orgs, func(o api.OrgChoice) bool { return o.ID == d.OrgID }); i >= 0 {
		d.Draft.Org = d.Orgs[i].Name
		var objs api.ObjectList
		if err := c.api.do(nil, r, http.MethodGet, fmt.Sprintf("/api/v1/orgs/%d/objects", d.OrgID), nil, &objs); err != nil {
			fail(err)
		}
		d.Objects = objs.Objects
	}
	if d.Draft.Object != "" && d.Objects != nil {
		var obj api.ObjectInfo
		if err := c.api.do(nil, r, http.MethodGet, fmt.Sprintf("/api/v1/orgs/%d/objects/%s", d.OrgID, url.PathEscape(d.Draft.Object)), nil, &obj); err != nil {
			fail(err)
		} else {
			d.Object = &obj
		}
	}
	d.Fields = builderFields(d.Object, form, r.Method == http.MethodPost || edit != nil, &d.Draft)
	d.Conds = append(slices.Clone(d.Draft.Conditions), make([]recipe.DraftCondition, max(0, condRows-len(d.Draft.Conditions)))...)
	d.Document = d.Draft.YAML()

	action := form.Get("action")
	if strings.HasPrefix(action, "yaml_") { // the second door: the YAML as edited
		d.Document = form.Get("document")
		action = strings.TrimPrefix(action, "yaml_")
	}
	switch action {
	case "validate":
		status = c.checkDocument(w, r, v, d.Document, &d.Problems, &d.Checked, nil)
	case "dryrun":
		status = c.checkDocument(w, r, v, d.Document, &d.Problems, &d.Checked, &d.DryRun)
	case "save":
		var saved api.WorkflowDetail
		var err error
		if edit == nil {
			err = c.api.do(w, r, http.MethodPost, "/api/v1/workflows", api.WorkflowDocument{Document: d.Document}, &saved)
		} else {
			err = c.api.do(w, r, http.MethodPut, fmt.Sprintf("/api/v1/workflows/%d", edit.ID), api.WorkflowDocument{Document: d.Document, Version: d.Version}, &saved)
		}
		if err == nil {
			done := "done=workflow_created"
			if edit != nil {
				done = "done=workflow_saved"
			}
			http.Redirect(w, r, fmt.Sprintf("/workflows/%d?%s", saved.ID, done), http.StatusSeeOther)
			return
		}
		status = c.saveFailed(r, v, err, &d.Problems)
	}
	v.Data = d
	c.render(w, v, status, "workflows-new")
}

// draftOf reads the recipe part of the builder's form; the fields are read
// with the object's describe (builderFields).
func draftOf(form url.Values, owner string) recipe.Draft {
	d := recipe.Draft{Name: strings.TrimSpace(form.Get("name")), Owner: owner, Object: form.Get("object"),
		Sheet: strings.TrimSpace(form.Get("sheet")), Direction: form.Get("direction"), Enabled: form.Get("enabled") == "true",
		Operation: form.Get("operation"), ExternalID: form.Get("external_id"), Conflicts: form.Get("conflicts")}
	if !slices.Contains([]string{"inbound", "outbound", "both"}, d.Direction) {
		d.Direction = "inbound"
	}
	if d.Operation == "" {
		d.Operation = string(workflow.OpCreate)
	}
	if d.Conflicts == "" {
		d.Conflicts = string(workflow.SalesforceWins)
	}
	if d.Sheet == "" && d.Name != "" {
		d.Sheet = recipe.ColumnName(strings.ReplaceAll(d.Name, "-", "_"))
	}
	fields, ops, values := form["cond_field"], form["cond_op"], form["cond_value"]
	for i := range fields {
		if i < len(ops) && i < len(values) && fields[i] != "" {
			d.Conditions = append(d.Conditions, recipe.DraftCondition{Field: fields[i], Op: ops[i], Value: values[i]})
		}
	}
	return d
}

// builderFields lists the object's fields with how the form maps them, and
// puts the mapped ones in the draft. Before the form was ever posted, the
// fields Salesforce requires on create are proposed.
func builderFields(obj *api.ObjectInfo, form url.Values, posted bool, d *recipe.Draft) []builderField {
	if obj == nil {
		return nil
	}
	mapped := map[string]bool{}
	for _, name := range form["map"] {
		mapped[name] = true
	}
	outbound := d.Direction != "inbound"
	var out []builderField
	for _, f := range obj.Fields {
		bf := builderField{FieldInfo: f, Mapped: mapped[f.Name] || (!posted && f.RequiredOnCreate),
			Column: strings.TrimSpace(form.Get("col." + f.Name)), Direction: form.Get("dir." + f.Name), Transform: form.Get("tr." + f.Name),
			ReadOnlyForOutbound: !f.Createable && !f.Updateable}
		if bf.Column == "" {
			bf.Column = recipe.ColumnName(f.Name)
		}
		if bf.ReadOnlyForOutbound && d.Direction != "inbound" {
			bf.Direction = "inbound"
		}
		bf.RequiredButNotMapped = outbound && d.Operation != string(workflow.OpUpdate) && f.RequiredOnCreate && !bf.Mapped
		if bf.Mapped {
			d.Fields = append(d.Fields, recipe.DraftField{Salesforce: f.Name, Column: bf.Column, Direction: bf.Direction, Transform: bf.Transform})
		}
		out = append(out, bf)
	}
	// The fields keep the order the draft had (a document's order when
	// editing); fields mapped since come after, in the object's order.
	order := form["order"]
	rank := func(f recipe.DraftField) int {
		if i := slices.Index(order, f.Salesforce); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(d.Fields, func(a, b recipe.DraftField) int { return rank(a) - rank(b) })
	return out
}

// wfPart is what the workflow partials see: the page's view and one thing
// to show (a workflow, problems, a dry run).
type wfPart struct {
	V *view
	W any
}

// WF pairs the view with w for the workflow partials.
func (v *view) WF(w any) wfPart { return wfPart{V: v, W: w} }
