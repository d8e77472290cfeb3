package syncer

import (
	"errors"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/store"
)

// passwordLogin logs username in to the emulator's org with the password
// flow and returns the client and the grant a connection keeps for it.
func (e *connectEnv) passwordLogin(t *testing.T, o store.Org, username string) (*salesforce.Client, store.Grant) {
	t.Helper()
	g := store.Grant{Type: store.GrantPassword, Secret: secret.New(org.DevPassword)}
	cl, err := salesforce.Connect(t.Context(), ClientConfig(e.base(), o, g), salesforce.PasswordGrant(username, org.DevPassword))
	if err != nil {
		t.Fatal(err)
	}
	return cl, g
}

func TestLink(t *testing.T) {
	t.Parallel()
	e := newConnectEnv(t)
	ctx := t.Context()
	o := e.register(t, auth.DevApp())

	cl, g := e.passwordLogin(t, o, org.StandardUsername)
	var seen Linked
	first, err := Link(ctx, e.st, Login{Org: o, UserID: e.user.ID, Client: cl, Grant: g}, func(_ *store.Tx, l Linked) error {
		seen = l
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c, tok := first.Connection, cl.Token()
	if first.Before.ID != 0 || c.ID == 0 || c.Username != org.StandardUsername || c.State != store.StateConnected ||
		c.Grant.Type != store.GrantPassword || c.SalesforceUserID != tok.UserID() || c.AccessToken.Reveal() != tok.AccessToken ||
		first.Resumed {
		t.Errorf("first link = %+v", first)
	}
	if seen.Connection.ID != c.ID {
		t.Errorf("within saw %+v, want the stored connection", seen)
	}
	stored, err := e.st.Orgs().Get(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.SalesforceOrgID != tok.OrgID() || !strings.HasPrefix(stored.SalesforceOrgID, "00D") ||
		stored.InstanceURL != tok.InstanceURL || stored.APIUsage.SeenAt.IsZero() || stored.APIUsage.Limit == 0 {
		t.Errorf("the org after the link: %+v; want its Salesforce id, instance URL and API usage", stored)
	}

	// A second login replaces the connection; the one before is given.
	cl2, _ := e.passwordLogin(t, o, org.StandardUsername)
	second, err := Link(ctx, e.st, Login{Org: o, UserID: e.user.ID, Client: cl2, Username: "given@example.com"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if second.Before.ID != c.ID || second.Connection.ID != c.ID || second.Connection.Username != "given@example.com" ||
		second.Connection.Grant.Type != store.GrantNone {
		t.Errorf("second link = %+v, want the first replaced, with the username given and no grant", second)
	}

	// An error from within undoes everything.
	boom := errors.New("boom")
	cl3, _ := e.passwordLogin(t, o, org.StandardUsername)
	if _, err := Link(ctx, e.st, Login{Org: o, UserID: e.user.ID, Client: cl3, Grant: g}, func(*store.Tx, Linked) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Link = %v, want within's error", err)
	}
	kept, err := e.st.Connections().Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if kept.AccessToken.Reveal() != cl2.Token().AccessToken || kept.Username != "given@example.com" {
		t.Errorf("a failed link changed the connection: %+v", kept)
	}
}

// TestLinkResumesTheOrg: an org waiting for re-authorisation resumes when
// the last connection it waits for is linked again, and not before.
func TestLinkResumesTheOrg(t *testing.T) {
	t.Parallel()
	e := newConnectEnv(t)
	ctx := t.Context()
	o := e.register(t, auth.DevApp())
	bob, err := e.st.Users().Create(ctx, store.User{Login: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	var conns []store.Connection
	for _, uid := range []int64{e.user.ID, bob.ID} {
		cl, g := e.passwordLogin(t, o, org.StandardUsername)
		l, err := Link(ctx, e.st, Login{Org: o, UserID: uid, Client: cl, Grant: g}, nil)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, l.Connection)
	}
	workflow := func(name string, status store.WorkflowStatus, lastErr string) store.Workflow {
		t.Helper()
		wf, err := e.st.Workflows().Create(ctx, store.Workflow{Name: name, OrgID: o.ID, OwnerID: e.user.ID, Enabled: true, Document: "version: 1\n"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.Workflows().SetState(ctx, wf.ID, store.WorkflowState{Status: status, LastError: lastErr}); err != nil {
			t.Fatal(err)
		}
		return wf
	}
	paused := workflow("paused", store.WorkflowPaused, "reconnect with: sfbridge org connect emu")
	failing := workflow("failing", store.WorkflowFailing, "field Account.Score__c no longer exists")
	// Both connections were refused; the org waits for them.
	for _, c := range conns {
		if err := e.st.Connections().SetState(ctx, c.ID, store.StateNeedsReauth, "invalid_grant"); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.Orgs().SetState(ctx, o.ID, store.StateNeedsReauth, "invalid_grant"); err != nil {
		t.Fatal(err)
	}
	check := func(when string, wantOrg store.State, wantPaused store.WorkflowStatus) {
		t.Helper()
		got, err := e.st.Orgs().Get(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.st.Workflows().Get(ctx, paused.ID)
		if err != nil {
			t.Fatal(err)
		}
		f, err := e.st.Workflows().Get(ctx, failing.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != wantOrg || p.State.Status != wantPaused || (wantPaused == store.WorkflowIdle) != (p.State.LastError == "") ||
			f.State.Status != store.WorkflowFailing || f.State.LastError == "" {
			t.Errorf("%s: org %s (%q), paused workflow %+v, failing workflow %+v; want org %s, the paused one %s",
				when, got.State, got.StateReason, p.State, f.State, wantOrg, wantPaused)
		}
	}

	cl, g := e.passwordLogin(t, o, org.StandardUsername)
	l, err := Link(ctx, e.st, Login{Org: o, UserID: e.user.ID, Client: cl, Grant: g}, nil)
	if err != nil || l.Resumed {
		t.Fatalf("relinking one of two refused connections: %+v, %v; want the org still waiting", l, err)
	}
	check("one connection relinked", store.StateNeedsReauth, store.WorkflowPaused)

	cl, g = e.passwordLogin(t, o, org.StandardUsername)
	l, err = Link(ctx, e.st, Login{Org: o, UserID: bob.ID, Client: cl, Grant: g}, nil)
	if err != nil || !l.Resumed {
		t.Fatalf("relinking the last refused connection: %+v, %v; want the org resumed", l, err)
	}
	check("both relinked", store.StateConnected, store.WorkflowIdle)

	// An org at its API limit is not Resume's to resume.
	if err := e.st.Orgs().SetState(ctx, o.ID, store.StatePausedLimit, "limit"); err != nil {
		t.Fatal(err)
	}
	var resumed bool
	if err := e.st.Write(ctx, func(tx *store.Tx) (err error) {
		resumed, err = Resume(ctx, tx, o.ID)
		return err
	}); err != nil || resumed {
		t.Errorf("Resume of an org at its API limit = %v, %v; want false", resumed, err)
	}
}
