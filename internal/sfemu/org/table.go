package org

import (
	"slices"
	"strings"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
)

// table holds the indexes of one object's records. Record numbers (the
// sequence in their IDs) are unique across the org and grow with every
// create, so creation order is ID order.
type table struct {
	name string
	sys  *layout

	// order is every record number in creation (= ID) order; entries whose
	// record is gone are skipped and compacted away.
	order []uint64
	gone  int
	// stamps orders the records by SystemModstamp, then number. An entry is
	// current when the record's modstamp still equals it; stale entries are
	// skipped and compacted away.
	stamps []stamp
	stale  int
	live   int

	uniq []*schema.Field // unique and external-ID fields
	refs []*schema.Field // reference fields
	// unique maps a field index and a normalized value to the live record
	// holding it.
	unique map[int]map[string]uint64
	// children maps a reference field index and a parent record number to
	// the records (live and deleted) pointing to it.
	children map[int]map[uint64][]uint64

	deletions []deletion
	purged    int64 // deletions before this time (ms) have been forgotten
	// autoNumber is the last number assigned per auto-number field.
	autoNumber map[int]int64
}

type stamp struct {
	ms  int64
	num uint64
}

type deletion struct {
	num uint64
	at  int64
}

func newTable(org *Org, o *schema.Object) *table {
	t := &table{name: o.Name, sys: newLayout(org, o), unique: map[int]map[string]uint64{},
		children: map[int]map[uint64][]uint64{}, autoNumber: map[int]int64{}}
	t.refresh(o)
	return t
}

// refresh picks up fields added to the object by a schema file.
func (t *table) refresh(o *schema.Object) {
	t.uniq, t.refs = nil, nil
	for _, f := range o.Fields {
		switch {
		case f.Unique || f.ExternalID:
			t.uniq = append(t.uniq, f)
		case f.IsReference() && f.Index != t.sys.createdBy && f.Index != t.sys.modifiedBy && !ownerLike(f):
			t.refs = append(t.refs, f)
		}
	}
}

// ownerLike reports whether reference f needs no child index: it points
// only to records that are never deleted (users) and no describe lists it
// as a child relationship. OwnerId is the case: a user may own millions of
// records, and indexing them would make every change of owner walk them.
func ownerLike(f *schema.Field) bool {
	if f.ChildListed {
		return false
	}
	for _, t := range f.Targets {
		if t.Flags.Deletable {
			return false
		}
	}
	return true
}

// uniqueKey normalizes a value for the unique index: text is compared
// case-insensitively unless the field is case-sensitive.
func uniqueKey(f *schema.Field, v any) string {
	s := schema.FormatValue(f.Type, v)
	if !f.CaseSensitive {
		s = strings.ToLower(s)
	}
	return s
}

// recordNumber returns the record number in a 15- or 18-character ID in
// its exact case (as the org mints them; callers canonicalize IDs from
// clients with sfid.To18 first), or 0. It does not allocate: the store calls
// it for every index change.
func recordNumber(id string) uint64 {
	if len(id) != sfid.Len15 && len(id) != sfid.Len18 {
		return 0
	}
	var n uint64
	for i := 6; i < sfid.Len15; i++ {
		c := id[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'A' && c <= 'Z':
			d = c - 'A' + 10
		case c >= 'a' && c <= 'z':
			d = c - 'a' + 36
		default:
			return 0
		}
		n = n*62 + uint64(d)
	}
	return n
}

// put replaces record num's old version by new (either may be nil) in the
// org and the table's indexes. Every change of the store goes through it,
// including undo.
func (o *Org) put(t *table, num uint64, old, new *Record) {
	if tx := o.tx; tx != nil {
		tx.journal = append(tx.journal, change{t: t, num: num, old: old})
	}
	if new == nil {
		delete(o.recs, num)
	} else {
		o.recs[num] = new
	}
	switch {
	case old == nil && new != nil:
		if n := len(t.order); n == 0 || t.order[n-1] < num {
			t.order = append(t.order, num)
		} else if i, found := slices.BinarySearch(t.order, num); !found {
			t.order = slices.Insert(t.order, i, num)
		} else {
			t.gone--
		}
	case old != nil && new == nil:
		t.gone++
	}
	if old != nil && (new == nil || new.modstamp != old.modstamp) {
		t.stale++
	}
	if new != nil && (old == nil || new.modstamp != old.modstamp) {
		s := stamp{new.modstamp, num}
		if n := len(t.stamps); n == 0 || cmpStamp(t.stamps[n-1], s) < 0 {
			t.stamps = append(t.stamps, s)
		} else if i, found := slices.BinarySearchFunc(t.stamps, s, cmpStamp); !found {
			// An undone change brings back a version whose entry may still
			// be there.
			t.stamps = slices.Insert(t.stamps, i, s)
		}
	}
	wasLive, isLive := old != nil && old.deleted == 0, new != nil && new.deleted == 0
	if wasLive {
		t.live--
	}
	if isLive {
		t.live++
	}
	t.indexUnique(num, old, new)
	t.indexChildren(num, old, new)
	t.compact(o)
}

// indexUnique moves record num's unique values from its old to its new
// version. Only live records hold unique values.
func (t *table) indexUnique(num uint64, old, new *Record) {
	for _, f := range t.uniq {
		var ov, nv any
		if old != nil && old.deleted == 0 {
			ov = old.Get(f)
		}
		if new != nil && new.deleted == 0 {
			nv = new.Get(f)
		}
		if ov == nv {
			continue
		}
		m := t.unique[f.Index]
		if m == nil {
			m = map[string]uint64{}
			t.unique[f.Index] = m
		}
		if ov != nil {
			if k := uniqueKey(f, ov); m[k] == num {
				delete(m, k)
			}
		}
		if nv != nil {
			m[uniqueKey(f, nv)] = num
		}
	}
}

// indexChildren moves record num between the child lists of its old and new
// parents, for every reference field.
func (t *table) indexChildren(num uint64, old, new *Record) {
	for _, f := range t.refs {
		var ov, nv any
		if old != nil {
			ov = old.Get(f)
		}
		if new != nil {
			nv = new.Get(f)
		}
		if ov == nv {
			continue
		}
		m := t.children[f.Index]
		if m == nil {
			m = map[uint64][]uint64{}
			t.children[f.Index] = m
		}
		if s, ok := ov.(string); ok {
			p := recordNumber(s)
			if kids := slices.DeleteFunc(m[p], func(n uint64) bool { return n == num }); len(kids) == 0 {
				delete(m, p)
			} else {
				m[p] = kids
			}
		}
		if s, ok := nv.(string); ok {
			p := recordNumber(s)
			m[p] = append(m[p], num)
		}
	}
}

func cmpStamp(a, b stamp) int {
	switch {
	case a.ms != b.ms:
		if a.ms < b.ms {
			return -1
		}
		return 1
	case a.num < b.num:
		return -1
	case a.num > b.num:
		return 1
	}
	return 0
}

// compact drops stale index entries once they outnumber the current ones.
func (t *table) compact(o *Org) {
	if t.stale > 1024 && t.stale > len(t.stamps)/2 {
		t.stamps = slices.DeleteFunc(t.stamps, func(s stamp) bool {
			r := o.recs[s.num]
			return r == nil || r.modstamp != s.ms
		})
		t.stale = 0
	}
	if t.gone > 1024 && t.gone > len(t.order)/2 {
		t.order = slices.DeleteFunc(t.order, func(n uint64) bool { return o.recs[n] == nil })
		t.gone = 0
	}
}

// current reports whether stamp entry s is the record's latest.
func (o *Org) current(s stamp) (*Record, bool) {
	r := o.recs[s.num]
	return r, r != nil && r.modstamp == s.ms
}
