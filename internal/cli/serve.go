package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/sfbridge/sfbridge/internal/config"
	"github.com/sfbridge/sfbridge/internal/jobs"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// jobsFile is the job database's name in the data directory (ADR 0071:
// apart from the store's database).
const jobsFile = "jobs.db"

type serveCmd struct {
	dataFlags
	Listen      string `help:"Address to listen on (default 127.0.0.1:8080, or $SFBRIDGE_LISTEN)." placeholder:"HOST:PORT"`
	AllowRemote bool   `help:"Allow a --listen address reachable from other machines."`
	PublicURL   string `help:"The console's address as browsers reach it, behind a TLS proxy: connected apps allow URL/oauth/callback (default $SFBRIDGE_PUBLIC_URL, else the address each request came to)." placeholder:"URL"`
}

func (c *serveCmd) Run(e *env) error {
	cfg, err := c.load(e, config.Flags{Listen: c.Listen, AllowRemote: c.AllowRemote, PublicURL: c.PublicURL})
	if err != nil {
		return err
	}
	if err := cfg.CheckSecrets(); err != nil {
		return invalid(err)
	}
	a, err := openApp(e.ctx, cfg, e.stderr, true)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.registerOrgs(e); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return environment(fmt.Errorf("listening on %s: %w (free the port, or pick another with --listen or listen:)", cfg.Listen, err))
	}
	// The scheduler starts before the handler, which runs workflows
	// through it ("run now"); nothing is served before both are up.
	rt, err := a.startSync(e.ctx, nil) // a server draws no progress bars
	if err != nil {
		ln.Close()
		return err
	}
	defer rt.stop()
	h, err := a.handler(rt.svc)
	if err != nil {
		ln.Close()
		return err
	}
	a.warnIfRemote(ln.Addr())
	srv := serveHTTP(ln, h, a.log)
	fmt.Fprintf(e.stdout, "sfbridge serving on http://%s (data in %s)\n", ln.Addr(), cfg.DataDir)
	fmt.Fprintf(e.stdout, "console: http://%s/  API: http://%s/api/v1\n", ln.Addr(), ln.Addr())
	select {
	case <-e.ctx.Done():
		srv.stop()
		return nil
	case err := <-srv.done:
		return environment(fmt.Errorf("serving HTTP: %w", err))
	}
}

// registerOrgs registers, or updates, the orgs of the configuration, and
// connects those whose flow needs no browser.
func (a *app) registerOrgs(e *env) error {
	for _, oc := range a.cfg.Orgs {
		login, _ := config.LoginURL(oc.Login) // checked by Validate
		want := store.Org{Name: oc.Name, LoginURL: login, ClientID: oc.ClientID, ClientSecret: oc.ClientSecret,
			PollInterval: oc.PollInterval.Std()}
		o, err := a.store.Orgs().ByName(e.ctx, oc.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			o, err = a.store.Orgs().Create(e.ctx, want)
		case err == nil:
			want.ID, want.SalesforceOrgID, want.InstanceURL = o.ID, o.SalesforceOrgID, o.InstanceURL
			o, err = a.store.Orgs().Update(e.ctx, want)
		}
		if err != nil {
			return invalid(fmt.Errorf("registering org %q of the configuration: %w", oc.Name, err))
		}
		grant, err := grantFor(oc.Flow, oc.Username, oc.KeyFile, oc.Password)
		if err != nil {
			return invalid(fmt.Errorf("org %q of the configuration: %w", oc.Name, err))
		}
		if grant == nil {
			if conns, err := a.store.Connections().List(e.ctx, o.ID); err == nil && len(conns) == 0 {
				a.log.Warn("org has no connection yet; its workflows wait", "org", o.Name, "fix", "sfbridge org connect "+o.Name)
			}
			continue
		}
		if err := a.connect(e, o, connectFlags{Flow: string(oc.Flow), Username: oc.Username}, grant, webFlags{}); err != nil {
			return err
		}
	}
	return nil
}

// syncRuntime is the sync engine at work: the Service and the scheduler
// that runs its tasks, and the Sender that writes to Salesforce.
type syncRuntime struct {
	svc       *syncer.Service
	sched     jobs.Scheduler
	closeJobs func() // closes the job database, after sched stopped
	sender    *syncer.Sender
}

// newService returns the sync Service over the app's store; p, if set,
// receives the progress of runs.
func (a *app) newService(p *progress) *syncer.Service {
	opts := syncer.ServiceOptions{Store: a.store, Connector: a.connector(), Binder: newBinder(a), Logger: a.log, Watcher: a.watcher()}
	if p != nil && p.enabled {
		opts.Progress = p.report
	}
	return syncer.NewService(opts)
}

// startSync starts the scheduler: every org polls at its interval.
func (a *app) startSync(ctx context.Context, p *progress) (*syncRuntime, error) {
	svc := a.newService(p)
	sched, closeJobs, err := a.openScheduler(ctx, svc.Handlers())
	if err != nil {
		return nil, err
	}
	rt := &syncRuntime{svc: svc, sched: sched, closeJobs: closeJobs}
	// The scheduler lives until stop, not until ctx ends: stop lets the
	// running tasks finish first.
	if err := sched.Start(context.WithoutCancel(ctx)); err != nil {
		rt.stop()
		return nil, environment(fmt.Errorf("starting the scheduler: %w", err))
	}
	if err := svc.Schedule(ctx, sched); err != nil {
		rt.stop()
		return nil, environment(err)
	}
	rt.sender = a.newSender()
	if err := rt.sender.Start(context.WithoutCancel(ctx)); err != nil {
		rt.stop()
		return nil, environment(err)
	}
	return rt, nil
}

// newSender returns the outbound Sender over the app's store: every
// outbound and two-way workflow's changes, sent as they are made.
func (a *app) newSender() *syncer.Sender {
	return syncer.NewSender(syncer.SenderOptions{Store: a.store, Connector: a.connector(), Binder: newBinder(a), Logger: a.log})
}

// jobsLog is the scheduler's log: River's own routine messages (migrations,
// start, stop) only at debug level.
func (a *app) jobsLog() *slog.Logger {
	return newLogger(a.logOut, max(a.cfg.Level(), slog.LevelWarn))
}

// stop lets running syncs and the batch being sent finish, then stops the
// scheduler.
func (r *syncRuntime) stop() {
	if r.sender != nil {
		r.sender.Stop()
	}
	r.sched.Stop()
	r.closeJobs()
}

// label names a workflow for progress bars.
func (a *app) label(ctx context.Context) func(int64) string {
	return func(id int64) string {
		wf, err := a.store.Workflows().Get(ctx, id)
		if err != nil {
			return fmt.Sprintf("workflow %d", id)
		}
		return strings.TrimSpace(wf.Name)
	}
}
