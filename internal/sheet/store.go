package sheet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sfbridge/sfbridge/internal/store"
)

// Create creates a sheet with its table and columns.
func Create(ctx context.Context, sc store.Scope, name string, cols []Column) (*Sheet, error) {
	if reason := checkName(name); reason != "" {
		return nil, fmt.Errorf("creating sheet %q: %w: the name %s", name, ErrInvalidName, reason)
	}
	var sh *Sheet
	err := sc.Write(ctx, func(tx *store.Tx) error {
		taken, err := tableNames(ctx, tx)
		if err != nil {
			return err
		}
		table := ident("sheet_", name, func(s string) bool { return taken[s] })
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO sheets (name, table_name, created_at, updated_at, capture_version) VALUES ($1, $2, $3, $3, $4) RETURNING id`,
			name, table, tx.Now(), captureVersion).Scan(&id); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("a sheet named %q already exists: %w", name, err)
			}
			return err
		}
		if err := createTable(ctx, tx, table); err != nil {
			return err
		}
		sh = &Sheet{ID: id, Name: name, Table: table, CreatedAt: tx.Now(), UpdatedAt: tx.Now()}
		sh, err = sh.addColumns(ctx, tx, cols)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("creating sheet %q: %w", name, err)
	}
	return sh, nil
}

// createTable creates a sheet's table with its system columns, and its
// index of unsynced rows (the ones the outbound side works on: few, since
// most rows are synced). Rows written by direct SQL get the defaults:
// pending, written by a user, timestamped now, at sync revision 0.
func createTable(ctx context.Context, tx *store.Tx, table string) error {
	d := tx.Dialect()
	text := d.ColumnType(store.TypeText)
	oneOf := func(col string, values []string) string {
		return fmt.Sprintf("CHECK (%s IN (%s))", store.QuoteIdent(col), sqlList(values))
	}
	timestamp := func(col string) string {
		return fmt.Sprintf("%s NOT NULL DEFAULT (%s) CHECK (%s)", d.ColumnType(store.TypeDateTime), d.Now(), d.ColumnCheck(store.TypeDateTime, store.QuoteIdent(col)))
	}
	defs := []struct{ col, def string }{
		{colID, d.RowIDColumn()},
		{colSFID, text + " UNIQUE"},
		{colStatus, text + " NOT NULL DEFAULT 'pending' " + oneOf(colStatus, statusValues())},
		{colError, text + " NOT NULL DEFAULT ''"},
		{colWrittenBy, text + " NOT NULL DEFAULT 'user' " + oneOf(colWrittenBy, []string{string(OriginSync), string(OriginUser)})},
		{colCreatedAt, timestamp(colCreatedAt)},
		{colUpdatedAt, timestamp(colUpdatedAt)},
		{colSyncRev, d.ColumnType(store.TypeInteger) + " NOT NULL DEFAULT 0"},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (", store.QuoteIdent(table))
	for i, c := range defs {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n\t%s %s", store.QuoteIdent(c.col), c.def)
	}
	b.WriteString("\n)" + d.TableOptions())
	if _, err := tx.Exec(ctx, b.String()); err != nil {
		return fmt.Errorf("creating table %s: %w", table, err)
	}
	if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE INDEX %s ON %s (%s) WHERE %[3]s <> 'synced'`,
		store.QuoteIdent(table+"_unsynced"), store.QuoteIdent(table), store.QuoteIdent(colStatus))); err != nil {
		return fmt.Errorf("indexing table %s: %w", table, err)
	}
	return nil
}

// columnOptions are the parts of a column definition kept as JSON.
type columnOptions struct {
	Length    int      `json:"length,omitempty"`
	Precision int      `json:"precision,omitempty"`
	Scale     int      `json:"scale,omitempty"`
	Values    []string `json:"values,omitempty"`
	Target    string   `json:"target,omitempty"`
}

// AddColumns adds columns to the sheet and its table (existing rows hold no
// value in them; checkboxes hold false) and returns the sheet as it now is.
// The change-capture triggers are re-created to cover the new columns.
func (sh *Sheet) AddColumns(ctx context.Context, sc store.Scope, cols ...Column) (*Sheet, error) {
	var out *Sheet
	err := sc.Write(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = sh.addColumns(ctx, tx, cols); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE sheets SET updated_at = $1 WHERE id = $2`, tx.Now(), sh.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("adding columns to sheet %q: %w", sh.Name, err)
	}
	return out, nil
}

func (sh *Sheet) addColumns(ctx context.Context, tx *store.Tx, cols []Column) (*Sheet, error) {
	out := *sh
	out.Columns = append([]Column(nil), sh.Columns...)
	out.UpdatedAt = tx.Now()
	for _, c := range cols {
		if err := c.check(); err != nil {
			return nil, err
		}
		if out.columnIndex(c.Name) >= 0 {
			return nil, fmt.Errorf("%w: the sheet already has a column named %q", ErrInvalidColumn, c.Name)
		}
		c.Type, _ = ParseType(string(c.Type))
		c.Values = append([]string(nil), c.Values...)
		c.Ident = ident("", c.Name, func(s string) bool {
			for _, o := range out.Columns {
				if o.Ident == s {
					return true
				}
			}
			return false
		})
		opts, err := json.Marshal(columnOptions{Length: c.Length, Precision: c.Precision, Scale: c.Scale, Values: c.Values, Target: c.Target})
		if err != nil {
			return nil, err
		}
		if err := addColumn(ctx, tx, out.Table, c); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sheet_columns (sheet_id, position, name, ident, type, options, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			out.ID, len(out.Columns)+1, c.Name, c.Ident, string(c.Type), string(opts), tx.Now()); err != nil {
			return nil, fmt.Errorf("recording column %q: %w", c.Name, err)
		}
		out.Columns = append(out.Columns, c)
	}
	if err := out.installCapture(ctx, tx); err != nil {
		return nil, err
	}
	return &out, nil
}

// addColumn adds the column c, whose identifier is chosen, to table.
func addColumn(ctx context.Context, tx *store.Tx, table string, c Column) error {
	d := tx.Dialect()
	q := store.QuoteIdent(c.Ident)
	def := q + " " + d.ColumnType(c.Type.storage())
	if c.Type == TypeCheckbox {
		def += " NOT NULL DEFAULT FALSE"
	}
	if check := d.ColumnCheck(c.Type.storage(), q); check != "" {
		def += " CHECK (" + check + ")"
	}
	if _, err := tx.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s ADD COLUMN %s`, store.QuoteIdent(table), def)); err != nil {
		return fmt.Errorf("adding column %q: %w", c.Name, err)
	}
	return nil
}

// Open returns the sheet with the given name, ignoring case; the error wraps
// store.ErrNotFound when there is none.
func Open(ctx context.Context, sc store.Scope, name string) (*Sheet, error) {
	sheets, err := load(ctx, sc, `WHERE lower(name) = lower($1)`, name)
	if err == nil && len(sheets) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("opening sheet %q: %w", name, err)
	}
	return sheets[0], nil
}

// Get returns the sheet with the given id.
func Get(ctx context.Context, sc store.Scope, id int64) (*Sheet, error) {
	sheets, err := load(ctx, sc, `WHERE id = $1`, id)
	if err == nil && len(sheets) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("opening sheet %d: %w", id, err)
	}
	return sheets[0], nil
}

// List returns every sheet, by name.
func List(ctx context.Context, sc store.Scope) ([]*Sheet, error) {
	sheets, err := load(ctx, sc, `ORDER BY lower(name)`)
	if err != nil {
		return nil, fmt.Errorf("listing sheets: %w", err)
	}
	return sheets, nil
}

// Drop deletes the sheet, its table and every row in it.
func (sh *Sheet) Drop(ctx context.Context, sc store.Scope) error {
	err := sc.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM sheets WHERE id = $1`, sh.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, store.ErrNotFound)
		}
		// The triggers go with the table, but what an engine made for them
		// (PostgreSQL's trigger functions) must be dropped too.
		d := tx.Dialect()
		stmts := []string{}
		for _, t := range sh.captureTriggers(d) {
			stmts = append(stmts, d.DropTrigger(t.Name, t.Table)...)
		}
		for _, s := range append(stmts, `DROP TABLE `+store.QuoteIdent(sh.Table)) {
			if _, err := tx.Exec(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("dropping sheet %q: %w", sh.Name, err)
	}
	return nil
}

func tableNames(ctx context.Context, tx *store.Tx) (map[string]bool, error) {
	rows, err := tx.Query(ctx, `SELECT table_name FROM sheets`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	taken := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		taken[s] = true
	}
	return taken, rows.Err()
}

func load(ctx context.Context, sc store.Scope, where string, args ...any) ([]*Sheet, error) {
	var sheets []*Sheet
	err := sc.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, name, table_name, created_at, updated_at FROM sheets `+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			sh := &Sheet{}
			if err := rows.Scan(&sh.ID, &sh.Name, &sh.Table, &sh.CreatedAt, &sh.UpdatedAt); err != nil {
				return err
			}
			sh.CreatedAt, sh.UpdatedAt = sh.CreatedAt.UTC(), sh.UpdatedAt.UTC()
			sheets = append(sheets, sh)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, sh := range sheets {
			if err := sh.loadColumns(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
	return sheets, err
}

func (sh *Sheet) loadColumns(ctx context.Context, tx *store.Tx) error {
	rows, err := tx.Query(ctx, `SELECT name, ident, type, options FROM sheet_columns WHERE sheet_id = $1 ORDER BY position`, sh.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			c         Column
			typ, opts string
			o         columnOptions
		)
		if err := rows.Scan(&c.Name, &c.Ident, &typ, &opts); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(opts), &o); err != nil {
			return fmt.Errorf("reading column %q of sheet %q: %w", c.Name, sh.Name, err)
		}
		c.Type, c.Length, c.Precision, c.Scale, c.Values, c.Target = Type(typ), o.Length, o.Precision, o.Scale, o.Values, o.Target
		sh.Columns = append(sh.Columns, c)
	}
	return rows.Err()
}

// sqlList renders strings as an SQL list of literals: 'a', 'b'. The values
// are constants of this package, without quotes.
func sqlList(vs []string) string {
	return "'" + strings.Join(vs, "', '") + "'"
}
