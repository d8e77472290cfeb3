package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/sfbridge/sfbridge/internal/jobs"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

type workflowRunCmd struct {
	dataFlags
	Name string `arg:"" help:"The workflow."`
	Once bool   `help:"Run one sync cycle in this process and wait for it (an initial load shows a progress bar), instead of asking the server."`
}

func (c *workflowRunCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	wf, err := a.workflow(e.ctx, c.Name)
	if err != nil {
		return err
	}
	if !wf.Enabled {
		return invalid(fmt.Errorf("workflow %q is disabled: enable it first (sfbridge workflow enable %s)", wf.Name, wf.Name))
	}
	if !c.Once {
		return a.enqueue(e, wf)
	}
	run, err := a.runOnce(e, wf)
	if errors.Is(err, errNothingToRun) {
		fmt.Fprintf(e.stdout, "workflow %q: %v\n", wf.Name, err)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, runSummary(wf.Name, run))
	if run.Status != store.RunSucceeded {
		return environment(fmt.Errorf("workflow %q failed: %s", wf.Name, run.Error))
	}
	return nil
}

// errNothingToRun is runOnce's error for a workflow that does not read
// from Salesforce.
var errNothingToRun = errors.New("nothing to read from Salesforce: the workflow only writes to it (direction: outbound)")

// runOnce runs one sync cycle of a workflow in this process and returns the
// run it recorded. An org that is paused runs nothing: the error says why;
// a workflow without inbound direction neither: errNothingToRun.
func (a *app) runOnce(e *env, wf store.Workflow) (store.Run, error) {
	prev, err := a.lastRun(e, wf.ID)
	if err != nil {
		return store.Run{}, err
	}
	p := newProgress(e, a.label(e.ctx))
	err = a.newService(p).RunWorkflow(e.ctx, wf.ID)
	p.done(wf.ID)
	if err != nil {
		return store.Run{}, environment(fmt.Errorf("running workflow %q: %w", wf.Name, err))
	}
	run, err := a.lastRun(e, wf.ID)
	if err != nil {
		return store.Run{}, err
	}
	if run.ID == prev.ID {
		o, err := a.store.Orgs().Get(e.ctx, wf.OrgID)
		if err != nil {
			return store.Run{}, environment(err)
		}
		if o.State == store.StateConnected {
			return store.Run{}, errNothingToRun
		}
		conns, err := a.store.Connections().List(e.ctx, o.ID)
		if err != nil {
			return store.Run{}, environment(err)
		}
		return store.Run{}, environment(fmt.Errorf("workflow %q did not run: org %q is %s: %s", wf.Name, o.Name, stateLabel(o.State), howToFix(o, conns)))
	}
	return run, nil
}

// lastRun returns the workflow's latest run; the zero Run when it has none.
func (a *app) lastRun(e *env, workflowID int64) (store.Run, error) {
	runs, err := a.store.Runs().List(e.ctx, workflowID, 0, 1)
	if err != nil {
		return store.Run{}, environment(err)
	}
	if len(runs) == 0 {
		return store.Run{}, nil
	}
	return runs[0], nil
}

// runSummary says what a run did, on one line.
func runSummary(name string, r store.Run) string {
	c := r.Counts
	return fmt.Sprintf("workflow %q: run %d %s: read %d, inserted %d, updated %d, removed %d, failed %d, %d API calls",
		name, r.ID, r.Status, c.Read, c.Inserted, c.Updated, c.Removed, c.Failed, c.APICalls)
}

// enqueue asks the server to run the workflow now, through the job
// database it polls.
func (a *app) enqueue(e *env, wf store.Workflow) error {
	db, err := jobs.OpenSQLite(filepath.Join(a.cfg.DataDir, jobsFile))
	if err != nil {
		return environment(fmt.Errorf("opening the job database: %w", err))
	}
	defer db.Close()
	sched, err := jobs.NewSQLite(e.ctx, db, nil, jobs.Config{Logger: a.jobsLog()})
	if err != nil {
		return environment(fmt.Errorf("opening the job queue: %w", err))
	}
	queued, err := sched.RunNow(e.ctx, jobs.Task{Kind: syncer.TaskRun, Key: strconv.FormatInt(wf.ID, 10)})
	if err != nil {
		return environment(fmt.Errorf("queueing workflow %q: %w", wf.Name, err))
	}
	if !queued {
		fmt.Fprintf(e.stdout, "workflow %q is already queued or running\n", wf.Name)
		return nil
	}
	fmt.Fprintf(e.stdout, "workflow %q queued: the running server (sfbridge serve) picks it up within a second; "+
		"sfbridge workflow status %s shows the outcome (use --once to run it here instead)\n", wf.Name, wf.Name)
	return nil
}
