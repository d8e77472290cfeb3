package api

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// limitsBinder binds no plan: it reads the org's limits with the workflow
// owner's client, the one Salesforce call a poll makes here (describes are
// cached), and records the access tokens it was given.
type limitsBinder struct {
	mu     sync.Mutex
	tokens []string
}

func (b *limitsBinder) Bind(ctx context.Context, _ store.Workflow, client *salesforce.Client) (*syncer.Plan, syncer.Sink, error) {
	if _, err := client.Limits(ctx); err != nil {
		return nil, nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = append(b.tokens, client.Token().AccessToken)
	return nil, nil, nil
}

func (b *limitsBinder) last() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.tokens) == 0 {
		return ""
	}
	return b.tokens[len(b.tokens)-1]
}

// TestReconnectResumesTheOrg: Salesforce revokes a person's connection, the
// sync service finds out and the org waits for re-authorisation; the person
// reconnects in the console and the org is connected again at once, its
// workflows no longer paused, and the next poll acts with the new login.
func TestReconnectResumesTheOrg(t *testing.T) {
	t.Parallel()
	var connector *syncer.StoreConnector // set once the fixture's store exists
	f := setup(t, func(o *Options) { o.Forget = func(id int64) { connector.Forget(id) } })
	connector = syncer.NewStoreConnector(f.db, salesforce.Config{})
	_, admin := f.user("admin", access.ConnectorAdmin)
	cuUser, cu := f.user("cu", access.ConnectorUser)
	emu, o := f.emulatorOrg(admin)
	conn := f.connect(cu, o.ID, sfemutest.User)

	ctx := t.Context()
	wf, err := f.db.Workflows().Create(ctx, store.Workflow{Name: "accounts", OrgID: o.ID, OwnerID: cuUser.ID, Enabled: true, Document: "version: 1\n"})
	if err != nil {
		t.Fatal(err)
	}
	binder := &limitsBinder{}
	svc := syncer.NewService(syncer.ServiceOptions{Store: f.db, Connector: connector, Binder: binder})
	poll := func() {
		t.Helper()
		if err := svc.PollOrg(ctx, o.ID); err != nil {
			t.Fatalf("polling: %v", err)
		}
	}
	org := func() OrgInfo {
		t.Helper()
		var got OrgInfo
		f.do(cu, "GET", "/api/v1/orgs/"+itoa(o.ID), nil).decode(t, &got)
		return got
	}
	workflow := func() store.WorkflowState {
		t.Helper()
		w, err := f.db.Workflows().Get(ctx, wf.ID)
		if err != nil {
			t.Fatal(err)
		}
		return w.State
	}

	poll()
	if got := org(); got.State != "connected" || binder.last() == "" {
		t.Fatalf("before the revocation: org %s, binder saw %q", got.State, binder.last())
	}

	// Salesforce revokes every token of the person's Salesforce user.
	resp, err := http.Post(emu.URL+sfemu.AdminPrefix+"revoke", "application/json", strings.NewReader(`{"userId":"`+conn.SalesforceUserID+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoking: %s", resp.Status)
	}
	poll()
	got := org()
	if got.State != "needs_reauth" || got.NeedsReauth != 1 || got.WhatToDo != whatToDo["needs_reauth"] {
		t.Fatalf("after the revocation: %+v; want needs_reauth with what to do", got)
	}
	if st := workflow(); st.Status != store.WorkflowPaused || st.LastError == "" {
		t.Fatalf("the workflow after the revocation: %+v, want paused with the reason", st)
	}

	// The person reconnects in the console.
	f.connect(cu, o.ID, sfemutest.User)
	got = org()
	if got.State != "connected" || got.NeedsReauth != 0 || got.StateReason != "" || got.WhatToDo != "" {
		t.Errorf("after reconnecting: %+v; want connected at once", got)
	}
	if st := workflow(); st.Status != store.WorkflowIdle || st.LastError != "" {
		t.Errorf("the workflow after reconnecting: %+v, want idle, its error cleared", st)
	}
	if e := f.lastAudit(admin, "org.connect"); !strings.Contains(e.Detail, "resumed") || e.Before == nil {
		t.Errorf("the reconnection's audit entry %+v: want the connection before and the org's resumption", e)
	}
	stored, err := f.db.Connections().ForUser(ctx, o.ID, cuUser.ID)
	if err != nil {
		t.Fatal(err)
	}
	poll()
	if binder.last() != stored.AccessToken.Reveal() {
		t.Errorf("the poll after reconnecting used another session than the new connection's: the cached client was kept")
	}
	if got := org(); got.State != "connected" {
		t.Errorf("after the next poll: org %s", got.State)
	}
}
