package store

import (
	"context"
	"fmt"
	"time"
)

// EndedSince returns the runs that ended at or after t, by end time then
// id: what the sync metrics add up on each scrape.
func (r Runs) EndedSince(ctx context.Context, t time.Time) ([]Run, error) {
	runs, err := r.list(ctx, `WHERE ended_at >= $1 ORDER BY ended_at, id`, dbTime(t))
	if err != nil {
		return nil, fmt.Errorf("listing the runs ended since %s: %w", t.Format(time.RFC3339), err)
	}
	return runs, nil
}

// CountSince counts, per workflow, the conflicts met at or after t.
func (r Conflicts) CountSince(ctx context.Context, t time.Time) (map[int64]int64, error) {
	out := map[int64]int64{}
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT workflow_id, COUNT(*) FROM sync_conflicts WHERE created_at >= $1 GROUP BY workflow_id`, dbTime(t))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, n int64
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			out[id] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("counting the conflicts met since %s: %w", t.Format(time.RFC3339), err)
	}
	return out, nil
}

// Depths counts the entries waiting in the outbox, per sheet name in lower
// case (sheet names are unique ignoring case).
func (r Outbox) Depths(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT lower(s.name), COUNT(*) FROM outbox o JOIN sheets s ON s.id = o.sheet_id GROUP BY lower(s.name)`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				name string
				n    int64
			)
			if err := rows.Scan(&name, &n); err != nil {
				return err
			}
			out[name] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("counting the outbox entries per sheet: %w", err)
	}
	return out, nil
}
