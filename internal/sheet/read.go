package sheet

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

// Op is a filter operator.
type Op string

// Filter operators.
const (
	OpEq       Op = "eq"        // equal
	OpNe       Op = "ne"        // not equal, or empty
	OpLt       Op = "lt"        // less than
	OpLe       Op = "le"        // less than or equal
	OpGt       Op = "gt"        // greater than
	OpGe       Op = "ge"        // greater than or equal
	OpContains Op = "contains"  // text contains the value, ignoring case
	OpEmpty    Op = "empty"     // no value
	OpNotEmpty Op = "not_empty" // a value
)

// Condition is one filter: a column (user or system: "Salesforce ID", "Sync
// Status", "Last Error", "Written By", "Created At", "Updated At"), an
// operator and a value in any form the column accepts.
type Condition struct {
	Column string
	Op     Op
	Value  any
}

// Query selects rows: those matching every condition and in one of the
// statuses, after AfterID, in row id order, at most Limit.
type Query struct {
	Where   []Condition
	Status  []Status // empty: any status but deleted
	AfterID int64    // only rows with a greater id: pass a page's Next to get the following one
	Limit   int      // 0: no limit (List uses DefaultLimit)
}

// DefaultLimit is the page size of List when the query sets none.
const DefaultLimit = 100

// Page is a page of rows.
type Page struct {
	Rows []*Row
	Next int64 // the AfterID of the next page; 0 when this is the last
}

// where builds the WHERE clause and its arguments.
func (sh *Sheet) where(d store.Dialect, q Query) (string, []any, error) {
	var (
		conds []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return param(len(args))
	}
	for _, c := range q.Where {
		cond, err := sh.condition(d, c, arg)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, cond)
	}
	if len(q.Status) > 0 {
		var ps []string
		for _, s := range q.Status {
			if !slices.Contains(Statuses, s) {
				return "", nil, fmt.Errorf("%w: unknown status %q; use %s", ErrInvalidQuery, s, quoteList(statusValues(), len(Statuses)))
			}
			ps = append(ps, arg(string(s)))
		}
		conds = append(conds, store.QuoteIdent(colStatus)+" IN ("+strings.Join(ps, ", ")+")")
	} else {
		conds = append(conds, store.QuoteIdent(colStatus)+" <> '"+string(StatusDeleted)+"'")
	}
	if q.AfterID > 0 {
		conds = append(conds, store.QuoteIdent(colID)+" > "+arg(q.AfterID))
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

func (sh *Sheet) condition(d store.Dialect, c Condition, arg func(any) string) (string, error) {
	var col Column
	if i := sh.columnIndex(c.Column); i >= 0 {
		col = sh.Columns[i]
	} else if sc, ok := systemByName(c.Column); ok && sc.filterable {
		col = sc.Column
	} else {
		return "", fmt.Errorf("%w: cannot filter on %q; the sheet %q has %s, and the system columns \"Salesforce ID\", \"Sync Status\", \"Last Error\", \"Written By\", \"Created At\", \"Updated At\"",
			ErrUnknownColumn, c.Column, sh.Name, sh.columnNames())
	}
	bad := func(why string) error {
		return fmt.Errorf("%w: filter %s on column %q (%s): %s", ErrInvalidQuery, c.Op, col.Name, col.Type, why)
	}
	ident := store.QuoteIdent(col.Ident)
	textLike := col.Type.storage() == store.TypeText || col.Type == TypeAddress
	switch c.Op {
	case OpEmpty, OpNotEmpty:
		if c.Value != nil {
			return "", bad("takes no value")
		}
		cond := ident + " IS NULL"
		if textLike {
			cond = "(" + cond + " OR " + ident + " = '')"
		}
		if c.Op == OpNotEmpty {
			cond = "NOT " + cond
		}
		return cond, nil
	case OpContains:
		s, ok := c.Value.(string)
		if !textLike || !ok || s == "" {
			return "", bad("applies to text-like columns, with a non-empty string")
		}
		return d.ContainsFold(ident, arg(store.EscapeLike(s))), nil
	}
	if c.Value == nil {
		return "", bad(fmt.Sprintf("needs a value; to find rows without one, use %q", OpEmpty))
	}
	v, reason := col.encode(c.Value)
	if !reason.fits() {
		return "", fmt.Errorf("filter %s: %w", c.Op, reason.at(&col, c.Value))
	}
	ordered := col.Type.isNumber() || col.Type == TypeDate || col.Type == TypeDateTime || col.Type == TypeTime || col.Type.storage() == store.TypeText
	switch c.Op {
	case OpEq:
		if col.Type == TypeAddress {
			return "", bad("addresses compare with contains")
		}
		return ident + " = " + arg(v), nil
	case OpNe:
		if col.Type == TypeAddress {
			return "", bad("addresses compare with contains")
		}
		return ident + " IS DISTINCT FROM " + arg(v), nil
	case OpLt, OpLe, OpGt, OpGe:
		if !ordered {
			return "", bad("values of this type have no order")
		}
		sym := map[Op]string{OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">="}[c.Op]
		return ident + " " + sym + " " + arg(v), nil
	}
	return "", bad(`unknown operator; use eq, ne, lt, le, gt, ge, contains, empty or not_empty`)
}

// selectList is the column list rows are read with: the system columns,
// then the user columns.
func (sh *Sheet) selectList() string {
	q := store.QuoteIdent
	cols := []string{q(colID), q(colSFID), q(colStatus), q(colError), q(colWrittenBy), q(colCreatedAt), q(colUpdatedAt)}
	for _, c := range sh.Columns {
		cols = append(cols, q(c.Ident))
	}
	return strings.Join(cols, ", ")
}

// Rows calls fn for each row the query selects, in row id order, streaming
// them from one read transaction: memory does not grow with the number of
// rows. fn's error stops the iteration and is returned.
func (sh *Sheet) Rows(ctx context.Context, sc store.Scope, q Query, fn func(*Row) error) error {
	err := sc.Read(ctx, func(tx *store.Tx) error {
		where, args, err := sh.where(tx.Dialect(), q)
		if err != nil {
			return err
		}
		query := "SELECT " + sh.selectList() + " FROM " + store.QuoteIdent(sh.Table) + where + " ORDER BY " + store.QuoteIdent(colID)
		if q.Limit > 0 {
			query += " LIMIT " + param(len(args)+1)
			args = append(args, q.Limit)
		}
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		return sh.scanRows(rows, fn)
	})
	if err != nil {
		return fmt.Errorf("reading sheet %q: %w", sh.Name, err)
	}
	return nil
}

// scanRows calls fn for each row of the result of a query of selectList,
// and closes it.
func (sh *Sheet) scanRows(rows *store.Rows, fn func(*Row) error) error {
	defer rows.Close()
	raw := make([]any, 7+len(sh.Columns))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		r, err := sh.decodeRow(raw)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// decodeRow builds a Row from the values of selectList.
func (sh *Sheet) decodeRow(raw []any) (*Row, error) {
	r := &Row{Values: make([]any, len(sh.Columns))}
	id, ok := raw[0].(int64)
	if !ok {
		return nil, fmt.Errorf("the row id is a %T", raw[0])
	}
	r.ID = id
	r.SFID, r.Status, r.Error, r.WrittenBy = dbText(raw[1]), Status(dbText(raw[2])), dbText(raw[3]), Origin(dbText(raw[4]))
	var err error
	if r.CreatedAt, err = instant(raw[5]); err != nil {
		return nil, fmt.Errorf("row %d: created at: %w", r.ID, err)
	}
	if r.UpdatedAt, err = instant(raw[6]); err != nil {
		return nil, fmt.Errorf("row %d: updated at: %w", r.ID, err)
	}
	for i := range sh.Columns {
		c := &sh.Columns[i]
		if r.Values[i], err = c.decode(raw[7+i]); err != nil {
			return nil, fmt.Errorf("row %d, column %q: %w", r.ID, c.Name, err)
		}
	}
	return r, nil
}

// dbText returns a text value from the database ("" for NULL; the
// columns it reads are text by their type and checks).
func dbText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

// instant reads a system timestamp: canonical text, or a time.Time from
// engines with native timestamps.
func instant(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case string:
		return time.Parse(dateTimeLayout, x)
	}
	return time.Time{}, fmt.Errorf("a %T is not a timestamp", v)
}

// List returns one page of the rows the query selects: at most q.Limit
// (DefaultLimit when 0), and the AfterID of the next page.
func (sh *Sheet) List(ctx context.Context, sc store.Scope, q Query) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	q.Limit = limit + 1 // one more tells whether a next page exists
	var p Page
	err := sh.Rows(ctx, sc, q, func(r *Row) error {
		p.Rows = append(p.Rows, r)
		return nil
	})
	if err != nil {
		return Page{}, err
	}
	if len(p.Rows) > limit {
		p.Rows = p.Rows[:limit]
		p.Next = p.Rows[limit-1].ID
	}
	return p, nil
}

// Count returns how many rows the query selects (Limit and AfterID apply).
func (sh *Sheet) Count(ctx context.Context, sc store.Scope, q Query) (int64, error) {
	var n int64
	err := sc.Read(ctx, func(tx *store.Tx) error {
		where, args, err := sh.where(tx.Dialect(), q)
		if err != nil {
			return err
		}
		query := "SELECT COUNT(*) FROM " + store.QuoteIdent(sh.Table) + where
		if q.Limit > 0 {
			query = "SELECT COUNT(*) FROM (SELECT 1 FROM " + store.QuoteIdent(sh.Table) + where + " LIMIT " + param(len(args)+1) + ") AS limited"
			args = append(args, q.Limit)
		}
		return tx.QueryRow(ctx, query, args...).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("counting rows of sheet %q: %w", sh.Name, err)
	}
	return n, nil
}

// Get returns the row with the given id, whatever its status; the error
// wraps store.ErrNotFound when there is none.
func (sh *Sheet) Get(ctx context.Context, sc store.Scope, id int64) (*Row, error) {
	r, err := sh.first(ctx, sc, Query{AfterID: id - 1, Status: Statuses, Limit: 1})
	if err != nil {
		return nil, err
	}
	if r.ID != id {
		return nil, fmt.Errorf("reading row %d of sheet %q: %w", id, sh.Name, store.ErrNotFound)
	}
	return r, nil
}

// BySFID returns the row of a Salesforce record ID (15 or 18 characters),
// whatever its status (a row deleted here included: check Status); the
// error wraps store.ErrNotFound when there is none.
func (sh *Sheet) BySFID(ctx context.Context, sc store.Scope, sfid string) (*Row, error) {
	return sh.first(ctx, sc, Query{Where: []Condition{{Column: "Salesforce ID", Op: OpEq, Value: sfid}}, Status: Statuses, Limit: 1})
}

// first returns the first row the query selects, or an error wrapping
// store.ErrNotFound.
func (sh *Sheet) first(ctx context.Context, sc store.Scope, q Query) (*Row, error) {
	var found *Row
	err := sh.Rows(ctx, sc, q, func(r *Row) error {
		found = r
		return nil
	})
	if err == nil && found == nil {
		err = fmt.Errorf("reading sheet %q: %w", sh.Name, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return found, nil
}
