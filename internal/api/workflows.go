package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/recipe"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// Runner is the sync scheduler; syncer.Service is one. RunNow runs a
// workflow now, outside its org's schedule, and reports false when the
// workflow is already queued. Reschedule applies an org's polling interval
// after it is registered or changed, so its workflows poll at once at the new
// pace rather than after the server restarts.
type Runner interface {
	RunNow(ctx context.Context, workflowID int64) (bool, error)
	Reschedule(ctx context.Context, orgID int64) error
}

// Workflow codes.
const (
	CodeWorkflowInvalid      Code = "workflow.invalid"
	CodeWorkflowOwnerNotYou  Code = "workflow.owner_not_you"
	CodeWorkflowKeepsOrg     Code = "workflow.keeps_org_and_owner"
	CodeWorkflowRenamed      Code = "workflow.renamed"
	CodeWorkflowDisabled     Code = "workflow.disabled"
	CodeWorkflowOwnerUnknown Code = "workflow.owner_unknown"
)

func init() {
	for c, info := range map[Code]codeInfo{
		CodeWorkflowInvalid:      {http.StatusUnprocessableEntity, "the workflow document has problems; details.fields lists each with its line, what is wrong and how to fix it"},
		CodeWorkflowOwnerNotYou:  {http.StatusUnprocessableEntity, "a workflow document's owner must be the person sending it: a workflow acts with its owner's connection"},
		CodeWorkflowKeepsOrg:     {http.StatusConflict, "a workflow of that name is stored with another org or owner; a workflow keeps both"},
		CodeWorkflowRenamed:      {http.StatusUnprocessableEntity, "the document names another workflow than the one at this path; names are keys"},
		CodeWorkflowDisabled:     {http.StatusConflict, "the workflow is disabled: enable it before running it"},
		CodeWorkflowOwnerUnknown: {http.StatusUnprocessableEntity, "the document's owner is no login of this server"},
	} {
		codes[c] = info
	}
}

// WorkflowRights are what the caller may do with a workflow, as
// access.Decide answers: the console shows only those buttons.
type WorkflowRights struct {
	Edit    bool `json:"edit"`
	Enable  bool `json:"enable"`
	Disable bool `json:"disable"`
	Run     bool `json:"run"`
}

// WorkflowInfo is a stored workflow and its state.
type WorkflowInfo struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Version   int    `json:"version"`
	OwnerID   int64  `json:"owner_id"`
	Owner     string `json:"owner"` // login
	OrgID     int64  `json:"org_id"`
	Org       string `json:"org"`
	Object    string `json:"object"`
	Sheet     string `json:"sheet"`
	Direction string `json:"direction"` // inbound, outbound or both
	Enabled   bool   `json:"enabled"`
	// Status is idle, running, failing or paused.
	Status        string     `json:"status"`
	LastRunAt     *time.Time `json:"last_run_at,omitempty"`
	LastSuccessAt *time.Time `json:"last_success_at,omitempty"`
	// LagSeconds is how far the sheet trails Salesforce; absent until the
	// first sync.
	LagSeconds *float64       `json:"lag_seconds,omitempty"`
	LastError  string         `json:"last_error,omitempty"`
	UpdatedAt  time.Time      `json:"updated_at"`
	Can        WorkflowRights `json:"can"`
}

// WorkflowList is the workflows the caller may see.
type WorkflowList struct {
	Workflows []WorkflowInfo `json:"workflows"`
}

// WorkflowDetail is one workflow with its document and its versions.
type WorkflowDetail struct {
	WorkflowInfo
	Document string            `json:"document"`
	Versions []WorkflowVersion `json:"versions"`
}

// WorkflowVersion is one stored version of a workflow's document.
type WorkflowVersion struct {
	Version   int       `json:"version"`
	AuthorID  int64     `json:"author_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// RunInfo is one run of a workflow.
type RunInfo struct {
	ID        int64      `json:"id"`
	Direction string     `json:"direction"` // inbound or outbound
	Status    string     `json:"status"`    // running, succeeded or failed
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	Read      int64      `json:"read"`
	Inserted  int64      `json:"inserted"`
	Updated   int64      `json:"updated"`
	Removed   int64      `json:"removed"`
	Failed    int64      `json:"failed"`
	APICalls  int64      `json:"api_calls"`
	Error     string     `json:"error,omitempty"`
}

// RunList is a page of runs, newest first.
type RunList struct {
	Runs []RunInfo `json:"runs"`
	// Next is the ?before= of the next page; 0 on the last.
	Next int64 `json:"next,omitempty"`
}

// RunQueued answers "run now".
type RunQueued struct {
	// Queued is false when the workflow was already queued or running.
	Queued  bool   `json:"queued"`
	Message string `json:"message"`
}

// WorkflowDocument is a workflow's YAML (or JSON) document, as `sfbridge
// workflow apply` takes it.
type WorkflowDocument struct {
	Document string `json:"document"`
	// Version is, on PUT, the version the document was edited from: a
	// workflow changed since fails with conflict. 0 takes the stored one.
	Version int `json:"version,omitempty"`
}

// Validation is what POST /workflows/validate answers: every problem of
// the document.
type Validation struct {
	Valid    bool               `json:"valid"`
	Problems []workflow.Problem `json:"problems"`
	// Plan is the compiled workflow when it is valid: columns, query,
	// every default filled in.
	Plan *workflow.Plan `json:"plan,omitempty"`
}

// DryRunReport is what POST /workflows/dry-run answers: the problems of
// an invalid document, or what a valid one would do.
type DryRunReport struct {
	Validation
	DryRun *recipe.DryRun `json:"dry_run,omitempty"`
}

// OrgChoice is an org the caller may build workflows in.
type OrgChoice struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Connected is true when the caller linked their Salesforce identity
	// to the org: a workflow acts with its owner's connection.
	Connected bool `json:"connected"`
}

// OrgChoices are the registered orgs, for the builder.
type OrgChoices struct {
	Orgs []OrgChoice `json:"orgs"`
}

// ObjectSummary is one Salesforce object the caller can see.
type ObjectSummary struct {
	Name       string `json:"name"`
	Label      string `json:"label"`
	Custom     bool   `json:"custom"`
	Createable bool   `json:"createable"`
	Updateable bool   `json:"updateable"`
}

// ObjectList is the objects of an org the caller can query.
type ObjectList struct {
	Objects []ObjectSummary `json:"objects"`
}

// FieldInfo is one field of an object, as the builder shows it.
type FieldInfo struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Type  string `json:"type"`
	// RequiredOnCreate: Salesforce refuses a new record without it (not
	// nillable, createable, not defaulted on create).
	RequiredOnCreate bool     `json:"required_on_create"`
	Createable       bool     `json:"createable"`
	Updateable       bool     `json:"updateable"`
	ExternalID       bool     `json:"external_id"`
	Custom           bool     `json:"custom"`
	ReferenceTo      []string `json:"reference_to,omitempty"`
	Picklist         []string `json:"picklist,omitempty"` // active values
}

// ObjectInfo is one object's fields.
type ObjectInfo struct {
	ObjectSummary
	Fields []FieldInfo `json:"fields"`
}

// workflowRoutes are the routes of workflows and the builder, for the
// route table. Routes on one workflow pass a gate on the caller's own
// resource, then decide again on the workflow's owner once it is read.
func (s *Server) workflowRoutes(v1 string) []route {
	return []route{
		guarded(http.MethodGet, v1+"/workflows", access.WorkflowView, "List the workflows you may see: yours, or everyone's for admins (?mine=true: yours only)", s.listWorkflows).
			body(nil, WorkflowList{}).on(self).params("mine", "true to list only your own workflows"),
		guarded(http.MethodPost, v1+"/workflows", access.WorkflowCreate, "Create a workflow from its YAML document (as `sfbridge workflow apply`); every problem is reported before anything is stored", s.createWorkflow).
			body(WorkflowDocument{}, WorkflowDetail{}).created(),
		guarded(http.MethodPost, v1+"/workflows/validate", access.WorkflowCreate, "Check a workflow document against its org as you see it, and list every problem", s.validateWorkflow).
			body(WorkflowDocument{}, Validation{}),
		guarded(http.MethodPost, v1+"/workflows/dry-run", access.WorkflowCreate, "Say what a workflow document would do if it ran now (records matched, rows created, updated or failing), writing nothing", s.dryRunWorkflow).
			body(WorkflowDocument{}, DryRunReport{}),
		guarded(http.MethodGet, v1+"/workflows/{id}", access.WorkflowView, "A workflow, its state, document and versions", s.getWorkflow).
			body(nil, WorkflowDetail{}).on(self),
		guarded(http.MethodPut, v1+"/workflows/{id}", access.WorkflowEdit, "Replace a workflow's document (a new version); every problem is reported before anything is stored", s.updateWorkflow).
			body(WorkflowDocument{}, WorkflowDetail{}).on(self),
		guarded(http.MethodGet, v1+"/workflows/{id}/yaml", access.WorkflowView, "A workflow's document, as YAML, to edit or to apply with the CLI", s.exportWorkflow).
			body(nil, WorkflowDocument{}).on(self),
		guarded(http.MethodGet, v1+"/workflows/{id}/runs", access.WorkflowView, "A workflow's runs and their errors, newest first", s.listRuns).
			body(nil, RunList{}).on(self).params("before", "a run id: the runs before it (the previous page's next)", "limit", "runs to answer, 1 to 200; default 20"),
		guarded(http.MethodPost, v1+"/workflows/{id}/enable", access.WorkflowEnable, "Enable a workflow (only its owner may): it is checked against its org first", s.enableWorkflow).
			body(nil, WorkflowInfo{}).on(self),
		guarded(http.MethodPost, v1+"/workflows/{id}/disable", access.WorkflowDisable, "Disable a workflow (its owner, or an admin)", s.disableWorkflow).
			body(nil, WorkflowInfo{}).on(self),
		guarded(http.MethodPost, v1+"/workflows/{id}/run", access.WorkflowRun, "Run an enabled workflow now (only its owner may)", s.runWorkflow).
			body(nil, RunQueued{}).on(self),
		guarded(http.MethodGet, v1+"/me/orgs", access.SelfView, "The registered orgs, and whether you linked your Salesforce identity to each (workflows act with their owner's connection)", s.myOrgs).
			body(nil, OrgChoices{}),
		guarded(http.MethodGet, v1+"/orgs/{id}/objects", access.WorkflowCreate, "The objects of an org you can query, custom ones included, through your own connection", s.listObjects).
			body(nil, ObjectList{}),
		guarded(http.MethodGet, v1+"/orgs/{id}/objects/{object}", access.WorkflowCreate, "An object's fields through your own connection: type, required on create, createable, updateable, picklist values", s.describeObject).
			body(nil, ObjectInfo{}),
	}
}

// recipes returns the workflow service, or feature.unavailable.
func (s *Server) recipes() (*recipe.Recipes, error) {
	if s.opts.Recipes == nil {
		return nil, errorf(CodeUnavailable, "Workflows are not set up on this server.")
	}
	return s.opts.Recipes, nil
}

// workflowAt reads the workflow of the {id} path and checks act on it.
func (s *Server) workflowAt(c *call, act access.Action) (*recipe.Recipes, store.Workflow, error) {
	rc, err := s.recipes()
	if err != nil {
		return nil, store.Workflow{}, err
	}
	id, err := c.pathID()
	if err != nil {
		return nil, store.Workflow{}, err
	}
	wf, err := rc.Store.Workflows().Get(c.r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, wf, errorf(CodeNotFound, fmt.Sprintf("There is no workflow %d; GET /api/v1/workflows lists those you may see.", id))
	}
	if err != nil {
		return nil, wf, err
	}
	if err := c.authorize(act, access.Resource{OwnerID: wf.OwnerID}); err != nil {
		return nil, wf, err
	}
	return rc, wf, nil
}

// wfNames maps org and user IDs to names, for listings.
type wfNames struct {
	orgs  map[int64]string
	users map[int64]string
}

func (s *Server) workflowNames(ctx context.Context, st *store.Store) (wfNames, error) {
	n := wfNames{orgs: map[int64]string{}, users: map[int64]string{}}
	orgs, err := st.Orgs().List(ctx)
	if err != nil {
		return n, err
	}
	for _, o := range orgs {
		n.orgs[o.ID] = o.Name
	}
	users, err := st.Users().List(ctx)
	if err != nil {
		return n, err
	}
	for _, u := range users {
		n.users[u.ID] = u.Login
	}
	return n, nil
}

// workflowInfo describes wf for the caller.
func (s *Server) workflowInfo(c *call, wf store.Workflow, n wfNames) WorkflowInfo {
	in := WorkflowInfo{ID: wf.ID, Name: wf.Name, Version: wf.Version, OwnerID: wf.OwnerID, Owner: n.users[wf.OwnerID],
		OrgID: wf.OrgID, Org: n.orgs[wf.OrgID], Enabled: wf.Enabled, Status: string(wf.State.Status),
		LastError: wf.State.LastError, UpdatedAt: wf.UpdatedAt,
		LastRunAt: optionalTime(wf.State.LastRunAt), LastSuccessAt: optionalTime(wf.State.LastSuccessAt)}
	if lag, ok := wf.State.Lag(s.now()); ok {
		secs := lag.Seconds()
		in.LagSeconds = &secs
	}
	// The stored document parsed once more: what it syncs. A document
	// stored is valid, so only a format change could fail here; then the
	// fields stay empty.
	if def, err := workflow.Parse([]byte(wf.Document)); def != nil {
		in.Object, in.Sheet, in.Direction = def.Object, def.Sheet, def.Direction.String()
	} else {
		s.log.Warn("api: a stored workflow no longer parses", "workflow", wf.Name, "err", err)
	}
	res := access.Resource{OwnerID: wf.OwnerID}
	can := func(act access.Action) bool { return access.Decide(c.actor, act, res).Allowed }
	in.Can = WorkflowRights{Edit: can(access.WorkflowEdit), Enable: can(access.WorkflowEnable),
		Disable: can(access.WorkflowDisable), Run: can(access.WorkflowRun)}
	return in
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Server) listWorkflows(c *call) (any, error) {
	rc, err := s.recipes()
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	var f store.WorkflowFilter
	switch c.r.URL.Query().Get("mine") {
	case "", "false":
	case "true":
		f.OwnerID = c.actor.ID
	default:
		return nil, invalid(FieldError{Field: "mine", Message: "is " + strconv.Quote(c.r.URL.Query().Get("mine")) + "; use true or false"})
	}
	wfs, err := rc.Store.Workflows().List(ctx, f)
	if err != nil {
		return nil, err
	}
	n, err := s.workflowNames(ctx, rc.Store)
	if err != nil {
		return nil, err
	}
	out := WorkflowList{Workflows: []WorkflowInfo{}}
	for _, wf := range wfs {
		if access.Decide(c.actor, access.WorkflowView, access.Resource{OwnerID: wf.OwnerID}).Allowed {
			out.Workflows = append(out.Workflows, s.workflowInfo(c, wf, n))
		}
	}
	return out, nil
}

func (s *Server) getWorkflow(c *call) (any, error) {
	rc, wf, err := s.workflowAt(c, access.WorkflowView)
	if err != nil {
		return nil, err
	}
	return s.workflowDetail(c, rc, wf)
}

func (s *Server) workflowDetail(c *call, rc *recipe.Recipes, wf store.Workflow) (WorkflowDetail, error) {
	ctx := c.r.Context()
	n, err := s.workflowNames(ctx, rc.Store)
	if err != nil {
		return WorkflowDetail{}, err
	}
	vs, err := rc.Store.Workflows().Versions(ctx, wf.ID)
	if err != nil {
		return WorkflowDetail{}, err
	}
	d := WorkflowDetail{WorkflowInfo: s.workflowInfo(c, wf, n), Document: wf.Document, Versions: make([]WorkflowVersion, len(vs))}
	for i, v := range vs {
		d.Versions[len(vs)-1-i] = WorkflowVersion{Version: v.Version, AuthorID: v.AuthorID, CreatedAt: v.CreatedAt}
	}
	return d, nil
}

func (s *Server) exportWorkflow(c *call) (any, error) {
	_, wf, err := s.workflowAt(c, access.WorkflowView)
	if err != nil {
		return nil, err
	}
	return WorkflowDocument{Document: wf.Document, Version: wf.Version}, nil
}

// maxRunPage is the most runs a page holds.
const maxRunPage = 200

func (s *Server) listRuns(c *call) (any, error) {
	rc, wf, err := s.workflowAt(c, access.WorkflowView)
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query()
	limit, err := runsParam(q.Get("limit"), "limit", 20, 1, maxRunPage)
	if err != nil {
		return nil, err
	}
	before, err := runsParam(q.Get("before"), "before", 0, 0, 1<<62)
	if err != nil {
		return nil, err
	}
	runs, err := rc.Store.Runs().List(c.r.Context(), wf.ID, int64(before), limit+1)
	if err != nil {
		return nil, err
	}
	out := RunList{Runs: []RunInfo{}}
	if len(runs) > limit {
		runs = runs[:limit]
		out.Next = runs[limit-1].ID
	}
	for _, r := range runs {
		out.Runs = append(out.Runs, RunInfo{ID: r.ID, Direction: string(r.Direction), Status: string(r.Status),
			StartedAt: r.StartedAt, EndedAt: optionalTime(r.EndedAt), Read: r.Counts.Read, Inserted: r.Counts.Inserted,
			Updated: r.Counts.Updated, Removed: r.Counts.Removed, Failed: r.Counts.Failed, APICalls: r.Counts.APICalls, Error: r.Error})
	}
	return out, nil
}

// runsParam reads an integer query parameter between lo and hi; def when
// absent.
func runsParam(v, name string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, invalid(FieldError{Field: name, Message: fmt.Sprintf("is %q; give a whole number from %d to %d", v, lo, hi)})
	}
	return n, nil
}

func (s *Server) enableWorkflow(c *call) (any, error)  { return s.setEnabled(c, true) }
func (s *Server) disableWorkflow(c *call) (any, error) { return s.setEnabled(c, false) }

func (s *Server) setEnabled(c *call, enabled bool) (any, error) {
	act := access.WorkflowDisable
	if enabled {
		act = access.WorkflowEnable
	}
	rc, wf, err := s.workflowAt(c, act)
	if err != nil {
		return nil, err
	}
	wf, err = rc.SetEnabled(c.r.Context(), wf, enabled, recipe.Change{ActorID: c.actor.ID, Via: "api"})
	if err != nil {
		return nil, workflowError(err)
	}
	n, err := s.workflowNames(c.r.Context(), rc.Store)
	if err != nil {
		return nil, err
	}
	return s.workflowInfo(c, wf, n), nil
}

func (s *Server) runWorkflow(c *call) (any, error) {
	rc, wf, err := s.workflowAt(c, access.WorkflowRun)
	if err != nil {
		return nil, err
	}
	if s.opts.Runner == nil {
		return nil, errorf(CodeUnavailable, "This server runs no workflows (no scheduler); run it with `sfbridge workflow run "+wf.Name+" --once`.")
	}
	if !wf.Enabled {
		return nil, errorf(CodeWorkflowDisabled, fmt.Sprintf("Workflow %q is disabled; enable it first, then run it.", wf.Name))
	}
	ctx := c.r.Context()
	queued, err := s.opts.Runner.RunNow(ctx, wf.ID)
	if err != nil {
		return nil, err
	}
	if !queued {
		return RunQueued{Message: fmt.Sprintf("Workflow %q is already queued or running.", wf.Name)}, nil
	}
	_, err = rc.Store.Audit().Append(ctx, store.AuditEntry{ActorID: c.actor.ID, Action: string(access.WorkflowRun),
		Subject: fmt.Sprintf("workflow %d", wf.ID), Detail: fmt.Sprintf("asked workflow %q to run now through the api", wf.Name)})
	if err != nil {
		return nil, err
	}
	return RunQueued{Queued: true, Message: fmt.Sprintf("Workflow %q is queued: it runs within seconds; its runs show the outcome.", wf.Name)}, nil
}

// checkDocument validates a document sent by the caller, who must be its
// owner: the document is checked with the owner's connection, which is
// theirs.
func (s *Server) checkDocument(c *call, in WorkflowDocument) (*recipe.Recipes, recipe.Checked, *workflow.ValidationError, error) {
	rc, err := s.recipes()
	if err != nil {
		return nil, recipe.Checked{}, nil, err
	}
	if strings.TrimSpace(in.Document) == "" {
		return nil, recipe.Checked{}, nil, invalid(FieldError{Field: "document", Message: "is empty; send the workflow's YAML"})
	}
	if def, _ := workflow.Parse([]byte(in.Document)); def != nil && def.Owner != "" && !strings.EqualFold(def.Owner, c.user.Login) {
		return nil, recipe.Checked{}, nil, errorf(CodeWorkflowOwnerNotYou, fmt.Sprintf(
			"The document's owner is %q, and you are %q: a workflow acts with its owner's Salesforce connection, so you may only send your own. Set owner: %s.",
			def.Owner, c.user.Login, c.user.Login))
	}
	ck, ve, err := rc.Check(c.r.Context(), "workflow", []byte(in.Document))
	if err != nil {
		return nil, ck, nil, workflowError(err)
	}
	return rc, ck, ve, nil
}

func (s *Server) validateWorkflow(c *call) (any, error) {
	var in WorkflowDocument
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	_, ck, ve, err := s.checkDocument(c, in)
	if err != nil {
		return nil, err
	}
	return validationOf(ck, ve), nil
}

func validationOf(ck recipe.Checked, ve *workflow.ValidationError) Validation {
	if ve != nil {
		return Validation{Problems: ve.Problems}
	}
	return Validation{Valid: true, Problems: []workflow.Problem{}, Plan: ck.Plan}
}

func (s *Server) dryRunWorkflow(c *call) (any, error) {
	var in WorkflowDocument
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	rc, ck, ve, err := s.checkDocument(c, in)
	if err != nil {
		return nil, err
	}
	out := DryRunReport{Validation: validationOf(ck, ve)}
	if ve != nil {
		return out, nil
	}
	ctx := c.r.Context()
	client, err := rc.Client(ctx, ck.Org, ck.Owner)
	if err != nil {
		return nil, workflowError(err)
	}
	dr, err := rc.DryRun(ctx, ck.Plan, client)
	rc.RecordUsage(ctx, ck.Org, client.Budget())
	if err != nil {
		return nil, workflowError(err)
	}
	out.DryRun = &dr
	return out, nil
}

// validDocument decodes the request's workflow document and checks it
// against its org; a document with problems is refused with all of them.
func (s *Server) validDocument(c *call) (WorkflowDocument, *recipe.Recipes, recipe.Checked, error) {
	var in WorkflowDocument
	if err := c.decode(&in); err != nil {
		return in, nil, recipe.Checked{}, err
	}
	rc, ck, ve, err := s.checkDocument(c, in)
	if err == nil && ve != nil {
		err = problemsError(ve)
	}
	return in, rc, ck, err
}

func (s *Server) createWorkflow(c *call) (any, error) {
	_, rc, ck, err := s.validDocument(c)
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	if _, err := rc.Store.Workflows().ByName(ctx, ck.Def.Name); err == nil {
		return nil, errorf(CodeConflict, fmt.Sprintf("A workflow named %q exists already; give this one another name, or edit that one (PUT /api/v1/workflows/{id}).", ck.Def.Name))
	}
	applied, err := rc.Apply(ctx, ck, recipe.Change{ActorID: c.actor.ID, Via: "api"})
	if err != nil {
		return nil, workflowError(err)
	}
	return s.workflowDetail(c, rc, applied.Workflow)
}

func (s *Server) updateWorkflow(c *call) (any, error) {
	_, wf, err := s.workflowAt(c, access.WorkflowEdit)
	if err != nil {
		return nil, err
	}
	in, rc, ck, err := s.validDocument(c)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(ck.Def.Name, wf.Name) {
		return nil, errorf(CodeWorkflowRenamed, fmt.Sprintf("The document is named %q, and this is workflow %q: names are keys. Keep name: %s, or create a new workflow.",
			ck.Def.Name, wf.Name, wf.Name))
	}
	applied, err := rc.Apply(c.r.Context(), ck, recipe.Change{ActorID: c.actor.ID, Via: "api", BaseVersion: in.Version})
	if err != nil {
		return nil, workflowError(err)
	}
	return s.workflowDetail(c, rc, applied.Workflow)
}

// problemsError is the workflow.invalid error listing every problem as a
// field: its key path, and its line, what is wrong and how to fix it.
func problemsError(ve *workflow.ValidationError) *Error {
	fields := make([]FieldError, len(ve.Problems))
	for i, p := range ve.Problems {
		msg := p.Message
		if p.Hint != "" {
			msg += "; " + p.Hint
		}
		if p.Line > 0 {
			msg = fmt.Sprintf("line %d, column %d: %s", p.Line, p.Column, msg)
		}
		fields[i] = FieldError{Field: cmp.Or(p.Path, "document"), Message: msg + " [" + string(p.Code) + "]"}
	}
	n := len(fields)
	return &Error{Code: CodeWorkflowInvalid, Details: &ErrorDetails{Fields: fields},
		Message: fmt.Sprintf("The workflow has %d %s, so nothing was stored; details.fields lists each with its line and how to fix it.", n, problemsWord(n))}
}

// problemsWord is "problem" or "problems", for n of them.
func problemsWord(n int) string {
	if n == 1 {
		return "problem"
	}
	return "problems"
}

// workflowError maps recipe's errors onto API errors.
func workflowError(err error) error {
	var ve *workflow.ValidationError
	switch {
	case errors.As(err, &ve):
		return problemsError(ve)
	case errors.Is(err, recipe.ErrOwnerUnknown):
		return errorf(CodeWorkflowOwnerUnknown, "The document's owner is no login of this server; set owner: to your own login.")
	case errors.Is(err, recipe.ErrOrgOrOwnerChanged):
		return errorf(CodeWorkflowKeepsOrg, "A workflow of that name is stored with another org or owner, and a workflow keeps both; give this one another name.")
	case errors.Is(err, store.ErrConflict):
		return errorf(CodeConflict, "The workflow changed since you loaded it ("+err.Error()+"); reload it and make your change again.")
	case errors.Is(err, store.ErrNotFound):
		// The owner's connection: the only lookup left that may miss.
		return salesforceError(fmt.Errorf("%w: %w", ErrNotConnected, err))
	}
	return salesforceError(err)
}

func (s *Server) myOrgs(c *call) (any, error) {
	rc, err := s.recipes()
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	orgs, err := rc.Store.Orgs().List(ctx)
	if err != nil {
		return nil, err
	}
	out := OrgChoices{Orgs: []OrgChoice{}}
	for _, o := range orgs {
		_, err := rc.Store.Connections().ForUser(ctx, o.ID, c.actor.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		out.Orgs = append(out.Orgs, OrgChoice{ID: o.ID, Name: o.Name, Connected: err == nil})
	}
	return out, nil
}

// orgClient returns the caller's own client in the org of the {id} path.
func (s *Server) orgClient(c *call) (*recipe.Recipes, *salesforce.Client, store.Org, error) {
	rc, err := s.recipes()
	if err != nil {
		return nil, nil, store.Org{}, err
	}
	id, err := c.pathID()
	if err != nil {
		return nil, nil, store.Org{}, err
	}
	ctx := c.r.Context()
	org, err := rc.Store.Orgs().Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, org, errorf(CodeNotFound, fmt.Sprintf("There is no org %d; GET /api/v1/me/orgs lists them.", id))
	}
	if err != nil {
		return nil, nil, org, err
	}
	me, err := rc.Store.Users().Get(ctx, c.actor.ID)
	if err != nil {
		return nil, nil, org, err
	}
	client, err := rc.Client(ctx, org, me)
	if err != nil {
		return nil, nil, org, workflowError(err)
	}
	return rc, client, org, nil
}

func (s *Server) listObjects(c *call) (any, error) {
	rc, client, org, err := s.orgClient(c)
	if err != nil {
		return nil, err
	}
	g, err := client.DescribeGlobal(c.r.Context())
	rc.RecordUsage(c.r.Context(), org, client.Budget())
	if err != nil {
		return nil, salesforceError(err)
	}
	out := ObjectList{Objects: []ObjectSummary{}}
	for _, o := range g.SObjects {
		if o.Queryable && !o.CustomSetting {
			out.Objects = append(out.Objects, ObjectSummary{Name: o.Name, Label: o.Label, Custom: o.Custom, Createable: o.Createable, Updateable: o.Updateable})
		}
	}
	slices.SortFunc(out.Objects, func(a, b ObjectSummary) int { return strings.Compare(a.Label, b.Label) })
	return out, nil
}

func (s *Server) describeObject(c *call) (any, error) {
	rc, client, org, err := s.orgClient(c)
	if err != nil {
		return nil, err
	}
	name := c.r.PathValue("object")
	d, err := client.Describe(c.r.Context(), name)
	rc.RecordUsage(c.r.Context(), org, client.Budget())
	if errors.Is(err, salesforce.ErrNotFound) {
		return nil, errorf(CodeNotFound, fmt.Sprintf("Org %q has no object %q that you can see; GET /api/v1/orgs/%d/objects lists them.", org.Name, name, org.ID))
	}
	if err != nil {
		return nil, salesforceError(err)
	}
	out := ObjectInfo{ObjectSummary: ObjectSummary{Name: d.Name, Label: d.Label, Custom: d.Custom, Createable: d.Createable, Updateable: d.Updateable},
		Fields: make([]FieldInfo, 0, len(d.Fields))}
	for _, f := range d.Fields {
		if f.DeprecatedAndHidden {
			continue
		}
		fi := FieldInfo{Name: f.Name, Label: f.Label, Type: f.Type, Createable: f.Createable, Updateable: f.Updateable,
			RequiredOnCreate: recipe.RequiredOnCreate(f), ExternalID: f.ExternalID, Custom: f.Custom, ReferenceTo: f.ReferenceTo}
		for _, p := range f.PicklistValues {
			if p.Active {
				fi.Picklist = append(fi.Picklist, p.Value)
			}
		}
		out.Fields = append(out.Fields, fi)
	}
	return out, nil
}
