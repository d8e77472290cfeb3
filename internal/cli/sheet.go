package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

type sheetCmd struct {
	List   sheetListCmd   `cmd:"" help:"List the sheets with their row counts."`
	Show   sheetShowCmd   `cmd:"" help:"Show the first rows of a sheet."`
	Export sheetExportCmd `cmd:"" help:"Export a sheet as CSV or JSON."`
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
