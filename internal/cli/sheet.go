package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

type sheetCmd struct {
	List   sheetListCmd   `cmd:"" help:"List the sheets with their row counts."`
	Show   sheetShowCmd   `cmd:"" help:"Show the first rows of a sheet."`
	Export sheetExportCmd `cmd:"" help:"Export a sheet as CSV or JSON."`
	Edit   sheetEditCmd   `cmd:"" help:"Change cells of one row, as a user: the change is sent to Salesforce."`
	Add    sheetAddCmd    `cmd:"" help:"Add a row, as a user: a workflow that creates records sends it to Salesforce."`
}

type sheetListCmd struct {
	dataFlags
}

func (c *sheetListCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	sheets, err := sheet.List(e.ctx, a.store)
	if err != nil {
		return environment(err)
	}
	if len(sheets) == 0 {
		fmt.Fprintln(e.stdout, "no sheets yet: a workflow creates its sheet on its first run (sfbridge workflow run NAME --once)")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROWS\tCOLUMNS\tUPDATED")
	for _, sh := range sheets {
		n, err := sh.Count(e.ctx, a.store, sheet.Query{})
		if err != nil {
			return environment(err)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", sh.Name, n, len(sh.Columns), sh.UpdatedAt.Local().Format(time.DateTime))
	}
	return tw.Flush()
}

type sheetShowCmd struct {
	dataFlags
	Name  string `arg:"" help:"The sheet."`
	Limit int    `help:"How many rows to show." default:"20"`
}

// maxCell is the widest a value is shown in a table; export gives it whole.
const maxCell = 40

func (c *sheetShowCmd) Run(e *env) error {
	if c.Limit < 1 {
		return invalid(fmt.Errorf("--limit %d: show at least one row", c.Limit))
	}
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	sh, err := a.sheet(e, c.Name)
	if err != nil {
		return err
	}
	total, err := sh.Count(e.ctx, a.store, sheet.Query{})
	if err != nil {
		return environment(err)
	}
	page, err := sh.List(e.ctx, a.store, sheet.Query{Limit: c.Limit})
	if err != nil {
		return environment(err)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	head := []string{"ID", "SALESFORCE ID", "STATUS"}
	for _, col := range sh.Columns {
		head = append(head, col.Name)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range page.Rows {
		cells := []string{strconv.FormatInt(r.ID, 10), orDash(r.SFID), string(r.Status)}
		for _, v := range r.Values {
			cells = append(cells, cellText(v))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d of %d rows\n", len(page.Rows), total)
	return nil
}

// cellText renders a value of sheet.Row.Values on one line of a table.
func cellText(v any) string {
	var s string
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		s = v
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(v)
	case []string:
		s = strings.Join(v, ";")
	default:
		b, err := json.Marshal(v)
		if err != nil {
			s = fmt.Sprint(v)
		} else {
			s = string(b)
		}
	}
	s = strings.Join(strings.Fields(s), " ") // one line, no tabs
	if utf8.RuneCountInString(s) > maxCell {
		s = string([]rune(s)[:maxCell-1]) + "…"
	}
	return s
}

type sheetExportCmd struct {
	dataFlags
	Name   string `arg:"" help:"The sheet."`
	Format string `help:"csv or json." enum:"csv,json" required:""`
	Output string `help:"File to write; default standard output." short:"o" placeholder:"FILE"`
}

func (c *sheetExportCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	sh, err := a.sheet(e, c.Name)
	if err != nil {
		return err
	}
	export := sh.ExportCSV
	if c.Format == "json" {
		export = sh.ExportJSON
	}
	write := func(w io.Writer) (int64, error) { return export(e.ctx, a.store, w, sheet.Query{}) }
	if c.Output == "" {
		_, err := write(e.stdout)
		return environment(err)
	}
	n, err := writeFileAtomic(c.Output, write)
	if err != nil {
		return environment(fmt.Errorf("exporting sheet %q: %w", sh.Name, err))
	}
	fmt.Fprintf(e.stderr, "exported %d rows of sheet %q to %s\n", n, sh.Name, c.Output)
	return nil
}

// writeFileAtomic writes path through a temporary file renamed over it once
// complete, so that a failed export never leaves half a file.
func writeFileAtomic(path string, write func(io.Writer) (int64, error)) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	n, err := write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	return n, err
}

// sheet opens the sheet named name.
func (a *app) sheet(e *env, name string) (*sheet.Sheet, error) {
	sh, err := sheet.Open(e.ctx, a.store, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid(fmt.Errorf("no sheet named %q in %s: sfbridge sheet list shows the sheets", name, a.cfg.DataDir))
	}
	if err != nil {
		return nil, environment(err)
	}
	return sh, nil
}

// setFlags are the cells a user writes: --set column=value, repeatable, and
// who writes them.
type setFlags struct {
	Set []string `help:"A cell to write, as COLUMN=VALUE (an empty VALUE clears it); repeat for more cells." placeholder:"COLUMN=VALUE" required:"" sep:"none"`
	By  string   `help:"Who the change is made for, as the outbox records it; default cli:$USER." placeholder:"NAME"`
}

// batch parses the --set flags into a one-row batch made for the acting
// user, checking each column exists.
func (f setFlags) batch(e *env, sh *sheet.Sheet, in sheet.Input) (sheet.Batch, error) {
	b := sheet.Batch{Origin: sheet.OriginUser, Actor: actor(e, f.By)}
	for _, kv := range f.Set {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return b, invalid(fmt.Errorf("--set %q: write COLUMN=VALUE, e.g. --set phone=0142685300", kv))
		}
		col, ok := sh.Column(name)
		if !ok || strings.HasPrefix(col.Ident, "_") {
			return b, invalid(fmt.Errorf("--set %q: sheet %q has no column %q to edit; its columns: %s", kv, sh.Name, name, userColumns(sh)))
		}
		if slices.Contains(b.Columns, col.Name) {
			return b, invalid(fmt.Errorf("--set %q: column %q is set twice", kv, col.Name))
		}
		b.Columns = append(b.Columns, col.Name)
		var v any // empty clears the cell
		if value != "" {
			v = value
		}
		in.Values = append(in.Values, v)
	}
	b.Rows = []sheet.Input{in}
	return b, nil
}

// userColumns lists the names of a sheet's user columns.
func userColumns(sh *sheet.Sheet) string {
	var names []string
	for _, c := range sh.Columns {
		if !strings.HasPrefix(c.Ident, "_") {
			names = append(names, c.Name)
		}
	}
	return strings.Join(names, ", ")
}

// writeError marks an error of a user's write: invalid values (exit 2),
// naming the row as the user knows it (where), or the environment's.
func writeError(err error, where string) error {
	var ve *sheet.ValidationError
	if !errors.As(err, &ve) {
		return environment(err)
	}
	msgs := make([]string, len(ve.Errors))
	for i, v := range ve.Errors {
		msgs[i] = fmt.Sprintf("%s, column %q (%s): %s %s", where, v.Column, v.Type, v.Value, v.Reason)
	}
	return invalid(fmt.Errorf("nothing was written: %s", strings.Join(msgs, "; ")))
}

type sheetEditCmd struct {
	dataFlags
	setFlags
	Name string `arg:"" help:"The sheet."`
	Row  int64  `help:"The row to change, by its id (the ID column of sfbridge sheet show)." xor:"row" required:""`
	SFID string `name:"sfid" help:"The row to change, by the Salesforce ID of its record." xor:"row" required:"" placeholder:"ID"`
}

func (c *sheetEditCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	sh, err := a.sheet(e, c.Name)
	if err != nil {
		return err
	}
	var r *sheet.Row
	where := fmt.Sprintf("row %d", c.Row)
	if c.SFID != "" {
		where = "row with Salesforce ID " + c.SFID
		r, err = sh.BySFID(e.ctx, a.store, c.SFID)
	} else {
		r, err = sh.Get(e.ctx, a.store, c.Row)
	}
	if errors.Is(err, store.ErrNotFound) || err == nil && r.Status == sheet.StatusDeleted {
		return invalid(fmt.Errorf("sheet %q has no %s: sfbridge sheet show %s lists the rows with their ids", sh.Name, where, sh.Name))
	}
	if err != nil {
		return environment(err)
	}
	b, err := c.batch(e, sh, sheet.Input{ID: r.ID})
	if err != nil {
		return err
	}
	if err := a.warnUnsent(e, sh, b.Columns); err != nil {
		return err
	}
	res, err := sh.Update(e.ctx, a.store, b)
	if err != nil {
		return writeError(err, fmt.Sprintf("row %d", r.ID))
	}
	if res.Unchanged == 1 {
		fmt.Fprintf(e.stdout, "row %d of sheet %q already had these values\n", r.ID, sh.Name)
		return nil
	}
	fmt.Fprintf(e.stdout, "row %d of sheet %q changed; pending until the outbound writer sends it (sfbridge sheet show %s)\n", r.ID, sh.Name, sh.Name)
	return nil
}

type sheetAddCmd struct {
	dataFlags
	setFlags
	Name string `arg:"" help:"The sheet."`
}

func (c *sheetAddCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	sh, err := a.sheet(e, c.Name)
	if err != nil {
		return err
	}
	b, err := c.batch(e, sh, sheet.Input{})
	if err != nil {
		return err
	}
	if err := a.warnUnsent(e, sh, b.Columns); err != nil {
		return err
	}
	ids, _, err := sh.Insert(e.ctx, a.store, b)
	if err != nil {
		return writeError(err, "the new row")
	}
	fmt.Fprintf(e.stdout, "row %d added to sheet %q; pending until the outbound writer sends it (sfbridge sheet show %s)\n", ids[0], sh.Name, sh.Name)
	return nil
}

// warnUnsent warns, on stderr, about the columns no workflow of the sheet
// sends to Salesforce (read-only lines such as an owner's name, the
// inbound sync's own columns, a sheet no workflow writes from): the edit
// is kept in the sheet only, until the next change of the record
// overwrites it. A workflow whose document no longer parses counts as
// sending nothing.
func (a *app) warnUnsent(e *env, sh *sheet.Sheet, columns []string) error {
	uses, err := syncer.ReadSheetUses(e.ctx, a.store)
	if err != nil {
		return environment(err)
	}
	for _, c := range uses.Of(sh.Name).Unsent(columns) {
		fmt.Fprintf(e.stderr, "warning: no workflow sends column %q of sheet %q to Salesforce: the change stays in the sheet\n", c, sh.Name)
	}
	return nil
}
