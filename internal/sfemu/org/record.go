package org

import (
	"slices"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// Record is one stored record. Records are immutable: a change stores a new
// Record in place of the old one, so a Record read from the org stays
// consistent however long the caller keeps it, without locks.
//
// Only set fields are stored, sorted by field index (a record with 12 of an
// object's 60 fields holds 12 values); the audit fields live in the struct.
// docs/adr/0022-record-store-layout.md explains the layout.
type Record struct {
	id   any // the 18-character ID, boxed once so Get never allocates for it
	num  uint64
	sys  *layout
	idx  []uint16 // field indexes of vals, ascending
	vals []any    // canonical values, never nil

	created, modified, modstamp int64 // Unix milliseconds
	createdBy, modifiedBy       any   // user IDs, boxed and shared
	deleted                     int64 // Unix milliseconds of the delete; 0 while live
	// deletedWith is the record number of the record whose delete cascaded
	// to this one (0 when deleted on its own), so undelete restores it too.
	deletedWith uint64
	// cleared are the lookups of other records this one's delete emptied;
	// undelete puts them back.
	cleared []clearedRef
}

// clearedRef is a lookup a delete emptied: field of record child pointed to
// record parent.
type clearedRef struct {
	child, parent uint64
	field         uint16
}

// layout is where an object's audit fields are, by field index (-1 when the
// object lacks one). It is the same for every record of an object.
type layout struct {
	// org is the org the records belong to, for formulas that read parent
	// records and the clock (schema.Linked).
	org                                                            *Org
	obj                                                            string
	id, isDeleted, created, createdBy, modified, modifiedBy, stamp int
}

func newLayout(org *Org, o *schema.Object) *layout {
	idx := func(name string) int {
		if f := o.Field(name); f != nil {
			return f.Index
		}
		return -1
	}
	return &layout{org: org, obj: o.Name, id: idx("Id"), isDeleted: idx("IsDeleted"), created: idx("CreatedDate"),
		createdBy: idx("CreatedById"), modified: idx("LastModifiedDate"), modifiedBy: idx("LastModifiedById"),
		stamp: idx("SystemModstamp")}
}

// ID returns the record's 18-character ID.
func (r *Record) ID() string { return r.id.(string) }

// Object returns the name of the record's object.
func (r *Record) Object() string { return r.sys.obj }

// Related returns the live record with the given ID, or nil: what a
// formula reads through a lookup (Account.Name). It implements
// schema.Linked; it takes the org's read lock, so formulas must not be
// computed while the org's lock is held.
func (r *Record) Related(id string) schema.Record {
	if p := r.sys.org.Lookup(id); p != nil && p.deleted == 0 {
		return p
	}
	return nil
}

// Now returns the emulator's time, for TODAY() and NOW() in formulas. It
// implements schema.Linked.
func (r *Record) Now() time.Time { return r.sys.org.clock.Now() }

// Deleted reports whether the record is in the recycle bin.
func (r *Record) Deleted() bool { return r.deleted != 0 }

// SystemModstamp returns the time of the record's last change.
func (r *Record) SystemModstamp() time.Time { return millis(r.modstamp) }

// Get returns the stored value of field f (nil when unset). It implements
// schema.Record; use schema.Object.Value for derived fields.
func (r *Record) Get(f *schema.Field) any {
	switch f.Index {
	case r.sys.id:
		return r.id
	case r.sys.isDeleted:
		return r.deleted != 0
	case r.sys.created:
		return millis(r.created)
	case r.sys.createdBy:
		return r.createdBy
	case r.sys.modified:
		return millis(r.modified)
	case r.sys.modifiedBy:
		return r.modifiedBy
	case r.sys.stamp:
		return millis(r.modstamp)
	}
	v := r.stored(f.Index)
	if v == nil && f.Type == schema.TypeBoolean {
		return false // checkboxes are never null; false is not stored
	}
	return v
}

// stored returns the value kept for field index i.
func (r *Record) stored(i int) any {
	if len(r.idx) <= 16 {
		for j, x := range r.idx {
			if int(x) == i {
				return r.vals[j]
			}
			if int(x) > i {
				return nil
			}
		}
		return nil
	}
	j, ok := slices.BinarySearch(r.idx, uint16(i))
	if !ok {
		return nil
	}
	return r.vals[j]
}

// with returns a copy of r whose stored values are changed by set (a nil
// value removes the field, and so does false: checkboxes read false when
// unset).
func (r *Record) with(set map[int]any) *Record {
	c := *r
	n := len(r.idx) + len(set)
	c.idx = make([]uint16, 0, n)
	c.vals = make([]any, 0, n)
	keys := make([]int, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	j := 0
	for _, k := range keys {
		for j < len(r.idx) && int(r.idx[j]) < k {
			c.idx, c.vals = append(c.idx, r.idx[j]), append(c.vals, r.vals[j])
			j++
		}
		if j < len(r.idx) && int(r.idx[j]) == k {
			j++
		}
		if v := set[k]; v != nil && v != false {
			c.idx, c.vals = append(c.idx, uint16(k)), append(c.vals, v)
		}
	}
	for ; j < len(r.idx); j++ {
		c.idx, c.vals = append(c.idx, r.idx[j]), append(c.vals, r.vals[j])
	}
	c.idx, c.vals = slices.Clip(c.idx), slices.Clip(c.vals)
	return &c
}

func millis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

var _ schema.Linked = (*Record)(nil)
