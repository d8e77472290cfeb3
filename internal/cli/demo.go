package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/sfbridge/sfbridge/examples"
	"github.com/sfbridge/sfbridge/internal/config"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// The demo org, as the sample workflows name it.
const (
	demoOrg         = "demo"
	demoEmulatorDat = "emulator.dat" // the emulator's org, in the demo's data directory
)

type demoCmd struct {
	Data    string        `help:"Keep the demo's data (sfbridge's and the emulator's) in DIR; default a temporary directory removed on exit." placeholder:"DIR"`
	Listen  string        `help:"Address of the emulator; port 0 picks a free port." default:"127.0.0.1:0" placeholder:"HOST:PORT"`
	Console string        `help:"Address of the console and the API; port 0 picks a free port." default:"127.0.0.1:0" placeholder:"HOST:PORT"`
	Poll    time.Duration `help:"How often the demo org's workflows poll the emulator." default:"10s"`
}

func (c *demoCmd) Run(e *env) error {
	err := c.run(e)
	if e.ctx.Err() != nil {
		return nil // Ctrl-C, whatever it interrupted
	}
	return err
}

func (c *demoCmd) run(e *env) error {
	if err := config.CheckListen(c.Listen, false); err != nil {
		return invalid(fmt.Errorf("--listen: %w", err))
	}
	if err := config.CheckListen(c.Console, false); err != nil {
		return invalid(fmt.Errorf("--console: %w", err))
	}
	if c.Poll < time.Second {
		return invalid(fmt.Errorf("--poll %s: poll at most every second", c.Poll))
	}
	level, err := levelFlag(e)
	if err != nil {
		return err
	}
	if !e.levelSet() {
		level = slog.LevelWarn // the summary says what happened; runs are not logged
	}
	log := newLogger(e.stderr, level)
	dir, temporary := c.Data, c.Data == ""
	if temporary {
		if dir, err = os.MkdirTemp("", "sfbridge-demo-"); err != nil {
			return environment(fmt.Errorf("creating the demo's data directory: %w", err))
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return environment(fmt.Errorf("creating the demo's data directory: %w", err))
	}

	// The emulator, in this process, keeping its org beside sfbridge's data
	// unless the data is temporary.
	opts := sfemu.Options{Seed: "demo", Logger: log}
	if !temporary {
		opts.DataFile = filepath.Join(dir, demoEmulatorDat)
	}
	emu, err := sfemu.New(opts)
	if err != nil {
		return invalid(err)
	}
	if !temporary {
		defer func() { // once the emulator no longer serves
			if err := emu.Save(); err != nil {
				log.Warn("saving the emulator's org", "file", opts.DataFile, "err", err)
			}
		}()
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return environment(fmt.Errorf("listening on %s: %w (free the port, or pick another with --listen)", c.Listen, err))
	}
	srv := serveHTTP(ln, emu, log)
	defer srv.stop()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(e.stdout, "emulator ready: %s\n", base)

	cfg := config.Default()
	cfg.DataDir, cfg.LogLevel = dir, level.String()
	a, err := openApp(e.ctx, cfg, e.stderr, true)
	if err != nil {
		return err
	}
	defer a.close()
	// The console's admin first: the demo org's connection is then theirs.
	password, err := a.demoAdmin(e.ctx)
	if err != nil {
		return err
	}
	o, err := a.demoOrg(e, base, c.Poll)
	if err != nil {
		return err
	}
	// The password flow, whose password the connection keeps (sealed): the
	// session renews by itself however long the demo runs, across restarts
	// with --data, and whatever the emulator's clock does (ADR 0171).
	l, err := grantFor(config.FlowPassword, org.AdminUsername, "", secret.New(org.DevPassword))
	if err != nil {
		return err
	}
	if err := a.connect(e, o, connectFlags{Flow: string(config.FlowPassword), Username: org.AdminUsername}, l, webFlags{}); err != nil {
		return err
	}
	installed, err := a.installExamples(e)
	if err != nil {
		return err
	}
	for _, wf := range installed {
		run, err := a.runOnce(e, wf)
		switch {
		case errors.Is(err, errNothingToRun):
		case err != nil:
			return err
		default:
			fmt.Fprintln(e.stdout, runSummary(wf.Name, run))
		}
	}
	rt, err := a.startSync(e.ctx, newProgress(e, a.label(e.ctx)))
	if err != nil {
		return err
	}
	defer rt.stop()
	h, err := a.handler(rt.svc)
	if err != nil {
		return err
	}
	cln, err := net.Listen("tcp", c.Console)
	if err != nil {
		return environment(fmt.Errorf("listening on %s: %w (free the port, or pick another with --console)", c.Console, err))
	}
	console := serveHTTP(cln, h, log)
	defer console.stop()
	links := demoLinks{emulator: base, console: "http://" + cln.Addr().String() + "/", password: password}
	if err := a.demoSummary(e, links, temporary, c.Poll, installed); err != nil {
		return err
	}
	select {
	case <-e.ctx.Done():
		fmt.Fprintln(e.stdout, "demo stopped")
		return nil
	case err := <-srv.done:
		return environment(fmt.Errorf("serving the emulator: %w", err))
	case err := <-console.done:
		return environment(fmt.Errorf("serving the console: %w", err))
	}
}

// demoOrg registers the demo org at the emulator's URL, or points the
// demo org of an earlier run to it (the port changes from run to run).
func (a *app) demoOrg(e *env, base string, poll time.Duration) (store.Org, error) {
	want := store.Org{Name: demoOrg, LoginURL: base, ClientID: auth.DevConsumerKey,
		ClientSecret: secret.New(auth.DevConsumerSecret), PollInterval: poll}
	o, err := a.store.Orgs().ByName(e.ctx, demoOrg)
	switch {
	case errors.Is(err, store.ErrNotFound):
		o, err = a.store.Orgs().Create(e.ctx, want)
	case err == nil:
		want.ID, want.SalesforceOrgID, want.InstanceURL = o.ID, o.SalesforceOrgID, o.InstanceURL
		o, err = a.store.Orgs().Update(e.ctx, want)
	}
	if err != nil {
		return store.Org{}, environment(fmt.Errorf("registering the demo org: %w", err))
	}
	return o, nil
}

// installExamples validates and stores the sample workflows, and returns
// them as stored.
func (a *app) installExamples(e *env) ([]store.Workflow, error) {
	files, err := fs.Glob(examples.Workflows, "*.yaml")
	if err != nil {
		return nil, err
	}
	var out []store.Workflow
	for _, name := range files {
		data, err := fs.ReadFile(examples.Workflows, name)
		if err != nil {
			return nil, err
		}
		c, ve, err := a.checkDoc(e.ctx, "examples/"+name, data)
		if err != nil {
			return nil, err
		}
		if ve != nil { // a sample that does not fit the demo org is a bug
			return nil, fmt.Errorf("installing the sample workflows: %w", ve)
		}
		if _, err := a.apply(e.ctx, c); err != nil {
			return nil, err
		}
		wf, err := a.store.Workflows().ByName(e.ctx, c.Def.Name)
		if err != nil {
			return nil, environment(err)
		}
		out = append(out, wf)
	}
	return out, nil
}

// demoLinks are where the demo serves, and the console admin's password
// ("" when an earlier run created the admin).
type demoLinks struct {
	emulator, console, password string
}

// demoSummary prints what the demo did and where to look.
func (a *app) demoSummary(e *env, links demoLinks, temporary bool, poll time.Duration, wfs []store.Workflow) error {
	w := e.stdout
	base := links.emulator
	dataFlag := "--data " + a.cfg.DataDir
	fmt.Fprintf(w, "\nsfbridge demo is running; Ctrl-C stops it.\n\n")
	fmt.Fprintf(w, "Console              %s\n", links.console)
	if links.password != "" {
		fmt.Fprintf(w, "  sign in as         %s, password %s (random, shown only now)\n", demoAdminLogin, links.password)
	} else {
		fmt.Fprintf(w, "  sign in as         %s, with the password printed when %s was created\n", demoAdminLogin, a.cfg.DataDir)
	}
	fmt.Fprintf(w, "  API                %sapi/v1\n", links.console)
	fmt.Fprintf(w, "  search, activities %ssearch and %sactivities, as the org's admin in Salesforce\n", links.console, links.console)
	fmt.Fprintf(w, "Salesforce emulator  %s\n", base)
	fmt.Fprintf(w, "  log in as          %s or %s, password %s\n", org.AdminUsername, org.StandardUsername, org.DevPassword)
	fmt.Fprintf(w, "  connected app      %s / %s\n", auth.DevConsumerKey, auth.DevConsumerSecret)
	fmt.Fprintf(w, "  admin API          %s%sstate\n", base, sfemu.AdminPrefix)
	fmt.Fprintf(w, "Data directory       %s", a.cfg.DataDir)
	if temporary {
		fmt.Fprint(w, " (temporary, removed when the demo stops; keep it with sfbridge demo --data DIR)")
	}
	fmt.Fprintf(w, "\n\nWorkflows of org %q, polling every %s:\n", demoOrg, poll)
	if err := a.workflowTable(e, w, wfs); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nLook around from another terminal:\n")
	fmt.Fprintf(w, "  sfbridge sheet list %s\n", dataFlag)
	fmt.Fprintf(w, "  sfbridge sheet show hot_leads %s\n", dataFlag)
	fmt.Fprintf(w, "  sfbridge sheet export open_cases --format csv %s\n", dataFlag)
	fmt.Fprintf(w, "  sfbridge workflow status %s\n", dataFlag)
	fmt.Fprintf(w, "  sfbridge org status %s %s\n", demoOrg, dataFlag)
	return a.twoWayGuide(e, w, base, dataFlag, poll)
}

// Where the two-way guide works: the sample's sheet and a text column it
// writes both ways (Account.Description).
const (
	demoTwoWaySheet  = "accounts"
	demoTwoWayColumn = "notes"
)

// twoWayGuide prints commands, ready to paste, that edit a row of the
// two-way sample and see its account change in the emulator, then edit the
// account and see the row change. It prints nothing when the sheet has no
// synced row to edit yet.
func (a *app) twoWayGuide(e *env, w io.Writer, base, dataFlag string, poll time.Duration) error {
	sh, err := sheet.Open(e.ctx, a.store, demoTwoWaySheet)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return environment(err)
	}
	var row *sheet.Row
	err = sh.Rows(e.ctx, a.store, sheet.Query{Limit: 20}, func(r *sheet.Row) error {
		if row == nil && r.SFID != "" {
			row = r
		}
		return nil
	})
	if err != nil || row == nil {
		return environment(err)
	}
	rest := fmt.Sprintf("%s/services/data/v%s/sobjects/Account/%s", base, salesforce.DefaultAPIVersion, row.SFID)
	fmt.Fprintf(w, "\nTry two-way sync (sheet %q <-> Account: an edit is sent within a second, Salesforce polled every %s):\n", sh.Name, poll)
	fmt.Fprintf(w, "  # in the console: Sheets > %s, click a cell of row %d and change it; its badge turns Synced once Salesforce has it\n", sh.Name, row.ID)
	fmt.Fprintf(w, "  # a session on the emulator, for curl (the admin API needs no token on loopback)\n")
	fmt.Fprintf(w, "  TOKEN=$(curl -s -X POST %s%slogin -d '{\"username\":\"%s\"}' | sed -n 's/.*\"accessToken\": *\"\\([^\"]*\\)\".*/\\1/p')\n", base, sfemu.AdminPrefix, org.AdminUsername)
	fmt.Fprintf(w, "  # edit row %d in the sheet, then see its account change in Salesforce\n", row.ID)
	fmt.Fprintf(w, "  sfbridge sheet edit %s --row %d --set '%s=Edited in the sheet' %s\n", sh.Name, row.ID, demoTwoWayColumn, dataFlag)
	fmt.Fprintf(w, "  curl -s -H \"Authorization: Bearer $TOKEN\" '%s?fields=Description'\n", rest)
	fmt.Fprintf(w, "  # edit the account in Salesforce, then see row %d change after the next poll\n", row.ID)
	fmt.Fprintf(w, "  curl -s -X PATCH -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '{\"Description\":\"Edited in Salesforce\"}' '%s'\n", rest)
	fmt.Fprintf(w, "  sfbridge sheet show %s %s\n", sh.Name, dataFlag)
	return nil
}

// workflowTable lists workflows with their sheet and its row count.
func (a *app) workflowTable(e *env, w io.Writer, wfs []store.Workflow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  WORKFLOW\tSTATUS\tSHEET\tROWS")
	for _, wf := range wfs {
		wf, err := a.store.Workflows().Get(e.ctx, wf.ID) // as the runs left it
		if err != nil {
			return environment(err)
		}
		sheetName, rows := "-", "-"
		if def, err := workflow.Parse([]byte(wf.Document)); def != nil && err == nil {
			sheetName = def.Sheet
			if sh, err := sheet.Open(e.ctx, a.store, def.Sheet); err == nil {
				n, err := sh.Count(e.ctx, a.store, sheet.Query{})
				if err != nil {
					return environment(err)
				}
				rows = fmt.Sprint(n)
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", wf.Name, wf.State.Status, sheetName, rows)
	}
	return tw.Flush()
}
