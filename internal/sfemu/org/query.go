package org

import (
	"iter"
	"slices"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/query"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// Compile-time checks that the adapters fit the engine.
var (
	_ query.IndexedSource = (*Source)(nil)
	_ query.Principal     = (*Principal)(nil)
)

// This file adapts the org to the query engine (package
// internal/sfemu/query), which must not import org: Source implements
// query.Source and query.IndexedSource, and *Principal implements
// query.Principal.

// Source is the org as the query engine reads it.
type Source struct{ o *Org }

// QuerySource returns the org's records for the query engine.
func (o *Org) QuerySource() *Source { return &Source{o} }

// Registry returns the org's current schema.
func (s *Source) Registry() *schema.Registry { return s.o.Registry() }

// Lookup returns the record with the given 18-character ID, or nil: a
// live one, or a deleted one too when deleted is true.
func (s *Source) Lookup(id string, deleted bool) schema.Record {
	s.o.mu.RLock()
	r := s.o.recs[recordNumber(id)]
	s.o.mu.RUnlock()
	if r == nil || (r.deleted != 0 && !deleted) || r.ID() != id {
		return nil
	}
	return r
}

// chunk is how many records an iterator copies out per lock: iterators do
// not hold the lock while the caller works, so the caller may read the org
// again (and writers are not held up by a long query).
const chunk = 256

// Scan yields the records of object obj in ID order: the live ones, and the
// deleted ones too when deleted is true.
func (s *Source) Scan(obj *schema.Object, deleted bool) iter.Seq[schema.Record] {
	return func(yield func(schema.Record) bool) {
		buf := make([]*Record, 0, chunk)
		var next uint64
		for {
			buf = buf[:0]
			s.o.mu.RLock()
			t := s.o.tables[obj.Name]
			if t == nil {
				s.o.mu.RUnlock()
				return
			}
			i, _ := slices.BinarySearch(t.order, next)
			for ; i < len(t.order) && len(buf) < chunk; i++ {
				if r := s.o.recs[t.order[i]]; r != nil && (deleted || r.deleted == 0) {
					buf = append(buf, r)
				}
			}
			if i < len(t.order) {
				next = t.order[i]
			}
			more := i < len(t.order)
			s.o.mu.RUnlock()
			for _, r := range buf {
				if !yield(r) {
					return
				}
			}
			if !more {
				return
			}
		}
	}
}

// Children yields the records whose reference field f holds parentID.
func (s *Source) Children(f *schema.Field, parentID string, deleted bool) iter.Seq[schema.Record] {
	return func(yield func(schema.Record) bool) {
		s.o.mu.RLock()
		var kids []*Record
		if t := s.o.tables[f.Object.Name]; t != nil {
			for _, n := range t.children[f.Index][recordNumber(parentID)] {
				if r := s.o.recs[n]; r != nil && (deleted || r.deleted == 0) && r.Get(f) == parentID {
					kids = append(kids, r)
				}
			}
		}
		s.o.mu.RUnlock()
		for _, r := range kids {
			if !yield(r) {
				return
			}
		}
	}
}

// ScanRange yields the records of f's object whose SystemModstamp lies
// within r, in (SystemModstamp, Id) order; ok is false for any other field,
// which has no ordered index. Stamps are unique in an org, so the order by
// SystemModstamp alone is already the order by (SystemModstamp, Id).
func (s *Source) ScanRange(f *schema.Field, r query.Range, desc, deleted bool) (iter.Seq[schema.Record], bool) {
	s.o.mu.RLock()
	t := s.o.tables[f.Object.Name]
	s.o.mu.RUnlock()
	if t == nil || f.Index != t.sys.stamp {
		return nil, false
	}
	lo, hi := int64(-1<<63), int64(1<<63-1)
	if low, ok := r.Low.(time.Time); ok {
		lo = low.UnixMilli()
		if !r.LowIncl {
			lo++
		}
	} else if r.Low != nil {
		return nil, false
	}
	if high, ok := r.High.(time.Time); ok {
		hi = high.UnixMilli()
		if !r.HighIncl {
			hi--
		}
	} else if r.High != nil {
		return nil, false
	}
	return s.scanStamps(f.Object, lo, hi, desc, deleted), true
}

// scanStamps yields the records of obj whose SystemModstamp (ms) lies in
// [lo, hi], in SystemModstamp order.
func (s *Source) scanStamps(obj *schema.Object, lo, hi int64, desc, deleted bool) iter.Seq[schema.Record] {
	return func(yield func(schema.Record) bool) {
		buf := make([]*Record, 0, chunk)
		cursor := stamp{ms: lo}
		if desc {
			cursor = stamp{ms: hi, num: 1<<64 - 1}
		}
		for {
			buf = buf[:0]
			s.o.mu.RLock()
			st := s.o.tables[obj.Name].stamps
			i, found := slices.BinarySearchFunc(st, cursor, cmpStamp)
			more := false
			if desc {
				if !found {
					i--
				}
				for ; i >= 0 && st[i].ms >= lo && len(buf) < chunk; i-- {
					if r, ok := s.o.current(st[i]); ok && (deleted || r.deleted == 0) {
						buf = append(buf, r)
					}
				}
				if more = i >= 0 && st[i].ms >= lo; more {
					cursor = st[i]
				}
			} else {
				for ; i < len(st) && st[i].ms <= hi && len(buf) < chunk; i++ {
					if r, ok := s.o.current(st[i]); ok && (deleted || r.deleted == 0) {
						buf = append(buf, r)
					}
				}
				if more = i < len(st) && st[i].ms <= hi; more {
					cursor = st[i]
				}
			}
			s.o.mu.RUnlock()
			for _, r := range buf {
				if !yield(r) {
					return
				}
			}
			if !more {
				return
			}
		}
	}
}

// CanReadObject tells whether the principal may query object obj.
func (p *Principal) CanReadObject(obj *schema.Object) bool {
	return obj.Flags.Queryable && p.objectPerm(obj).Read
}

// CanReadField tells whether field-level security lets the principal read f.
func (p *Principal) CanReadField(f *schema.Field) bool { return p.FieldAccess(f).Read }

// CanSee tells whether sharing lets the principal see record r of obj.
func (p *Principal) CanSee(obj *schema.Object, r schema.Record) bool {
	if p.system {
		return true
	}
	p.org.mu.RLock()
	defer p.org.mu.RUnlock()
	return p.canSee(obj, r)
}

// Location is the principal's time zone.
func (p *Principal) Location() *time.Location { return p.loc }

// Locale is the principal's locale, e.g. "en_US".
func (p *Principal) Locale() string { return p.locale }

// FiscalYearStart is the first month of the org's fiscal year.
func (p *Principal) FiscalYearStart() time.Month { return p.org.Settings().FiscalYearStartMonth }

// Now is the current time on the org's clock.
func (p *Principal) Now() time.Time { return p.org.clock.Now() }
