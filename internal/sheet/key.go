package sheet

import (
	"context"
	"fmt"

	"github.com/sfbridge/sfbridge/internal/store"
)

// Index maps each value of a user column, as text (as ExportCSV writes
// it), to the ids of the rows that hold it, in id order: for matching rows
// by a key column, such as an import does, with one read of the sheet.
// Rows deleted here are left out, and so are empty values.
func (sh *Sheet) Index(ctx context.Context, sc store.Scope, column string) (map[string][]int64, error) {
	i := sh.columnIndex(column)
	if i < 0 {
		return nil, fmt.Errorf("indexing sheet %q: %w: %q; the sheet has %s", sh.Name, ErrUnknownColumn, column, sh.columnNames())
	}
	c := &sh.Columns[i]
	out := map[string][]int64{}
	err := sh.Rows(ctx, sc, Query{}, func(r *Row) error {
		if t := c.text(r.Values[i]); t != "" {
			out[t] = append(out[t], r.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// KeyText returns v, in any form the column takes, as the text Index keys
// its rows by; a *ValueError when v does not fit the column.
func (sh *Sheet) KeyText(column string, v any) (string, error) {
	i := sh.columnIndex(column)
	if i < 0 {
		return "", fmt.Errorf("%w: %q; the sheet %q has %s", ErrUnknownColumn, column, sh.Name, sh.columnNames())
	}
	c := &sh.Columns[i]
	stored, reason := c.encode(v)
	if !reason.fits() {
		return "", reason.at(c, v)
	}
	canonical, err := c.decode(stored)
	if err != nil {
		return "", fmt.Errorf("column %q: %w", c.Name, err)
	}
	return c.text(canonical), nil
}
