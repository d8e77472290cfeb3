package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/store"
)

// actingFlags are the flags of the commands that act in Salesforce as one
// person, with that person's own connection, so that Salesforce's sharing
// and field permissions apply (activity, search).
type actingFlags struct {
	dataFlags
	User string `help:"The sfbridge user acting, with their own Salesforce connection; default the org's only connected user." placeholder:"LOGIN"`
	Org  string `help:"The org to act in; default the only registered org." placeholder:"NAME"`
}

// acting opens the data directory and returns the app and the client of
// the acting user's connection. The caller closes the app.
func (f actingFlags) acting(e *env) (*app, *salesforce.Client, error) {
	a, err := f.open(e, false)
	if err != nil {
		return nil, nil, err
	}
	cl, err := a.actingClient(e.ctx, f.Org, f.User)
	if err != nil {
		a.close()
		return nil, nil, err
	}
	return a, cl, nil
}

// actingClient picks the org (orgName, or the only one) and the user
// (login, or the org's only connected user) and returns the client of
// that user's connection to that org.
func (a *app) actingClient(ctx context.Context, orgName, login string) (*salesforce.Client, error) {
	o, err := a.onlyOrg(ctx, orgName)
	if err != nil {
		return nil, err
	}
	if login != "" {
		u, err := a.store.Users().ByLogin(ctx, login)
		if errors.Is(err, store.ErrNotFound) {
			return nil, invalid(fmt.Errorf("no sfbridge user %q: connect them first with sfbridge org connect %s --user %s", login, o.Name, login))
		}
		if err != nil {
			return nil, environment(err)
		}
		return a.client(ctx, o, u)
	}
	conns, err := a.store.Connections().List(ctx, o.ID)
	if err != nil {
		return nil, environment(err)
	}
	switch len(conns) {
	case 0:
		return nil, invalid(fmt.Errorf("nobody is connected to org %q: run sfbridge org connect %s", o.Name, o.Name))
	case 1:
		u, err := a.store.Users().Get(ctx, conns[0].UserID)
		if err != nil {
			return nil, environment(err)
		}
		return a.client(ctx, o, u)
	}
	logins := make([]string, 0, len(conns))
	for _, c := range conns {
		u, err := a.store.Users().Get(ctx, c.UserID)
		if err != nil {
			return nil, environment(err)
		}
		logins = append(logins, u.Login)
	}
	return nil, invalid(fmt.Errorf("%d users are connected to org %q (%s): say who acts with --user LOGIN", len(conns), o.Name, strings.Join(logins, ", ")))
}

// onlyOrg returns the org named name, or when name is empty the only
// registered org.
func (a *app) onlyOrg(ctx context.Context, name string) (store.Org, error) {
	if name != "" {
		return a.org(ctx, name)
	}
	orgs, err := a.store.Orgs().List(ctx)
	if err != nil {
		return store.Org{}, environment(err)
	}
	switch len(orgs) {
	case 0:
		return store.Org{}, invalid(fmt.Errorf("no org is registered in %s: register one with sfbridge org add", a.cfg.DataDir))
	case 1:
		return orgs[0], nil
	}
	names := make([]string, 0, len(orgs))
	for _, o := range orgs {
		names = append(names, o.Name)
	}
	return store.Org{}, invalid(fmt.Errorf("%d orgs are registered (%s): say which with --org NAME", len(orgs), strings.Join(names, ", ")))
}
