package syncer

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
)

// Login is a Salesforce login to keep as an sfbridge user's connection to
// an org: the client the login gave, whose token says who logged in and
// where, and what renews its session.
type Login struct {
	Org    store.Org
	UserID int64 // the sfbridge user the connection belongs to
	Client *salesforce.Client
	// Username is the Salesforce username; empty reads it from Salesforce
	// (one API call, see LoggedInUsername).
	Username string
	// Grant renews the session without a person (ADR 0170); the zero
	// Grant is the refresh token's when the login gave one, else none.
	Grant store.Grant
}

// Linked is what Link stored.
type Linked struct {
	// Before is the user's connection to the org before, zero (ID 0) when
	// there was none; Connection is the one stored.
	Before, Connection store.Connection
	// Resumed is true when the org waited for re-authorisation and this
	// connection was the last one it waited for: the org is connected
	// again and its paused workflows are idle, due at the next poll.
	Resumed bool
}

// Link turns a login into the user's stored connection to the org (ADR
// 0340): in one transaction it saves the connection with its tokens
// (sealed) and grant, replacing the user's previous one, records on the org
// the Salesforce org id and instance URL of the login, resumes the org when
// it waited for re-authorisation and no connection to it needs it any more
// (see Resume), records the API usage the client saw, and calls within,
// when set, with the connection before and after (the API writes its audit
// entry there). An error from within undoes it all. Callers drop cached
// clients of the org afterwards (Connector.Forget).
func Link(ctx context.Context, st *store.Store, l Login, within func(tx *store.Tx, l Linked) error) (Linked, error) {
	tok := l.Client.Token()
	if l.Username == "" {
		var err error
		if l.Username, err = LoggedInUsername(ctx, l.Client); err != nil {
			return Linked{}, err
		}
	}
	var out Linked
	err := st.Write(ctx, func(tx *store.Tx) error {
		var err error
		out.Before, err = tx.Connections().ForUser(ctx, l.Org.ID, l.UserID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if out.Connection, err = tx.Connections().Save(ctx, store.Connection{OrgID: l.Org.ID, UserID: l.UserID,
			SalesforceUserID: tok.UserID(), Username: l.Username, InstanceURL: tok.InstanceURL,
			AccessToken: secret.New(tok.AccessToken), RefreshToken: secret.New(tok.RefreshToken), Grant: l.Grant}); err != nil {
			return err
		}
		o, err := tx.Orgs().Get(ctx, l.Org.ID)
		if err != nil {
			return err
		}
		o.SalesforceOrgID, o.InstanceURL = tok.OrgID(), tok.InstanceURL
		if _, err := tx.Orgs().Update(ctx, o); err != nil {
			return err
		}
		if out.Resumed, err = Resume(ctx, tx, o.ID); err != nil {
			return err
		}
		if b := l.Client.Budget().Snapshot(); !b.Seen.IsZero() {
			if err := tx.Orgs().RecordAPIUsage(ctx, o.ID, int64(b.Used), int64(b.Max)); err != nil {
				return err
			}
		}
		if within != nil {
			return within(tx, out)
		}
		return nil
	})
	if err != nil {
		return Linked{}, fmt.Errorf("storing the connection of user %d to org %q: %w", l.UserID, l.Org.Name, err)
	}
	return out, nil
}

// LoggedInUsername reads the Salesforce username of the user the client's
// token is for.
func LoggedInUsername(ctx context.Context, client *salesforce.Client) (string, error) {
	tok := client.Token()
	rec, err := client.Retrieve(ctx, "User", tok.UserID(), "Username")
	if err != nil {
		return "", fmt.Errorf("reading the Salesforce user who logged in: %w", err)
	}
	username, _ := rec.String("Username")
	return username, nil
}

// Resume sets an org that waits for re-authorisation connected again once
// none of its connections needs it any more, and its workflows paused for
// it idle, with their error cleared; it reports whether it did. An org in
// any other state is left alone: an org paused at its API limit resumes
// when Salesforce reports requests left (Service.PollOrg).
func Resume(ctx context.Context, tx *store.Tx, orgID int64) (bool, error) {
	o, err := tx.Orgs().Get(ctx, orgID)
	if err != nil || o.State != store.StateNeedsReauth {
		return false, err
	}
	conns, err := tx.Connections().List(ctx, orgID)
	if err != nil {
		return false, err
	}
	for _, c := range conns {
		if c.State == store.StateNeedsReauth {
			return false, nil
		}
	}
	if err := tx.Orgs().SetState(ctx, orgID, store.StateConnected, ""); err != nil {
		return false, err
	}
	wfs, err := tx.Workflows().List(ctx, store.WorkflowFilter{OrgID: orgID})
	if err != nil {
		return false, err
	}
	for _, wf := range wfs {
		if wf.State.Status != store.WorkflowPaused {
			continue
		}
		st := wf.State
		st.Status, st.LastError = store.WorkflowIdle, ""
		if err := tx.Workflows().SetState(ctx, wf.ID, st); err != nil {
			return false, err
		}
	}
	return true, nil
}
