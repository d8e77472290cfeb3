package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/sfbridge/sfbridge/internal/recipe"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

type workflowCmd struct {
	Validate workflowValidateCmd `cmd:"" help:"Check workflow files against their org and print every problem as file:line:col (exit 2 on problems)."`
	Apply    workflowApplyCmd    `cmd:"" help:"Validate workflow files, then store them (a changed file becomes a new version)."`
	List     workflowListCmd     `cmd:"" help:"List the workflows and their state."`
	Status   workflowStatusCmd   `cmd:"" help:"Show a workflow's state, last run, last error and lag (every workflow without NAME)."`
	Run      workflowRunCmd      `cmd:"" help:"Run a workflow now: in this process with --once, else by asking the running server."`
	Enable   workflowEnableCmd   `cmd:"" help:"Enable a workflow: its org's polls run it."`
	Disable  workflowDisableCmd  `cmd:"" help:"Disable a workflow: polls skip it until it is enabled again."`
	Verify   workflowVerifyCmd   `cmd:"" help:"Compare a workflow's sheet with Salesforce and list every difference (exit 4 when they differ)."`
}

// checkFiles validates workflow files against their orgs, as their owners
// see them, and prints every problem to stdout. It fails with exit code 2
// when a file has problems, 3 when an org cannot be reached.
func (a *app) checkFiles(e *env, files []string) ([]recipe.Checked, error) {
	var (
		out   []recipe.Checked
		bad   int
		probs int
	)
	for _, file := range files {
		c, ve, err := a.checkFile(e.ctx, file)
		if err != nil {
			return nil, err
		}
		if ve != nil {
			bad++
			probs += len(ve.Problems)
			for _, p := range ve.Problems {
				fmt.Fprintf(e.stdout, "%s:%s\n", file, p)
			}
			continue
		}
		fmt.Fprintf(e.stdout, "%s: ok: workflow %q, %s into sheet %q\n", file, c.Def.Name, c.Def.Object, c.Def.Sheet)
		out = append(out, c)
	}
	if bad > 0 {
		return nil, invalid(fmt.Errorf("%d %s in %d of %d workflow %s: fix them and try again",
			probs, plural(probs, "problem"), bad, len(files), plural(len(files), "file")))
	}
	return out, nil
}

// checkFile validates one file. Problems in the file come back as a
// *workflow.ValidationError; the error is for what is not the file's
// fault: an unreadable file, an owner without a connection, an org that
// cannot be reached.
func (a *app) checkFile(ctx context.Context, file string) (recipe.Checked, *workflow.ValidationError, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return recipe.Checked{}, nil, invalid(fmt.Errorf("reading workflow file: %w", err))
	}
	return a.checkDoc(ctx, file, data)
}

// checkDoc validates a workflow document; file names it in messages.
func (a *app) checkDoc(ctx context.Context, file string, data []byte) (recipe.Checked, *workflow.ValidationError, error) {
	c, ve, err := a.recipes().Check(ctx, file, data)
	return c, ve, exitCoded(err)
}

// exitCoded gives err its exit code: 2 for what is the input's fault, 3
// for the rest (the database, Salesforce); an error that carries a code
// already (a.client's) keeps it.
func exitCoded(err error) error {
	if errors.Is(err, recipe.ErrInvalid) || errors.Is(err, workflow.ErrInvalid) {
		return invalid(err)
	}
	return environment(err)
}

// recipes returns what validates, stores and enables workflows, acting
// through the owners' connections, with errors that name the command to
// run.
func (a *app) recipes() *recipe.Recipes { return a.recipesBy(a.client) }

// apiRecipes is recipes for the API: the connector's errors come back as
// they are (store.ErrNotFound for no connection, salesforce.ErrNeedsReauth)
// for the API to phrase.
func (a *app) apiRecipes() *recipe.Recipes {
	return a.recipesBy(func(ctx context.Context, o store.Org, u store.User) (*salesforce.Client, error) {
		return a.connector().Client(ctx, o.ID, u.ID)
	})
}

func (a *app) recipesBy(client recipe.ClientFunc) *recipe.Recipes {
	return &recipe.Recipes{Store: a.store, Logger: a.log, Client: client}
}

// connector returns the store's connector: one client per connection,
// tokens renewed and stored back.
func (a *app) connector() *syncer.StoreConnector {
	if a.conns == nil {
		a.conns = syncer.NewStoreConnector(a.store, salesforce.Config{Logger: a.log})
		a.conns.Tell(a.watcher())
	}
	return a.conns
}

// client returns the client of a user's connection to an org, or an error
// that says how to get one.
func (a *app) client(ctx context.Context, o store.Org, u store.User) (*salesforce.Client, error) {
	cl, err := a.connector().Client(ctx, o.ID, u.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, invalid(fmt.Errorf("%s has no connection to org %q: run sfbridge org connect %s --user %s", u.Login, o.Name, o.Name, u.Login))
	case errors.Is(err, salesforce.ErrNeedsReauth):
		return nil, environment(fmt.Errorf("%w: run sfbridge org connect %s --user %s", err, o.Name, u.Login))
	case err != nil:
		return nil, environment(err)
	}
	return cl, nil
}

type workflowValidateCmd struct {
	dataFlags
	Files []string `arg:"" help:"Workflow files (YAML)." name:"FILE"`
}

func (c *workflowValidateCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	_, err = a.checkFiles(e, c.Files)
	return err
}

type workflowApplyCmd struct {
	dataFlags
	Files []string `arg:"" help:"Workflow files (YAML)." name:"FILE"`
}

func (c *workflowApplyCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	ok, err := a.checkFiles(e, c.Files)
	if err != nil {
		return err // nothing is stored unless every file is valid
	}
	for _, wc := range ok {
		msg, err := a.apply(e.ctx, wc)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "workflow %q: %s\n", wc.Def.Name, msg)
	}
	return nil
}

// apply stores a validated workflow: created at version 1, or its document
// replaced by a new version. The file's enabled flag is applied too.
func (a *app) apply(ctx context.Context, c recipe.Checked) (string, error) {
	out, err := a.recipes().Apply(ctx, c, recipe.Change{Via: "cli"})
	if err != nil {
		return "", exitCoded(err)
	}
	wf := out.Workflow
	switch out.Outcome {
	case recipe.Created:
		return fmt.Sprintf("created (version %d, %s)", wf.Version, enabledLabel(wf.Enabled)), nil
	case recipe.Unchanged:
		return fmt.Sprintf("unchanged (version %d, %s)", wf.Version, enabledLabel(wf.Enabled)), nil
	}
	return fmt.Sprintf("updated to version %d (%s)", wf.Version, enabledLabel(wf.Enabled)), nil
}

type workflowListCmd struct {
	dataFlags
}

func (c *workflowListCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	wfs, err := a.store.Workflows().List(e.ctx, store.WorkflowFilter{})
	if err != nil {
		return environment(err)
	}
	if len(wfs) == 0 {
		fmt.Fprintln(e.stdout, "no workflows: store one with sfbridge workflow apply FILE")
		return nil
	}
	names, err := a.names(e.ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tORG\tOWNER\tENABLED\tVERSION\tSTATUS\tLAST RUN\tLAG")
	for _, wf := range wfs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", wf.Name, names.orgs[wf.OrgID], names.users[wf.OwnerID],
			yesNo(wf.Enabled), wf.Version, wf.State.Status, ago(now, wf.State.LastRunAt), lagLabel(now, wf.State))
	}
	return tw.Flush()
}

type workflowStatusCmd struct {
	dataFlags
	Name string `arg:"" optional:"" help:"The workflow; every workflow when omitted."`
	Runs int    `help:"How many recent runs to show." default:"5"`
}

func (c *workflowStatusCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	var wfs []store.Workflow
	if c.Name != "" {
		wf, err := a.workflow(e.ctx, c.Name)
		if err != nil {
			return err
		}
		wfs = []store.Workflow{wf}
	} else if wfs, err = a.store.Workflows().List(e.ctx, store.WorkflowFilter{}); err != nil {
		return environment(err)
	}
	names, err := a.names(e.ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	w := e.stdout
	for i, wf := range wfs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		st := wf.State
		fmt.Fprintf(w, "workflow:     %s (version %d, %s)\n", wf.Name, wf.Version, enabledLabel(wf.Enabled))
		fmt.Fprintf(w, "org:          %s, as %s\n", names.orgs[wf.OrgID], names.users[wf.OwnerID])
		fmt.Fprintf(w, "state:        %s\n", st.Status)
		fmt.Fprintf(w, "last run:     %s\n", ago(now, st.LastRunAt))
		fmt.Fprintf(w, "last success: %s\n", ago(now, st.LastSuccessAt))
		fmt.Fprintf(w, "lag:          %s\n", lagLabel(now, st))
		if st.LastError != "" {
			fmt.Fprintf(w, "last error:   %s\n", st.LastError)
		}
		runs, err := a.store.Runs().List(e.ctx, wf.ID, 0, c.Runs)
		if err != nil {
			return environment(err)
		}
		for _, r := range runs {
			fmt.Fprintf(w, "  run %d %s %s: %s, read %d, inserted %d, updated %d, removed %d, failed %d, %d API calls",
				r.ID, r.Direction, r.StartedAt.Local().Format(time.DateTime), r.Status,
				r.Counts.Read, r.Counts.Inserted, r.Counts.Updated, r.Counts.Removed, r.Counts.Failed, r.Counts.APICalls)
			if r.Error != "" {
				fmt.Fprintf(w, ": %s", r.Error)
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}

type workflowEnableCmd struct {
	dataFlags
	Name string `arg:"" help:"The workflow."`
}

func (c *workflowEnableCmd) Run(e *env) error { return setEnabled(e, c.dataFlags, c.Name, true) }

type workflowDisableCmd struct {
	dataFlags
	Name string `arg:"" help:"The workflow."`
}

func (c *workflowDisableCmd) Run(e *env) error { return setEnabled(e, c.dataFlags, c.Name, false) }

func setEnabled(e *env, d dataFlags, name string, enabled bool) error {
	a, err := d.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	wf, err := a.workflow(e.ctx, name)
	if err != nil {
		return err
	}
	// Enabling checks the workflow against the org as it is now: fields
	// may have changed since it was applied.
	if _, err := a.recipes().SetEnabled(e.ctx, wf, enabled, recipe.Change{Via: "cli"}); err != nil {
		return exitCoded(err)
	}
	fmt.Fprintf(e.stdout, "workflow %q %s\n", wf.Name, enabledLabel(enabled))
	return nil
}

// workflow returns the stored workflow named name.
func (a *app) workflow(ctx context.Context, name string) (store.Workflow, error) {
	wf, err := a.store.Workflows().ByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.Workflow{}, invalid(fmt.Errorf("no workflow named %q in %s: sfbridge workflow list shows them", name, a.cfg.DataDir))
	}
	if err != nil {
		return store.Workflow{}, environment(err)
	}
	return wf, nil
}

// names maps org and user IDs to their names, for listings.
type names struct {
	orgs  map[int64]string
	users map[int64]string
}

func (a *app) names(ctx context.Context) (names, error) {
	n := names{orgs: map[int64]string{}, users: map[int64]string{}}
	orgs, err := a.store.Orgs().List(ctx)
	if err != nil {
		return n, environment(err)
	}
	for _, o := range orgs {
		n.orgs[o.ID] = o.Name
	}
	wfs, err := a.store.Workflows().List(ctx, store.WorkflowFilter{})
	if err != nil {
		return n, environment(err)
	}
	for _, wf := range wfs {
		if _, ok := n.users[wf.OwnerID]; ok {
			continue
		}
		u, err := a.store.Users().Get(ctx, wf.OwnerID)
		if err != nil {
			return n, environment(err)
		}
		n.users[u.ID] = u.Login
	}
	return n, nil
}

// workflowLabel sums a workflow's state up on one line.
func workflowLabel(wf store.Workflow) string {
	s := fmt.Sprintf("%s, %s, last run %s", wf.State.Status, enabledLabel(wf.Enabled), ago(time.Now(), wf.State.LastRunAt))
	if wf.State.LastError != "" {
		s += ", last error: " + wf.State.LastError
	}
	return s
}

func enabledLabel(enabled bool) string { return recipe.EnabledLabel(enabled) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ago says how long before now t was, to the second: "never" for zero.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Round(time.Second).String() + " ago"
}

func lagLabel(now time.Time, st store.WorkflowState) string {
	lag, ok := st.Lag(now)
	if !ok {
		return "-"
	}
	return lag.Round(time.Second).String()
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
