package syncer

import (
	"encoding/json"
	"fmt"
	"time"
)

// Cursor is a position in (SystemModstamp, Id) order: the last record of an
// object that was applied to the sheet. The zero Cursor is before every
// record.
type Cursor struct {
	Modstamp time.Time `json:"modstamp"`
	ID       string    `json:"id"`
}

// IsZero reports whether c is before every record.
func (c Cursor) IsZero() bool { return c.Modstamp.IsZero() && c.ID == "" }

// After reports whether c comes after d: a later SystemModstamp, or the same
// one and a greater Id. Ids compare as Salesforce orders them in ORDER BY Id,
// byte by byte.
func (c Cursor) After(d Cursor) bool {
	if !c.Modstamp.Equal(d.Modstamp) {
		return c.Modstamp.After(d.Modstamp)
	}
	return c.ID > d.ID
}

// second is the start of the cursor's second, in UTC.
func (c Cursor) second() time.Time { return c.Modstamp.UTC().Truncate(time.Second) }

// Start is where a read begins: the records whose SystemModstamp is at or
// after Second, a whole second (SOQL compares datetimes to the second, so a
// finer bound could skip a record). The zero Start reads from the beginning.
type Start struct {
	Second time.Time
}

// Phase is where a workflow's inbound stream stands.
type Phase string

// Phases. A stream starts in PhaseInitial and moves to PhaseIncremental once
// the initial load has read every record.
const (
	// PhaseInitial: the initial load is reading the records that match the
	// workflow's conditions, in (SystemModstamp, Id) order.
	PhaseInitial Phase = "initial"
	// PhaseIncremental: every poll reads what changed since the cursor.
	PhaseIncremental Phase = "incremental"
)

// checkpointVersion is the format of the stored checkpoint; a stream stored
// in another format is loaded again from scratch.
const checkpointVersion = 1

// settleMargin is added to the lookback before a stream settles: the
// cursor's second may hold records stamped up to a second after it.
const settleMargin = time.Second

// Checkpoint is where a workflow's inbound stream resumes. It is stored as
// JSON in the store's sync checkpoints, in the transaction that writes the
// rows it covers, so that a crash at any point neither loses nor doubles a
// change. The rules it keeps are in ADR 0070.
type Checkpoint struct {
	Format int   `json:"format"`
	Phase  Phase `json:"phase"`
	// Cursor is the last record applied.
	Cursor Cursor `json:"cursor"`
	// Plan fingerprints the object, fields, conditions and mapping the rows
	// were made with. When it changes, the stream starts over.
	Plan string `json:"plan"`
	// Floor is the latest SystemModstamp of the object, matching or not,
	// when the initial load began. The load ends with its cursor at least
	// there: records that did not match then and have not changed since
	// need not be read by the first incremental poll.
	Floor time.Time `json:"floor,omitzero"`
	// Done and Total count the records the initial load applied, and the
	// total its query announced (for progress after a restart).
	Done  int `json:"done,omitempty"`
	Total int `json:"total,omitempty"`

	// The lookback sweep. A record's SystemModstamp is stamped when its
	// transaction starts, so it can become visible after a later record was
	// read. Such a record is caught by a sweep: a read from SweepFrom
	// (Salesforce time), at most every lookback (SweepAt, local clock),
	// until the stream settles. It settles at a sweep that begins lookback
	// after the cursor last moved (SettleAt, local clock): every record
	// stamped before the cursor is committed by then.
	SweepFrom time.Time `json:"sweep_from,omitzero"`
	SweepAt   time.Time `json:"sweep_at,omitzero"`
	SettleAt  time.Time `json:"settle_at,omitzero"`
	Settled   bool      `json:"settled,omitempty"`
}

// newCheckpoint is the checkpoint of a stream that has read nothing yet.
func newCheckpoint(plan string) Checkpoint {
	return Checkpoint{Format: checkpointVersion, Phase: PhaseInitial, Plan: plan}
}

// decodeCheckpoint reads a stored checkpoint. A missing one, one of another
// format or one made for another plan gives a fresh checkpoint: the stream
// loads again.
func decodeCheckpoint(b []byte, plan string) (Checkpoint, error) {
	if len(b) == 0 {
		return newCheckpoint(plan), nil
	}
	var cp Checkpoint
	if err := json.Unmarshal(b, &cp); err != nil {
		return Checkpoint{}, fmt.Errorf("decoding checkpoint: %w", err)
	}
	if cp.Format != checkpointVersion || cp.Plan != plan {
		return newCheckpoint(plan), nil
	}
	if cp.Phase != PhaseInitial && cp.Phase != PhaseIncremental {
		return Checkpoint{}, fmt.Errorf("decoding checkpoint: unknown phase %q", cp.Phase)
	}
	return cp, nil
}

// encode returns the checkpoint as stored.
func (cp Checkpoint) encode() []byte { return mustJSON(cp) }

// loadStart is where the initial load (re)starts: the beginning, or the
// start of the cursor's second. Records of that second already applied are
// written again, which changes nothing.
func (cp Checkpoint) loadStart() Start {
	if cp.Cursor.IsZero() {
		return Start{}
	}
	return Start{Second: cp.Cursor.second()}
}

// changesStart is where an incremental read beginning at local time now
// starts, and whether it is a sweep. An unsettled stream reads the whole
// second of its cursor again: a record may still be stamped in it after the
// read that found the cursor. A settled one starts at the next second.
func (cp Checkpoint) changesStart(now time.Time) (Start, bool) {
	switch {
	case cp.Cursor.IsZero():
		return Start{}, false
	case !cp.Settled && !now.Before(cp.SweepAt):
		return Start{Second: cp.SweepFrom.UTC().Truncate(time.Second)}, true
	case cp.Settled:
		return Start{Second: cp.Cursor.second().Add(time.Second)}, false
	}
	return Start{Second: cp.Cursor.second()}, false
}

// advance moves the cursor to c, a record just applied at local time now,
// if c is after it. A settled stream becomes unsettled: records stamped
// after the old cursor may still commit.
func (cp *Checkpoint) advance(c Cursor, now time.Time, lookback time.Duration) {
	if !c.After(cp.Cursor) {
		return
	}
	if cp.Settled {
		cp.SweepFrom, cp.SweepAt, cp.Settled = cp.Cursor.Modstamp, now.Add(lookback), false
	}
	cp.Cursor = c
	cp.SettleAt = now.Add(lookback + settleMargin)
}

// finishRead records that an incremental read which began at local time
// began, from cursor from, went to its end. After a sweep, the next one
// starts lookback before from: a record it could not see yet was stamped
// less than lookback before it began, so after from less lookback. A sweep
// that began after SettleAt settles the stream.
func (cp *Checkpoint) finishRead(began time.Time, from Cursor, sweep bool, lookback time.Duration) {
	if !sweep {
		return
	}
	cp.SweepFrom, cp.SweepAt = from.Modstamp.Add(-lookback), began.Add(lookback)
	if !began.Before(cp.SettleAt) {
		cp.Settled = true
	}
}

// finishLoad moves a checkpoint whose initial load read everything to the
// incremental phase at local time now, its cursor no earlier than the
// floor. Records stamped before the load's end may still commit: the stream
// starts unsettled, its first sweep lookback before the cursor.
func (cp *Checkpoint) finishLoad(now time.Time, lookback time.Duration) {
	if floor := (Cursor{Modstamp: cp.Floor}); floor.After(cp.Cursor) {
		cp.Cursor = floor
	}
	cp.Phase, cp.Floor, cp.Done, cp.Total = PhaseIncremental, time.Time{}, 0, 0
	cp.SweepFrom, cp.SweepAt = cp.Cursor.Modstamp.Add(-lookback), now.Add(lookback)
	cp.SettleAt, cp.Settled = now.Add(lookback+settleMargin), false
}
