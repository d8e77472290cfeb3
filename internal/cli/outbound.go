package cli

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// ExitDiffers is the exit code of sfbridge workflow verify when the sheet
// and Salesforce differ.
const ExitDiffers = 4

type deadletterCmd struct {
	List    deadletterListCmd    `cmd:"" help:"List the changes Salesforce refused for good, with its error and what to do."`
	Requeue deadletterRequeueCmd `cmd:"" help:"Send dead letters again (after fixing the row or the workflow)."`
	Discard deadletterDiscardCmd `cmd:"" help:"Drop dead letters: their changes are not sent."`
}

type deadletterListCmd struct {
	dataFlags
	Workflow string `help:"Only the dead letters of this workflow." placeholder:"NAME"`
	Limit    int    `help:"At most this many." default:"100"`
}

func (c *deadletterListCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	var f store.DeadLetterFilter
	if c.Workflow != "" {
		wf, err := a.workflow(e.ctx, c.Workflow)
		if err != nil {
			return err
		}
		f.WorkflowID = wf.ID
	}
	dls, err := a.store.DeadLetters().List(e.ctx, f, 0, max(c.Limit, 1))
	if err != nil {
		return environment(err)
	}
	if len(dls) == 0 {
		fmt.Fprintln(e.stdout, "no dead letters")
		return nil
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSHEET\tROW\tOP\tRECORD\tERROR\tATTEMPTS\tLAST FAILED\tADVICE")
	for _, dl := range dls {
		sh, err := sheet.Get(e.ctx, a.store, dl.SheetID)
		name := fmt.Sprint(dl.SheetID)
		if err == nil {
			name = sh.Name
		}
		code := dl.Code
		if len(dl.Fields) > 0 {
			code += " (" + strings.Join(dl.Fields, ", ") + ")"
		}
		fmt.Fprintf(w, "%d\t%s\t%d\t%s\t%s\t%s\t%d\t%s\t%s\n", dl.ID, name, dl.RowID, dl.Op, cmp.Or(dl.SFID, "-"), code, dl.Attempts,
			dl.LastFailedAt.Local().Format(time.DateTime), dl.Advice)
	}
	return w.Flush()
}

type deadletterRequeueCmd struct {
	dataFlags
	IDs []int64 `arg:"" name:"id" help:"The dead letters (sfbridge deadletter list shows their IDs)."`
	By  string  `help:"Who asks, for the history (default the user running the command)." placeholder:"NAME"`
}

func (c *deadletterRequeueCmd) Run(e *env) error {
	return eachDeadLetter(e, c.dataFlags, c.IDs, "requeued", func(a *app, sh *sheet.Sheet, id int64) error {
		return sh.Requeue(e.ctx, a.store, id, actor(e, c.By))
	})
}

type deadletterDiscardCmd struct {
	dataFlags
	IDs []int64 `arg:"" name:"id" help:"The dead letters (sfbridge deadletter list shows their IDs)."`
	By  string  `help:"Who decides, for the history (default the user running the command)." placeholder:"NAME"`
}

func (c *deadletterDiscardCmd) Run(e *env) error {
	return eachDeadLetter(e, c.dataFlags, c.IDs, "discarded", func(a *app, sh *sheet.Sheet, id int64) error {
		return sh.Discard(e.ctx, a.store, id, actor(e, c.By))
	})
}

// eachDeadLetter applies do to each dead letter, with its sheet.
func eachDeadLetter(e *env, d dataFlags, ids []int64, done string, do func(*app, *sheet.Sheet, int64) error) error {
	a, err := d.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	for _, id := range ids {
		dl, err := a.store.DeadLetters().Get(e.ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return invalid(fmt.Errorf("no dead letter %d: sfbridge deadletter list shows them", id))
		}
		if err != nil {
			return environment(err)
		}
		sh, err := sheet.Get(e.ctx, a.store, dl.SheetID)
		if err != nil {
			return environment(err)
		}
		if err := do(a, sh, id); err != nil {
			return environment(err)
		}
		fmt.Fprintf(e.stdout, "dead letter %d (row %d of sheet %q) %s\n", id, dl.RowID, sh.Name, done)
	}
	return nil
}

// actor is who a command acts for: --by, or the user running it.
func actor(e *env, by string) string {
	if by != "" {
		return by
	}
	if u, ok := e.lookupEnv("USER"); ok && u != "" {
		return "cli:" + u
	}
	return "cli"
}

type conflictCmd struct {
	List    conflictListCmd    `cmd:"" help:"List the fields changed both in a sheet and in Salesforce, open ones first."`
	Resolve conflictResolveCmd `cmd:"" help:"Settle an open conflict: keep the sheet's value, Salesforce's, or another."`
}

type conflictListCmd struct {
	dataFlags
	Workflow string `help:"Only the conflicts of this workflow." placeholder:"NAME"`
	All      bool   `help:"Show the conflicts settled too (by a policy or a person), not only the open ones."`
	Limit    int    `help:"At most this many." default:"100"`
}

func (c *conflictListCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	f := store.ConflictFilter{OpenOnly: !c.All}
	if c.Workflow != "" {
		wf, err := a.workflow(e.ctx, c.Workflow)
		if err != nil {
			return err
		}
		f.WorkflowID = wf.ID
	}
	cs, err := a.store.Conflicts().List(e.ctx, f, 0, max(c.Limit, 1))
	if err != nil {
		return environment(err)
	}
	if len(cs) == 0 {
		fmt.Fprintln(e.stdout, "no conflicts")
		return nil
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tROW\tRECORD\tFIELD\tCOLUMN\tSHEET\tSALESFORCE\tBASE\tPOLICY\tRESOLVED")
	for _, cf := range cs {
		resolved := "open"
		if !cf.Open() {
			resolved = fmt.Sprintf("%s by %s: %s", cf.Resolution, cf.ResolvedBy, jsonText(cf.ResolvedValue))
		}
		fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cf.ID, cf.RowID, cf.SFID, cf.Field, cf.Column,
			jsonText(cf.SheetValue), jsonText(cf.SalesforceValue), jsonText(cf.BaseValue), cf.Policy, resolved)
	}
	return w.Flush()
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

type conflictResolveCmd struct {
	dataFlags
	ID    int64  `arg:"" help:"The conflict (sfbridge conflict list shows their IDs)."`
	Keep  string `help:"Which value to keep: sheet or salesforce." enum:"sheet,salesforce," default:""`
	Value string `help:"Keep this value instead (as the column takes it: text, a number, true/false ...)." placeholder:"VALUE"`
	By    string `help:"Who decides, for the history (default the user running the command)." placeholder:"NAME"`
}

func (c *conflictResolveCmd) Run(e *env) error {
	var (
		how   store.Resolution
		value any
	)
	switch {
	case c.Keep != "" && c.Value != "":
		return invalid(errors.New("give --keep or --value, not both"))
	case c.Keep == "sheet":
		how = store.ResolvedSheet
	case c.Keep == "salesforce":
		how = store.ResolvedSalesforce
	case c.Value != "":
		how, value = store.ResolvedWithNewValue, c.Value
	default:
		return invalid(errors.New("say which value to keep: --keep sheet, --keep salesforce, or --value VALUE"))
	}
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	cf, err := a.store.Conflicts().Get(e.ctx, c.ID)
	if errors.Is(err, store.ErrNotFound) {
		return invalid(fmt.Errorf("no conflict %d: sfbridge conflict list shows them", c.ID))
	}
	if err != nil {
		return environment(err)
	}
	sh, err := sheet.Get(e.ctx, a.store, cf.SheetID)
	if err != nil {
		return environment(err)
	}
	if err := syncer.ResolveConflict(e.ctx, a.store, sh, c.ID, how, value, actor(e, c.By)); err != nil {
		if errors.Is(err, store.ErrConflict) || errors.Is(err, sheet.ErrInvalidValue) {
			return invalid(err)
		}
		return environment(err)
	}
	fmt.Fprintf(e.stdout, "conflict %d on %s of row %d resolved (%s); the row is sent again\n", c.ID, cf.Column, cf.RowID, how)
	return nil
}

type workflowVerifyCmd struct {
	dataFlags
	Name string `arg:"" help:"The workflow."`
}

func (c *workflowVerifyCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	wf, err := a.workflow(e.ctx, c.Name)
	if err != nil {
		return err
	}
	client, err := a.connector().Client(e.ctx, wf.OrgID, wf.OwnerID)
	if err != nil {
		return environment(err)
	}
	b := newBinder(a)
	in, sink, err := b.Bind(e.ctx, wf, client)
	if err != nil {
		return environment(err)
	}
	out, sh, err := b.BindOutbound(e.ctx, wf, client)
	if err != nil {
		return environment(err)
	}
	if ss, ok := sink.(*syncer.SheetSink); ok {
		sh = ss.Sheet
	}
	rep, err := syncer.Verify(e.ctx, syncer.VerifyOptions{Client: client, Store: a.store, Sheet: sh, Inbound: in, Outbound: out})
	if err != nil {
		return environment(err)
	}
	for _, d := range rep.Differences {
		fmt.Fprintln(e.stdout, d)
	}
	if !rep.Converged() {
		return withCode(ExitDiffers, fmt.Errorf("workflow %q: %d %s between %d rows and %d records",
			wf.Name, len(rep.Differences), plural(len(rep.Differences), "difference"), rep.Rows, rep.Records))
	}
	fmt.Fprintf(e.stdout, "workflow %q: converged: %d rows, %d records, no difference\n", wf.Name, rep.Rows, rep.Records)
	return nil
}
