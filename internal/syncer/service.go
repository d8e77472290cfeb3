package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sfbridge/sfbridge/internal/jobs"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/store"
)

// Task kinds the Service handles.
const (
	// TaskPoll polls every enabled workflow of an org; its key is the org
	// ID. It runs periodically at the org's polling interval.
	TaskPoll = "syncer.poll"
	// TaskRun runs one workflow once; its key is the workflow ID.
	TaskRun = "syncer.run"
)

// Binder turns a stored workflow into what the engine runs: its plan
// (compiled from the workflow's document, checked against the describe the
// client returns) and the sheet it writes. It returns a nil Plan for a
// workflow that has no inbound direction.
type Binder interface {
	Bind(ctx context.Context, wf store.Workflow, client *salesforce.Client) (*Plan, Sink, error)
}

// ServiceOptions configure a Service. Store, Connector and Binder are
// required.
type ServiceOptions struct {
	Store     *store.Store
	Connector Connector
	Binder    Binder
	// NewReader picks the Reader of a run: RESTReader when nil. This is where
	// a Bulk API 2.0 reader plugs in above a size threshold.
	NewReader func(client *salesforce.Client, plan *Plan) Reader
	Engine    EngineOptions
	// ProbeEvery is how often an org paused at its API limit reads /limits
	// to see whether it may resume. Default 10 minutes.
	ProbeEvery time.Duration
	// Progress, if set, receives the progress of every run.
	Progress func(workflowID int64, p Progress)
	// Logger receives run summaries (info) and failures (warn). Default:
	// discard.
	Logger *slog.Logger
	// Watcher keeps each org within its API budget and tells people when
	// orgs pause, resume or lose a connection. Default: none.
	Watcher Watcher
}

// Service runs the inbound side of workflows: each org's periodic poll, a
// workflow's "run now", and what happens when Salesforce refuses (API limit
// reached: the org pauses and resumes by itself; connection revoked: the org
// waits for someone to reconnect it; a mapped field deleted: the workflow
// fails, naming the field). Every outcome is stored on the workflow (status,
// last error) and as a run in its history.
type Service struct {
	store      *store.Store
	engine     *Engine
	connector  Connector
	binder     Binder
	newReader  func(*salesforce.Client, *Plan) Reader
	probeEvery time.Duration
	progress   func(int64, Progress)
	log        *slog.Logger
	now        func() time.Time
	watch      Watcher

	mu        sync.Mutex
	sched     jobs.Scheduler
	nextProbe map[int64]time.Time   // org ID → earliest next /limits probe
	running   map[int64]*sync.Mutex // workflow ID → held while it runs
}

// NewService returns a Service; give its Handlers to the Scheduler, then
// call Schedule.
func NewService(opts ServiceOptions) *Service {
	s := &Service{
		store:      opts.Store,
		engine:     NewEngine(opts.Store, opts.Engine),
		connector:  opts.Connector,
		binder:     opts.Binder,
		newReader:  opts.NewReader,
		probeEvery: opts.ProbeEvery,
		progress:   opts.Progress,
		log:        opts.Logger,
		now:        opts.Engine.Now,
		watch:      opts.Watcher,
		nextProbe:  map[int64]time.Time{},
		running:    map[int64]*sync.Mutex{},
	}
	if s.probeEvery <= 0 {
		s.probeEvery = 10 * time.Minute
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.newReader == nil {
		s.newReader = func(c *salesforce.Client, _ *Plan) Reader { return RESTReader{Client: c} }
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.watch == nil {
		s.watch = noWatcher{}
	}
	return s
}

// Handlers returns the task handlers to build the Scheduler with.
func (s *Service) Handlers() jobs.Handlers {
	return jobs.Handlers{
		TaskPoll: func(ctx context.Context, t jobs.Task) error {
			id, err := taskID(t)
			if err != nil {
				return err
			}
			return s.PollOrg(ctx, id)
		},
		TaskRun: func(ctx context.Context, t jobs.Task) error {
			id, err := taskID(t)
			if err != nil {
				return err
			}
			return s.RunWorkflow(ctx, id)
		},
	}
}

func taskID(t jobs.Task) (int64, error) {
	id, err := strconv.ParseInt(t.Key, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("task %s: the key is not an ID: %w", t, err)
	}
	return id, nil
}

func pollTask(orgID int64) jobs.Task {
	return jobs.Task{Kind: TaskPoll, Key: strconv.FormatInt(orgID, 10)}
}

// Schedule makes sched poll every org at its polling interval, and keeps
// sched for RunNow and Reschedule.
func (s *Service) Schedule(ctx context.Context, sched jobs.Scheduler) error {
	s.mu.Lock()
	s.sched = sched
	s.mu.Unlock()
	orgs, err := s.store.Orgs().List(ctx)
	if err != nil {
		return fmt.Errorf("scheduling polls: %w", err)
	}
	for _, org := range orgs {
		if err := s.schedule(org); err != nil {
			return err
		}
	}
	return nil
}

// Reschedule applies an org's polling interval after it changed, or starts
// polling a new org. Call it after storing the org.
func (s *Service) Reschedule(ctx context.Context, orgID int64) error {
	org, err := s.store.Orgs().Get(ctx, orgID)
	if err != nil {
		return fmt.Errorf("rescheduling the poll of org %d: %w", orgID, err)
	}
	return s.schedule(org)
}

// Unschedule stops polling an org (before deleting it).
func (s *Service) Unschedule(orgID int64) {
	if sched := s.scheduler(); sched != nil {
		sched.Forget(pollTask(orgID))
	}
}

func (s *Service) schedule(org store.Org) error {
	sched := s.scheduler()
	if sched == nil {
		return fmt.Errorf("scheduling the poll of org %q: %w: call Schedule first", org.Name, jobs.ErrNotStarted)
	}
	if err := sched.Every(pollTask(org.ID), max(org.PollInterval, jobs.MinInterval)); err != nil {
		return fmt.Errorf("scheduling the poll of org %q: %w", org.Name, err)
	}
	return nil
}

func (s *Service) scheduler() jobs.Scheduler {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sched
}

// RunNow asks for one workflow to run as soon as possible, outside its
// org's schedule. It reports false when the workflow is already queued.
func (s *Service) RunNow(ctx context.Context, workflowID int64) (bool, error) {
	sched := s.scheduler()
	if sched == nil {
		return false, fmt.Errorf("running workflow %d: %w: call Schedule first", workflowID, jobs.ErrNotStarted)
	}
	return sched.RunNow(ctx, jobs.Task{Kind: TaskRun, Key: strconv.FormatInt(workflowID, 10)})
}

// PollOrg runs every enabled workflow of an org, one after the other, unless
// the org is paused. An org paused at its API limit reads /limits (at most
// every ProbeEvery) and resumes when Salesforce reports requests left; an org
// waiting for re-authorisation resumes once every connection that failed was
// renewed (sfbridge org connect). The outcome of each workflow is stored on
// it; PollOrg itself fails only when the store does.
func (s *Service) PollOrg(ctx context.Context, orgID int64) error {
	org, err := s.store.Orgs().Get(ctx, orgID)
	if err != nil {
		return fmt.Errorf("polling org %d: %w", orgID, err)
	}
	wfs, err := s.store.Workflows().List(ctx, store.WorkflowFilter{OrgID: orgID, EnabledOnly: true})
	if err != nil {
		return fmt.Errorf("polling org %q: %w", org.Name, err)
	}
	if ok, err := s.resume(ctx, org, wfs); !ok || err != nil {
		return err
	}
	for _, wf := range wfs {
		stop, err := s.run(ctx, org, wf)
		if stop || err != nil {
			return err
		}
	}
	return nil
}

// RunWorkflow runs one workflow now, if it is enabled and its org is not
// paused.
func (s *Service) RunWorkflow(ctx context.Context, workflowID int64) error {
	wf, err := s.store.Workflows().Get(ctx, workflowID)
	if err != nil {
		return fmt.Errorf("running workflow %d: %w", workflowID, err)
	}
	if !wf.Enabled {
		return nil
	}
	org, err := s.store.Orgs().Get(ctx, wf.OrgID)
	if err != nil {
		return fmt.Errorf("running workflow %q: %w", wf.Name, err)
	}
	if ok, err := s.resume(ctx, org, []store.Workflow{wf}); !ok || err != nil {
		return err
	}
	_, err = s.run(ctx, org, wf)
	return err
}

// run runs one workflow and records its outcome. stop is true when the org
// was paused by this run (or ctx ended): its other workflows must wait.
func (s *Service) run(ctx context.Context, org store.Org, wf store.Workflow) (stop bool, err error) {
	lock := s.lockFor(wf.ID)
	if !lock.TryLock() {
		return false, nil // already running in this process
	}
	defer lock.Unlock()

	client, err := s.connector.Client(ctx, org.ID, wf.OwnerID)
	var (
		plan *Plan
		sink Sink
	)
	if err == nil {
		plan, sink, err = s.binder.Bind(ctx, wf, client)
		if err == nil && plan == nil {
			return false, nil // no inbound direction
		}
	}
	began := s.now()
	run, err2 := s.store.Runs().Start(ctx, wf.ID, store.Inbound)
	if err2 != nil {
		return true, err2
	}
	state := wf.State
	state.Status, state.LastRunAt = store.WorkflowRunning, began
	if err2 := s.store.Workflows().SetState(ctx, wf.ID, state); err2 != nil {
		return true, err2
	}

	var st Stats
	var calls int64
	var spent error // the org's budget is spent
	if err == nil {
		before := client.Calls().API()
		job := Job{WorkflowID: wf.ID, Plan: plan, Sink: sink, Reader: s.newReader(client, plan), Progress: s.reporter(wf.ID)}
		st, err = s.engine.Sync(ctx, job)
		if err == nil {
			var refreshed Stats
			refreshed, _, err = s.engine.Refresh(ctx, job)
			st.add(refreshed)
		}
		calls = client.Calls().API() - before
		spent = s.recordUsage(ctx, org, client, calls)
	}
	if err == nil && st.Failed > 0 {
		err = &RecordsError{Failed: st.Failed, Failures: st.Failures}
	}
	err = classify(err, org, wf)
	counts := store.RunCounts{Read: int64(st.Read), Inserted: int64(st.Inserted), Updated: int64(st.Updated),
		Removed: int64(st.Removed), Failed: int64(st.Failed), APICalls: calls}
	// The outcome is recorded even when ctx ended: use a context that outlives it.
	rec := context.WithoutCancel(ctx)
	if _, err2 := s.store.Runs().Finish(rec, run.ID, counts, err); err2 != nil {
		return true, err2
	}
	s.log.Info("inbound run", "workflow", wf.Name, "read", st.Read, "inserted", st.Inserted, "updated", st.Updated,
		"removed", st.Removed, "failed", st.Failed, "skipped", st.Skipped, "api_calls", calls, "err", err)
	stop, err = s.settle(rec, org, wf, state, began, err)
	if spent != nil && err == nil && !stop {
		reason := fmt.Sprintf("paused: %v; sfbridge checks again at %s UTC and resumes by itself once usage is back under the budget (admins may raise it on /orgs/%d/usage)",
			spent, s.now().Add(s.probeEvery).UTC().Format("15:04"), org.ID)
		return true, s.pause(rec, org, store.StatePausedLimit, reason)
	}
	return stop, err
}

// settle stores the outcome of a run on the workflow, and pauses the org
// when the error says so. It reports whether the org's other workflows must
// wait.
func (s *Service) settle(ctx context.Context, org store.Org, wf store.Workflow, state store.WorkflowState, began time.Time, runErr error) (bool, error) {
	switch {
	case runErr == nil:
		state.Status, state.LastSuccessAt, state.LastError, state.SyncedTo = store.WorkflowIdle, s.now(), "", began
		return false, s.store.Workflows().SetState(ctx, wf.ID, state)
	case errors.Is(runErr, salesforce.ErrLimitExceeded):
		return true, s.pause(ctx, org, store.StatePausedLimit, runErr.Error())
	case errors.Is(runErr, salesforce.ErrNeedsReauth):
		marked, err := markNeedsReauth(ctx, s.store, org.ID, wf.OwnerID, runErr)
		if err != nil {
			return true, err
		}
		if marked { // else whoever marked it told people (StoreConnector)
			s.watch.NeedsReauth(ctx, org, wf.OwnerID, runErr.Error())
		}
		return true, s.pause(ctx, org, store.StateNeedsReauth, runErr.Error())
	case errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded):
		state.Status, state.LastError = store.WorkflowIdle, "interrupted: sfbridge stopped during the run; it resumes where it stopped"
		return true, s.store.Workflows().SetState(ctx, wf.ID, state)
	default:
		state.Status, state.LastError = store.WorkflowFailing, runErr.Error()
		return false, s.store.Workflows().SetState(ctx, wf.ID, state)
	}
}

// pause puts an org in state, with reason, and pauses its enabled workflows
// with the same message.
func (s *Service) pause(ctx context.Context, org store.Org, state store.State, reason string) error {
	if err := s.store.Orgs().SetState(ctx, org.ID, state, reason); err != nil {
		return err
	}
	if state == store.StatePausedLimit {
		next := s.now().Add(s.probeEvery)
		s.mu.Lock()
		s.nextProbe[org.ID] = next
		s.mu.Unlock()
		defer s.watch.Paused(ctx, org, reason, next)
	}
	wfs, err := s.store.Workflows().List(ctx, store.WorkflowFilter{OrgID: org.ID, EnabledOnly: true})
	if err != nil {
		return err
	}
	for _, wf := range wfs {
		st := wf.State
		st.Status, st.LastError = store.WorkflowPaused, reason
		if err := s.store.Workflows().SetState(ctx, wf.ID, st); err != nil {
			return err
		}
	}
	s.log.Warn("org paused", "org", org.Name, "state", state, "reason", reason)
	return nil
}

// resume reports whether the org's workflows may run: the org is
// connected, or it was paused and may go on now (it is then set connected).
func (s *Service) resume(ctx context.Context, org store.Org, wfs []store.Workflow) (bool, error) {
	switch org.State {
	case store.StatePausedLimit:
		if !s.budgetBack(ctx, org, wfs) {
			return false, nil
		}
		if err := s.store.Orgs().SetState(ctx, org.ID, store.StateConnected, ""); err != nil {
			return false, err
		}
	case store.StateNeedsReauth:
		var resumed bool
		err := s.store.Write(ctx, func(tx *store.Tx) (err error) {
			resumed, err = Resume(ctx, tx, org.ID)
			return err
		})
		if err != nil || !resumed {
			return false, err
		}
		s.connector.Forget(org.ID)
	default:
		return true, nil
	}
	s.log.Info("org resumed", "org", org.Name, "was", org.State)
	if org.State == store.StatePausedLimit {
		s.watch.Resumed(ctx, org)
	}
	return true, nil
}

// budgetBack probes /limits, at most every ProbeEvery (or at once when the
// org's budget was raised above its last usage), and reports whether the
// org has API requests left within its budget.
func (s *Service) budgetBack(ctx context.Context, org store.Org, wfs []store.Workflow) bool {
	now := s.now()
	raised := s.watch.Allows(ctx, org, org.APIUsage.Used, org.APIUsage.Limit)
	s.mu.Lock()
	due := raised || !now.Before(s.nextProbe[org.ID])
	if due {
		s.nextProbe[org.ID] = now.Add(s.probeEvery)
	}
	s.mu.Unlock()
	if !due || len(wfs) == 0 {
		return false
	}
	client, err := s.connector.Client(ctx, org.ID, wfs[0].OwnerID)
	if err != nil {
		s.log.Warn("probing API limits", "org", org.Name, "err", err)
		return false
	}
	before := client.Calls().API()
	limits, err := client.Limits(ctx)
	if err != nil {
		if !errors.Is(err, salesforce.ErrLimitExceeded) {
			s.log.Warn("probing API limits", "org", org.Name, "err", err)
		}
		return false
	}
	daily := limits["DailyApiRequests"]
	spent := s.recordUsage(ctx, org, client, client.Calls().API()-before)
	return daily.Remaining > 0 && spent == nil
}

// recordUsage stores the org's API usage as the client last saw it, tells
// the Watcher with the calls made since the last report, and returns its
// verdict: non-nil when the org's budget is spent.
func (s *Service) recordUsage(ctx context.Context, org store.Org, client *salesforce.Client, calls int64) error {
	snap := client.Budget().Snapshot()
	if !snap.Seen.IsZero() {
		if err := s.store.Orgs().RecordAPIUsage(ctx, org.ID, int64(snap.Used), int64(snap.Max)); err != nil {
			s.log.Warn("recording API usage", "org", org.Name, "err", err)
		}
	}
	return s.watch.Usage(ctx, org, int64(snap.Used), int64(snap.Max), calls)
}

func (s *Service) lockFor(workflowID int64) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.running[workflowID]
	if l == nil {
		l = new(sync.Mutex)
		s.running[workflowID] = l
	}
	return l
}

func (s *Service) reporter(workflowID int64) func(Progress) {
	if s.progress == nil {
		return nil
	}
	return func(p Progress) { s.progress(workflowID, p) }
}

// classify turns the errors users must act on into messages that say what
// to do: a connection to renew, a field that disappeared.
func classify(err error, org store.Org, wf store.Workflow) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, salesforce.ErrNeedsReauth) {
		return &ReauthError{Org: org.Name, Err: err}
	}
	if errors.Is(err, salesforce.ErrLimitExceeded) {
		return &LimitError{Org: org.Name, Err: err}
	}
	if fe, ok := fieldGone(err, wf.Name); ok {
		return fe
	}
	return err
}

// fieldGone recognises Salesforce's INVALID_FIELD answer to a query that
// selects a field which no longer exists (or which the user may no longer
// read): "No such column 'Score__c' on entity 'Account'".
func fieldGone(err error, workflow string) (*FieldGoneError, bool) {
	ae, ok := errors.AsType[*salesforce.APIError](err)
	if !ok || ae.Code() != "INVALID_FIELD" {
		return nil, false
	}
	fe := &FieldGoneError{Workflow: workflow, Err: err}
	msg := ae.Errors[0].Message
	if _, rest, ok := strings.Cut(msg, "No such column '"); ok {
		fe.Field, rest, _ = strings.Cut(rest, "'")
		if _, rest, ok := strings.Cut(rest, "entity '"); ok {
			fe.Object, _, _ = strings.Cut(rest, "'")
		}
	}
	return fe, true
}
