package org

import (
	"context"
	"errors"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// ErrTransactionEnded is returned by a write made through the context of an
// in-flight transaction that has already committed or rolled back.
var ErrTransactionEnded = errors.New("the in-flight transaction has ended")

// InFlight is a long transaction that has started and not yet committed
// (docs/adr/0190-in-flight-transactions.md). Salesforce stamps a record's
// audit fields (CreatedDate, LastModifiedDate, SystemModstamp) when its
// transaction starts, but other sessions see the change only once the
// transaction commits, possibly seconds later: a sync that polled in
// between has already moved past that SystemModstamp.
//
// Every write made through the context [Org.Begin] returns is validated and
// applied as usual, stamped with the time Begin was called (all records of
// the transaction share that stamp), and then kept aside: queries, retrieves,
// getUpdated and getDeleted go on seeing the committed versions until
// [InFlight.Commit]. Later writes through the same context see the
// transaction's own changes. Other writers that touch a record the
// transaction changed fail with UNABLE_TO_LOCK_ROW until it ends.
//
// An InFlight is safe for concurrent use; its writes are serialized with
// every other writer of the org.
type InFlight struct {
	o     *Org
	stamp int64 // the audit time of every write (ms)
	// changes are the records the transaction changed, each with its
	// committed version (nil for a create) and its own; mu and writeMu of
	// the org guard them.
	changes map[uint64]*inflightChange
	order   []uint64 // the changed record numbers, first change first
	ended   bool
}

type inflightChange struct {
	t             *table
	committed, to *Record
}

type inflightKey struct{}

// Begin starts an in-flight transaction stamped now on the org's clock and
// returns the context to write through. It ends with Commit or Rollback.
func (o *Org) Begin(ctx context.Context) (context.Context, *InFlight) {
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	f := &InFlight{o: o, stamp: o.tick(), changes: map[uint64]*inflightChange{}}
	o.open++
	return context.WithValue(ctx, inflightKey{}, f), f
}

// Pending returns the number of in-flight transactions under way.
func (o *Org) Pending() int {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.open
}

// inflightOf returns the in-flight transaction of o that ctx carries, or nil.
func (o *Org) inflightOf(ctx context.Context) *InFlight {
	if f, ok := ctx.Value(inflightKey{}).(*InFlight); ok && f.o == o {
		return f
	}
	return nil
}

// Stamp returns the time the transaction's records carry.
func (f *InFlight) Stamp() time.Time { return millis(f.stamp) }

// Records returns the IDs of the records the transaction changed, in the
// order of their first change.
func (f *InFlight) Records() []string {
	f.o.mu.RLock()
	defer f.o.mu.RUnlock()
	ids := make([]string, len(f.order))
	for i, num := range f.order {
		c := f.changes[num]
		r := c.to
		if r == nil {
			r = c.committed
		}
		ids[i] = r.ID()
	}
	return ids
}

// Commit makes the transaction's changes visible, with the stamps they were
// given when it began, and releases its records. Committing an ended
// transaction does nothing.
func (f *InFlight) Commit() { f.end(true) }

// Rollback discards the transaction's changes and releases its records.
// Auto-numbers and IDs it used are not reused, as in Salesforce.
func (f *InFlight) Rollback() { f.end(false) }

func (f *InFlight) end(commit bool) {
	o := f.o
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	if f.ended {
		return
	}
	f.ended = true
	o.open--
	for _, num := range f.order {
		c := f.changes[num]
		if commit {
			o.put(c.t, num, o.recs[num], c.to)
		}
		delete(o.locks, num)
	}
}

// apply puts the transaction's versions in the store, for a write of the
// transaction to see and build on, noting the committed versions they
// replace (another session may have changed one the locks do not cover,
// such as a lookup a delete emptied). Both org locks are held.
func (f *InFlight) apply() {
	for _, num := range f.order {
		c := f.changes[num]
		c.committed = f.o.recs[num]
		f.o.put(c.t, num, c.committed, c.to)
	}
}

// setAside records a write's changes (its journal) as the transaction's and
// puts the committed versions back in the store, so that other sessions do
// not see them. Both org locks are held and the transaction's versions are
// in the store.
func (f *InFlight) setAside(journal []change) {
	for _, c := range journal {
		if _, seen := f.changes[c.num]; !seen {
			f.changes[c.num] = &inflightChange{t: c.t, committed: c.old}
			f.order = append(f.order, c.num)
			if f.o.locks == nil {
				f.o.locks = map[uint64]*InFlight{}
			}
			f.o.locks[c.num] = f
		}
	}
	for _, num := range f.order {
		c := f.changes[num]
		c.to = f.o.recs[num]
		f.o.put(c.t, num, c.to, c.committed)
	}
}

// checkLock fails a write to record num while another transaction holds it.
// mu is held.
func (o *Org) checkLock(num uint64, id string) error {
	if f := o.locks[num]; f != nil && f != o.active {
		return schema.NewError("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records: "+id)
	}
	return nil
}
