package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
	"github.com/sfbridge/sfbridge/internal/recipe"
)

// editInBuilder opens a stored workflow in the builder, filled from its
// document (recipe.DraftOf), and saves the edit as a new version of it. A
// document the builder cannot show whole opens as YAML on the workflow's
// page instead, saying why (docs/adr/0305-editing-a-workflow-in-the-builder.md).
func (c *console) editInBuilder(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	wf, err := c.workflow(r, id)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	if !wf.Can.Edit {
		d := access.Decide(v.actor, access.WorkflowEdit, access.Resource{OwnerID: wf.OwnerID})
		v.Error = v.T("error." + string(d.Reason))
		c.render(w, v, http.StatusForbidden, "error")
		return
	}
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			c.notFound(w, r)
			return
		}
		c.buildWorkflow(w, r, v, r.PostForm, &wf)
		return
	}
	draft, err := recipe.DraftOf([]byte(wf.Document))
	if err == nil {
		err = c.listedFields(r, v, wf.OrgID, draft)
	}
	if nb, ok := errors.AsType[*recipe.NotBuildableError](err); ok {
		c.renderWorkflow(w, r, v, id, http.StatusOK, workflowData{NotBuildable: nb.Reasons})
		return
	}
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	// The builder shows the workflow as it is: on or off as stored,
	// whatever its document said when it was saved.
	draft.Enabled = wf.Enabled
	c.buildWorkflow(w, r, v, formOf(draft, wf.OrgID, wf.Version), &wf)
}

// listedFields checks that every field the draft maps or filters on is in
// the builder's list of the object's fields (the describe as the owner
// sees it): a relationship path, or a field the owner no longer sees,
// would be dropped by the builder. It returns a *recipe.NotBuildableError
// saying which.
func (c *console) listedFields(r *http.Request, v *view, orgID int64, d recipe.Draft) error {
	var obj api.ObjectInfo
	if err := c.api.do(nil, r, http.MethodGet, fmt.Sprintf("/api/v1/orgs/%d/objects/%s", orgID, url.PathEscape(d.Object)), nil, &obj); err != nil {
		return err
	}
	listed := func(name string) bool {
		return slices.ContainsFunc(obj.Fields, func(f api.FieldInfo) bool { return f.Name == name })
	}
	var reasons []string
	for _, f := range d.Fields {
		if !listed(f.Salesforce) {
			reasons = append(reasons, v.T("workflows.edit.not_listed", f.Salesforce, d.Object))
		}
	}
	for _, cond := range d.Conditions {
		if !listed(cond.Field) {
			reasons = append(reasons, v.T("workflows.edit.not_listed", cond.Field, d.Object))
		}
	}
	if reasons != nil {
		return &recipe.NotBuildableError{Reasons: reasons}
	}
	return nil
}

// formOf writes a draft as the builder's form would post it, so that a
// stored workflow opens through the same path as a posted form.
func formOf(d recipe.Draft, orgID int64, version int) url.Values {
	f := url.Values{"org": {strconv.FormatInt(orgID, 10)}, "version": {strconv.Itoa(version)},
		"name": {d.Name}, "object": {d.Object}, "sheet": {d.Sheet}, "direction": {d.Direction},
		"operation": {d.Operation}, "external_id": {d.ExternalID}, "conflicts": {d.Conflicts}}
	if d.Enabled {
		f.Set("enabled", "true")
	}
	for _, c := range d.Conditions {
		f.Add("cond_field", c.Field)
		f.Add("cond_op", c.Op)
		f.Add("cond_value", c.Value)
	}
	for _, fd := range d.Fields {
		f.Add("map", fd.Salesforce)
		f.Add("order", fd.Salesforce)
		f.Set("col."+fd.Salesforce, fd.Column)
		f.Set("dir."+fd.Salesforce, fd.Direction)
		f.Set("tr."+fd.Salesforce, fd.Transform)
	}
	return f
}
