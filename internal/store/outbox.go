package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// ChangeOp is what happened to a row, or what must happen to its record.
type ChangeOp string

// Change operations.
const (
	OpInsert ChangeOp = "insert"
	OpUpdate ChangeOp = "update"
	OpDelete ChangeOp = "delete"
)

// WrittenBySQL is the WrittenBy of outbox entries appended by a sheet's
// triggers for a statement that did not come through sfbridge: someone's
// direct SQL.
const WrittenBySQL = "sql"

// OutboxEntry is one captured change of a sheet row. The sheet's triggers
// append entries in the transaction of the change; see package sheet.
type OutboxEntry struct {
	Seq     int64 // increasing, never reused
	SheetID int64
	RowID   int64
	Op      ChangeOp
	// Columns are the identifiers of the columns the change set: the
	// changed ones for an update, the non-empty ones for an insert, none
	// for a delete, or none for an update that asks for the whole row to
	// be sent again.
	Columns       []string
	WrittenBy     string    // WrittenBySQL, or who sfbridge wrote for (see Outbox.Attribute)
	CreatedAt     time.Time // the database's clock, to the millisecond
	InFlight      bool      // claimed by a writer whose lease has not expired
	Attempts      int       // failed attempts to send it
	NotBefore     time.Time // after a failure: not retried before; zero otherwise
	FirstFailedAt time.Time // zero before any failure
	LastError     string
}

// Change is the claimed, pending changes of one row, coalesced: what a
// writer sends to Salesforce in one go. A Change is only good for the claim
// that returned it: complete it, retry it or bury it before its lease ends.
type Change struct {
	SheetID int64
	RowID   int64
	Seqs    []int64 // the entries, oldest first
	// First and Last are the operations of the oldest and newest entries.
	First, Last ChangeOp
	// Columns is the union of the entries' columns, sorted; nil when an
	// update asked for the whole row to be sent again, or when there are
	// only deletes.
	Columns       []string
	WrittenBy     string    // of the newest entry
	CreatedAt     time.Time // of the oldest entry
	Attempts      int       // failed attempts so far: the most of any entry
	FirstFailedAt time.Time // of the first failed attempt; zero before any
	LastError     string    // of the last failed attempt

	claim int64 // the claim token
}

// ClaimOptions say what to claim.
type ClaimOptions struct {
	SheetID int64         // the sheet whose outbox entries to claim
	Limit   int           // at most this many rows; default 200 (an sObject Collections call)
	Lease   time.Duration // how long the claim holds; default 5 minutes
}

// Default claim settings.
const (
	DefaultClaimLimit = 200
	DefaultClaimLease = 5 * time.Minute
)

// OutboxStats describe a sheet's outbox.
type OutboxStats struct {
	Due       int64     // entries neither held nor waiting (those of a row being sent wait for it)
	Waiting   int64     // entries waiting to be retried
	InFlight  int64     // entries claimed by a writer
	NextRetry time.Time // when the first waiting entry becomes due; zero when none waits
}

// Outbox is the repository of captured local changes, bound to a Scope.
type Outbox struct{ sc Scope }

// Outbox returns the outbox repository, each call in its own transaction.
func (s *Store) Outbox() Outbox { return Outbox{s} }

// Outbox returns the outbox repository inside tx.
func (tx *Tx) Outbox() Outbox { return Outbox{tx} }

// joinColumns renders column identifiers as stored: comma-separated
// (identifiers have no commas).
func joinColumns(cols []string) string { return strings.Join(cols, ",") }

func splitColumns(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Append adds an entry for a change that no trigger recorded — a requeued
// dead letter, a change sfbridge decides to send again — and returns its
// sequence number. Seq, CreatedAt and the failure fields of e are ignored;
// WrittenBy defaults to "sfbridge".
func (r Outbox) Append(ctx context.Context, e OutboxEntry) (int64, error) {
	if e.WrittenBy == "" {
		e.WrittenBy = "sfbridge"
	}
	for _, c := range e.Columns {
		if c == "" || strings.Contains(c, ",") {
			return 0, fmt.Errorf("appending to the outbox: %w: column identifier %q is empty or has a comma", ErrInvalid, c)
		}
	}
	var seq int64
	err := r.sc.Write(ctx, func(tx *Tx) error {
		tx.SignalOutbox()
		return tx.QueryRow(ctx, `INSERT INTO outbox (sheet_id, row_id, op, columns, written_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq`,
			e.SheetID, e.RowID, string(e.Op), joinColumns(e.Columns), e.WrittenBy, tx.Now()).Scan(&seq)
	})
	if err != nil {
		return 0, fmt.Errorf("appending a change of row %d of sheet %d to the outbox: %w", e.RowID, e.SheetID, err)
	}
	return seq, nil
}

// Attribute sets WrittenBy of the entries above afterSeq that the triggers
// of a sheet appended as direct SQL: a write sfbridge made on someone's
// behalf reads the outbox's MaxSeq before it writes, then names who it wrote
// for, in the same transaction. It returns how many entries it changed.
func (r Outbox) Attribute(ctx context.Context, sheetID, afterSeq int64, writtenBy string) (int64, error) {
	if strings.TrimSpace(writtenBy) == "" {
		return 0, fmt.Errorf("attributing outbox entries: %w: who wrote them is empty", ErrInvalid)
	}
	var n int64
	err := r.sc.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE outbox SET written_by = $1 WHERE sheet_id = $2 AND seq > $3 AND written_by = $4`,
			writtenBy, sheetID, afterSeq, WrittenBySQL)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); n > 0 {
			tx.SignalOutbox()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("attributing outbox entries of sheet %d: %w", sheetID, err)
	}
	return n, nil
}

// MaxSeq returns the highest sequence number in the outbox, 0 when it is
// empty. Sequence numbers only grow, so a value above the last one seen
// means new entries; it is the cheap poll for changes made with direct SQL.
func (r Outbox) MaxSeq(ctx context.Context) (int64, error) {
	var n int64
	err := r.sc.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM outbox`).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("reading the outbox's last sequence number: %w", err)
	}
	return n, nil
}

// Claim takes the oldest pending changes of a sheet, coalesced per row, and
// holds them for opts.Lease. A row is claimed when one of its entries is due
// (never failed, or its retry time has come) and none is held by another
// claim; every entry of the row not held is then part of its Change. Changes
// come oldest first. Entries appended while a row is claimed wait for the
// claim to end. An expired claim is taken over: its holder can no longer
// complete, retry or bury it.
func (r Outbox) Claim(ctx context.Context, opts ClaimOptions) ([]Change, error) {
	if opts.Limit <= 0 {
		opts.Limit = DefaultClaimLimit
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultClaimLease
	}
	var changes []Change
	err := r.sc.Write(ctx, func(tx *Tx) error {
		changes = nil
		now := tx.Now()
		ids, err := dueRows(ctx, tx, opts.SheetID, now, opts.Limit)
		if err != nil || len(ids) == 0 {
			return err
		}
		token := rand.Int64N(1<<62) + 1
		args := []any{token, now.Add(opts.Lease), opts.SheetID, now}
		marks := make([]string, len(ids))
		for i, id := range ids {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		if _, err := tx.Exec(ctx, `UPDATE outbox SET claim = $1, claimed_until = $2
			WHERE sheet_id = $3 AND (claim IS NULL OR claimed_until <= $4) AND row_id IN (`+strings.Join(marks, ", ")+`)`, args...); err != nil {
			return err
		}
		entries, err := tx.Outbox().list(ctx, now, `WHERE claim = $1 ORDER BY seq`, token)
		if err != nil {
			return err
		}
		changes = coalesce(entries, token)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claiming outbox entries of sheet %d: %w", opts.SheetID, err)
	}
	return changes, nil
}

// dueRows returns up to limit rows of a sheet that have a due entry (not
// held by a live claim, not waiting for a retry) and no entry held by a
// live claim, in the order of their oldest due entry. It walks the entries
// in sequence order and stops at the limit.
func dueRows(ctx context.Context, tx *Tx, sheetID int64, now time.Time, limit int) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT o.row_id FROM outbox o
		WHERE o.sheet_id = $1 AND (o.claim IS NULL OR o.claimed_until <= $2) AND (o.not_before IS NULL OR o.not_before <= $2)
		AND NOT EXISTS (SELECT 1 FROM outbox h WHERE h.sheet_id = $1 AND h.row_id = o.row_id AND h.claim IS NOT NULL AND h.claimed_until > $2)
		ORDER BY o.seq`, sheetID, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	seen := map[int64]bool{}
	for len(ids) < limit && rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, rows.Err()
}

// coalesce groups entries (in seq order) by row, rows in the order of their
// oldest entry.
func coalesce(entries []OutboxEntry, token int64) []Change {
	var (
		changes []Change
		whole   []bool // an update of the whole row is among the entries
	)
	at := map[int64]int{}
	for _, e := range entries {
		i, ok := at[e.RowID]
		if !ok {
			i = len(changes)
			at[e.RowID] = i
			changes = append(changes, Change{SheetID: e.SheetID, RowID: e.RowID, First: e.Op, CreatedAt: e.CreatedAt, claim: token})
			whole = append(whole, false)
		}
		c := &changes[i]
		c.Seqs = append(c.Seqs, e.Seq)
		c.Last, c.WrittenBy = e.Op, e.WrittenBy
		c.Columns = append(c.Columns, e.Columns...)
		whole[i] = whole[i] || wholeRow(e.Op, e.Columns)
		c.Attempts = max(c.Attempts, e.Attempts)
		if e.LastError != "" {
			c.LastError = e.LastError
		}
		if !e.FirstFailedAt.IsZero() && (c.FirstFailedAt.IsZero() || e.FirstFailedAt.Before(c.FirstFailedAt)) {
			c.FirstFailedAt = e.FirstFailedAt
		}
	}
	for i := range changes {
		changes[i].Columns = sortedColumns(changes[i].Columns, whole[i])
	}
	return changes
}

// wholeRow reports whether a change asks for the whole row to be sent: an
// update that names no column.
func wholeRow(op ChangeOp, cols []string) bool { return op == OpUpdate && len(cols) == 0 }

// sortedColumns returns cols sorted without repeats, or nil for the whole
// row.
func sortedColumns(cols []string, whole bool) []string {
	if whole || len(cols) == 0 {
		return nil
	}
	slices.Sort(cols)
	return slices.Compact(cols)
}

// Complete deletes the entries of a change that was sent. It fails with
// ErrConflict when the claim was lost (its lease expired and another claim
// took the entries). Entries appended since the claim stay.
func (r Outbox) Complete(ctx context.Context, ch Change) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		return deleteClaimed(ctx, tx, ch)
	})
	if err != nil {
		return fmt.Errorf("completing the change of row %d of sheet %d: %w", ch.RowID, ch.SheetID, err)
	}
	return nil
}

// deleteClaimed deletes the entries of a change, which must all still be
// held by its claim.
func deleteClaimed(ctx context.Context, tx *Tx, ch Change) error {
	st, err := tx.Cached(ctx, `DELETE FROM outbox WHERE claim = $1 AND sheet_id = $2 AND row_id = $3`)
	if err != nil {
		return err
	}
	res, err := st.Exec(ctx, ch.claim, ch.SheetID, ch.RowID)
	return heldAll(res, err, len(ch.Seqs))
}

// heldAll checks that a statement over a claim's entries found every one.
func heldAll(res sql.Result, err error, want int) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != int64(want) || want == 0 {
		return fmt.Errorf("%w: the claim was lost (its lease expired and another writer took the change); leave the change to it", ErrConflict)
	}
	return nil
}

// Backoff returns how long to wait before the next attempt after attempts
// failed ones: 30 seconds, doubling each time, at most an hour.
func Backoff(attempts int) time.Duration {
	const first, most = 30 * time.Second, time.Hour
	d := first
	for i := 1; i < attempts && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

// Retry releases a change after a transient failure (a lock, a timeout, the
// API limit): its entries count one more failed attempt, keep reason, and
// are not claimed again before at — or, when at is zero, before the
// transaction's time plus Backoff of their attempts. It fails with
// ErrConflict when the claim was lost.
func (r Outbox) Retry(ctx context.Context, ch Change, reason string, at time.Time) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		if at.IsZero() {
			at = tx.Now().Add(Backoff(ch.Attempts + 1))
		}
		res, err := tx.Exec(ctx, `UPDATE outbox SET claim = NULL, claimed_until = NULL, attempts = attempts + 1,
			not_before = $1, last_error = $2, first_failed_at = COALESCE(first_failed_at, $3)
			WHERE claim = $4 AND sheet_id = $5 AND row_id = $6`,
			at.UTC(), reason, tx.Now(), ch.claim, ch.SheetID, ch.RowID)
		return heldAll(res, err, len(ch.Seqs))
	})
	if err != nil {
		return fmt.Errorf("releasing the change of row %d of sheet %d for a retry: %w", ch.RowID, ch.SheetID, err)
	}
	return nil
}

// Release gives a claimed change back untouched, as if it had not been
// claimed: for a writer that stops before sending it. It fails with
// ErrConflict when the claim was lost.
func (r Outbox) Release(ctx context.Context, ch Change) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE outbox SET claim = NULL, claimed_until = NULL WHERE claim = $1 AND sheet_id = $2 AND row_id = $3`,
			ch.claim, ch.SheetID, ch.RowID)
		return heldAll(res, err, len(ch.Seqs))
	})
	if err != nil {
		return fmt.Errorf("releasing the change of row %d of sheet %d: %w", ch.RowID, ch.SheetID, err)
	}
	return nil
}

// Bury ends a change Salesforce refused for good: its entries are deleted
// and recorded in the row's dead letter for the workflow (created, or
// merged into the one already there: columns joined, attempts added, the
// newest failure kept). dl gives WorkflowID, SFID, Op and Failure; the rest
// comes from the change. It fails with ErrConflict when the claim was lost.
func (r Outbox) Bury(ctx context.Context, ch Change, dl DeadLetter) (DeadLetter, error) {
	var out DeadLetter
	err := r.sc.Write(ctx, func(tx *Tx) error {
		if err := deleteClaimed(ctx, tx, ch); err != nil {
			return err
		}
		dl.SheetID, dl.RowID, dl.Columns = ch.SheetID, ch.RowID, ch.Columns
		dl.Attempts, dl.FirstFailedAt, dl.LastFailedAt = ch.Attempts+1, ch.FirstFailedAt, tx.Now()
		if dl.FirstFailedAt.IsZero() {
			dl.FirstFailedAt = tx.Now()
		}
		var err error
		out, err = tx.DeadLetters().add(ctx, dl)
		return err
	})
	if err != nil {
		return DeadLetter{}, fmt.Errorf("burying the change of row %d of sheet %d: %w", ch.RowID, ch.SheetID, err)
	}
	return out, nil
}

// Entries returns the entries of a row, oldest first.
func (r Outbox) Entries(ctx context.Context, sheetID, rowID int64) ([]OutboxEntry, error) {
	var out []OutboxEntry
	err := r.sc.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.Outbox().list(ctx, tx.Now(), `WHERE sheet_id = $1 AND row_id = $2 ORDER BY seq`, sheetID, rowID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the outbox entries of row %d of sheet %d: %w", rowID, sheetID, err)
	}
	return out, nil
}

// Stats counts a sheet's entries by state, at the transaction's time.
func (r Outbox) Stats(ctx context.Context, sheetID int64) (OutboxStats, error) {
	var s OutboxStats
	err := r.sc.Read(ctx, func(tx *Tx) error {
		var next anyTime
		now := tx.Now()
		err := tx.QueryRow(ctx, `SELECT
			COUNT(CASE WHEN claim IS NOT NULL AND claimed_until > $2 THEN 1 END),
			COUNT(CASE WHEN (claim IS NULL OR claimed_until <= $2) AND not_before > $2 THEN 1 END),
			MIN(CASE WHEN (claim IS NULL OR claimed_until <= $2) AND not_before > $2 THEN not_before END),
			COUNT(*)
			FROM outbox WHERE sheet_id = $1`, sheetID, now).Scan(&s.InFlight, &s.Waiting, &next, &s.Due)
		s.Due -= s.InFlight + s.Waiting
		s.NextRetry = next.t
		return err
	})
	if err != nil {
		return OutboxStats{}, fmt.Errorf("counting the outbox entries of sheet %d: %w", sheetID, err)
	}
	return s, nil
}

// list reads entries; now tells which are in flight.
func (r Outbox) list(ctx context.Context, now time.Time, where string, args ...any) ([]OutboxEntry, error) {
	var out []OutboxEntry
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT seq, sheet_id, row_id, op, columns, written_by, created_at,
			CASE WHEN claim IS NOT NULL AND claimed_until > $`+fmt.Sprint(len(args)+1)+` THEN TRUE ELSE FALSE END, attempts, not_before, first_failed_at, last_error
			FROM outbox `+where, append(args, now)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e                 OutboxEntry
				op, cols          string
				notBefore, failed sql.NullTime
			)
			if err := rows.Scan(&e.Seq, &e.SheetID, &e.RowID, &op, &cols, &e.WrittenBy, &e.CreatedAt,
				&e.InFlight, &e.Attempts, &notBefore, &failed, &e.LastError); err != nil {
				return err
			}
			e.Op, e.Columns, e.CreatedAt = ChangeOp(op), splitColumns(cols), e.CreatedAt.UTC()
			e.NotBefore, e.FirstFailedAt = utc(notBefore), utc(failed)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
