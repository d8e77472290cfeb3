package org

import (
	"slices"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// RecycleBinRetention is how long deleted records stay in the recycle bin
// (and getDeleted reports them) before they are purged for good.
const RecycleBinRetention = 15 * 24 * time.Hour

// purge removes records deleted more than RecycleBinRetention before now,
// and forgets their deletions. mu is held.
func (o *Org) purge(now int64) {
	cutoff := now - RecycleBinRetention.Milliseconds()
	for _, t := range o.tables {
		i := 0
		for i < len(t.deletions) && t.deletions[i].at < cutoff {
			d := t.deletions[i]
			if r := o.recs[d.num]; r != nil && r.deleted == d.at {
				o.put(t, d.num, r, nil)
			}
			i++
		}
		if i > 0 {
			t.deletions = slices.Delete(t.deletions, 0, i)
			t.purged = max(t.purged, cutoff)
		}
	}
}

// Updated returns the IDs of the live records of object whose
// SystemModstamp lies in [start, end), for getUpdated.
func (o *Org) Updated(as *Principal, object string, start, end time.Time) ([]string, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	obj := o.Registry().Object(object)
	if obj == nil || !as.objectPerm(obj).Read {
		return nil, errNotFound()
	}
	if !obj.Flags.Replicateable {
		return nil, schema.NewError("INVALID_TYPE_FOR_OPERATION", "entity type cannot be replicated: "+obj.Name)
	}
	t := o.tables[obj.Name]
	lo, hi := start.UnixMilli(), end.UnixMilli()
	i, _ := slices.BinarySearchFunc(t.stamps, stamp{ms: lo}, cmpStamp)
	ids := []string{}
	for ; i < len(t.stamps) && t.stamps[i].ms < hi; i++ {
		if r, ok := o.current(t.stamps[i]); ok && r.deleted == 0 && as.canSee(obj, r) {
			ids = append(ids, r.ID())
		}
	}
	return ids, nil
}

// DeletedRecord is an entry of getDeleted.
type DeletedRecord struct {
	ID          string
	DeletedDate time.Time
}

// Deleted returns the records of object deleted in [start, end), for
// getDeleted, and the earliest time deletions are still known from (before
// it, purged records are forgotten and a client must resynchronize).
// Records leave the recycle bin RecycleBinRetention after their delete; the
// purge runs with each delete.
func (o *Org) Deleted(as *Principal, object string, start, end time.Time) ([]DeletedRecord, time.Time, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	obj := o.Registry().Object(object)
	if obj == nil || !as.objectPerm(obj).Read {
		return nil, time.Time{}, errNotFound()
	}
	if !obj.Flags.Replicateable {
		return nil, time.Time{}, schema.NewError("INVALID_TYPE_FOR_OPERATION", "entity type cannot be replicated: "+obj.Name)
	}
	t := o.tables[obj.Name]
	earliest := t.purged
	if earliest == 0 {
		earliest = o.recs[o.admin].created
	}
	lo, hi := start.UnixMilli(), end.UnixMilli()
	out := []DeletedRecord{}
	for _, d := range t.deletions {
		if d.at < lo || d.at >= hi {
			continue
		}
		// A record undeleted since, or deleted again later, is reported by
		// its latest deletion only.
		if r := o.recs[d.num]; r != nil && r.deleted == d.at {
			out = append(out, DeletedRecord{ID: r.ID(), DeletedDate: millis(d.at)})
		}
	}
	return out, millis(earliest), nil
}
