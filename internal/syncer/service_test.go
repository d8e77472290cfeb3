package syncer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/store"
)

// fixedConnector hands out one client; Forget is counted.
type fixedConnector struct {
	client    *salesforce.Client
	err       error
	forgotten int
}

func (c *fixedConnector) Client(context.Context, int64, int64) (*salesforce.Client, error) {
	return c.client, c.err
}
func (c *fixedConnector) Forget(int64) { c.forgotten++ }

// fixedBinder binds every workflow to one plan and sink.
type fixedBinder struct {
	plan *Plan
	sink Sink
}

func (b fixedBinder) Bind(context.Context, store.Workflow, *salesforce.Client) (*Plan, Sink, error) {
	return b.plan, b.sink, nil
}

// TestServicePausesAndResumes drives a Service, reading from the emulator,
// through the API limit (the org pauses, probes /limits sparingly, and
// resumes when the limit is raised), a revoked connection (the org waits
// for a reconnection, with the command to run) and a field the query no
// longer finds (the workflow fails, naming it).
func TestServicePausesAndResumes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	org := newTestOrg(t)
	org.create(10, "Technology")

	st := newStore(t)
	fx := newFixture(t, st, "https://login.salesforce.com")
	clock := &localClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	conn := &fixedConnector{client: org.client}
	plan := accountPlan("Technology")
	svc := NewService(ServiceOptions{
		Store: st, Connector: conn, Binder: fixedBinder{plan, newTableSink(t, st)},
		Engine: EngineOptions{Now: clock.Now}, ProbeEvery: 10 * time.Minute,
	})
	poll := func() {
		t.Helper()
		if err := svc.Handlers()[TaskPoll](ctx, pollTask(fx.org.ID)); err != nil {
			t.Fatalf("poll: %v", err)
		}
	}
	state := func() (store.Org, store.Workflow) {
		t.Helper()
		o, err := st.Orgs().Get(ctx, fx.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		w, err := st.Workflows().Get(ctx, fx.wf.ID)
		if err != nil {
			t.Fatal(err)
		}
		return o, w
	}

	poll()
	if o, w := state(); o.State != store.StateConnected || w.State.Status != store.WorkflowIdle || w.State.LastSuccessAt.IsZero() {
		t.Fatalf("after a good poll: org %s, workflow %+v", o.State, w.State)
	}

	// The daily limit is reached: the emulator refuses the next call.
	used, _ := org.emu.APIUsage()
	if err := org.emu.SetAPILimit(used); err != nil {
		t.Fatal(err)
	}
	poll()
	o, w := state()
	if o.State != store.StatePausedLimit || w.State.Status != store.WorkflowPaused || !strings.Contains(w.State.LastError, "resumes by itself") {
		t.Fatalf("at the limit: org %s, workflow %+v", o.State, w.State)
	}
	for range 3 { // before ProbeEvery: no call at all
		clock.advance(time.Minute)
		before := org.callCount()
		poll()
		if org.callCount() != before {
			t.Fatal("a paused org probed /limits before ProbeEvery")
		}
	}
	clock.advance(10 * time.Minute)
	poll() // probes, still refused
	if o, _ := state(); o.State != store.StatePausedLimit {
		t.Fatalf("the probe resumed an org still at its limit: %s", o.State)
	}
	if err := org.emu.SetAPILimit(used + 1000); err != nil {
		t.Fatal(err)
	}
	clock.advance(10 * time.Minute)
	org.tick(time.Second)
	org.create(1, "Technology")
	poll()
	if o, w := state(); o.State != store.StateConnected || w.State.Status != store.WorkflowIdle {
		t.Fatalf("after the limit was raised: org %s, workflow %+v", o.State, w.State)
	}

	// The connection is revoked.
	if _, err := st.Connections().Save(ctx, store.Connection{OrgID: fx.org.ID, UserID: fx.user.ID, Username: "admin@example.com"}); err != nil {
		t.Fatal(err)
	}
	conn.err = &salesforce.OAuthError{Status: 400, Code: "invalid_grant", Description: "expired access/refresh token"}
	poll()
	o, w = state()
	if o.State != store.StateNeedsReauth || w.State.Status != store.WorkflowPaused || !strings.Contains(w.State.LastError, "sfbridge org connect Acme") {
		t.Fatalf("after revocation: org %s, workflow %+v", o.State, w.State)
	}
	poll() // still waiting: nothing runs
	if _, w2 := state(); w2.State.LastRunAt != w.State.LastRunAt {
		t.Fatal("a workflow ran while its org waits for re-authorisation")
	}
	conn.err = nil
	if _, err := st.Connections().Save(ctx, store.Connection{OrgID: fx.org.ID, UserID: fx.user.ID, Username: "admin@example.com"}); err != nil {
		t.Fatal(err) // what sfbridge org connect does
	}
	poll()
	if o, w := state(); o.State != store.StateConnected || w.State.Status != store.WorkflowIdle || conn.forgotten != 1 {
		t.Fatalf("after reconnecting: org %s, workflow %+v, forgotten %d", o.State, w.State, conn.forgotten)
	}

	// A mapped field is gone: the workflow reads Score__c, which the org
	// lacks, as after a field deletion; Salesforce answers INVALID_FIELD.
	plan.Source.Fields = append(plan.Source.Fields, "Score__c")
	poll()
	if _, w := state(); w.State.Status != store.WorkflowFailing || !strings.Contains(w.State.LastError, "field Account.Score__c no longer exists") {
		t.Fatalf("after a field deletion: workflow %+v", w.State)
	}
	runs, err := st.Runs().List(ctx, fx.wf.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range runs {
		if r.Status == store.RunFailed {
			failed++
		}
	}
	if len(runs) != 6 || failed != 3 {
		t.Errorf("%d runs, %d failed; want 6 runs (2 ok, limit, ok, revoked, field), 3 failed", len(runs), failed)
	}
}
