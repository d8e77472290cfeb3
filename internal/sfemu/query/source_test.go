package query

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
)

// memSource is an in-memory Source for the engine's tests, kept apart from
// the org package so the engine's behaviour is tested on its own. Records
// are kept in insertion order.
type memSource struct {
	reg   *schema.Registry
	byID  map[string]*memRecord
	byObj map[*schema.Object][]*memRecord
	seq   map[string]uint64 // next record number per key prefix

	mu      sync.Mutex
	indexes map[*schema.Field][]*memRecord // sorted by (value, Id); built on first use
	// scanned counts the records handed out by Scan and ScanRange.
	scanned int
}

type memRecord struct {
	obj     *schema.Object
	vals    []any // by field index
	deleted bool  // IsDeleted, fixed when the record is added
}

func (r *memRecord) Get(f *schema.Field) any { return r.vals[f.Index] }

func (r *memRecord) id() string { return r.vals[r.obj.Field("Id").Index].(string) }

func newMemSource(t testing.TB, reg *schema.Registry) *memSource {
	t.Helper()
	return &memSource{reg: reg, byID: map[string]*memRecord{}, byObj: map[*schema.Object][]*memRecord{},
		seq: map[string]uint64{}, indexes: map[*schema.Field][]*memRecord{}}
}

// add stores a record of object name with the given values, by field name,
// and returns its ID. Values are canonical; "Id" may be given, else one is
// made. IsDeleted defaults to false.
func (s *memSource) add(t testing.TB, name string, vals map[string]any) string {
	t.Helper()
	o := s.reg.Object(name)
	if o == nil {
		t.Fatalf("no object %s", name)
	}
	r := &memRecord{obj: o, vals: make([]any, len(o.Fields))}
	id, _ := vals["Id"].(string)
	if id == "" {
		s.seq[o.KeyPrefix]++
		var err error
		if id, err = sfid.New(o.KeyPrefix, "0T", s.seq[o.KeyPrefix]); err != nil {
			t.Fatalf("making an ID: %v", err)
		}
	}
	for k, v := range vals {
		f := o.Field(k)
		if f == nil {
			t.Fatalf("no field %s.%s", name, k)
		}
		if i, ok := v.(int); ok {
			v = int64(i)
		}
		r.vals[f.Index] = v
	}
	r.vals[o.Field("Id").Index] = id
	if f := o.Field("IsDeleted"); f != nil {
		r.deleted = r.vals[f.Index] == true
		r.vals[f.Index] = r.deleted
	}
	s.byID[id] = r
	s.byObj[o] = append(s.byObj[o], r)
	return id
}

func (s *memSource) Registry() *schema.Registry { return s.reg }

func (s *memSource) Lookup(id string, deleted bool) schema.Record {
	if r, ok := s.byID[id]; ok && (deleted || !r.deleted) {
		return r
	}
	return nil
}

func (s *memSource) Scan(o *schema.Object, deleted bool) iter.Seq[schema.Record] {
	return func(yield func(schema.Record) bool) {
		for _, r := range s.byObj[o] {
			if r.deleted && !deleted {
				continue
			}
			s.count()
			if !yield(r) {
				return
			}
		}
	}
}

func (s *memSource) count() {
	s.mu.Lock()
	s.scanned++
	s.mu.Unlock()
}

func (s *memSource) Children(f *schema.Field, parentID string, deleted bool) iter.Seq[schema.Record] {
	return func(yield func(schema.Record) bool) {
		for _, r := range s.byObj[f.Object] {
			if r.vals[f.Index] != parentID || r.deleted && !deleted {
				continue
			}
			if !yield(r) {
				return
			}
		}
	}
}

// indexedSource adds ordered indexes on datetime fields to a memSource.
type indexedSource struct{ *memSource }

func (s indexedSource) ScanRange(f *schema.Field, rng Range, desc, deleted bool) (iter.Seq[schema.Record], bool) {
	if f.Type != schema.TypeDateTime {
		return nil, false
	}
	s.mu.Lock()
	idx, ok := s.indexes[f]
	if !ok {
		for _, r := range s.byObj[f.Object] {
			if r.vals[f.Index] != nil {
				idx = append(idx, r)
			}
		}
		slices.SortFunc(idx, func(a, b *memRecord) int {
			return cmp.Or(a.vals[f.Index].(time.Time).Compare(b.vals[f.Index].(time.Time)), cmp.Compare(a.id(), b.id()))
		})
		s.indexes[f] = idx
	}
	s.mu.Unlock()
	value := func(i int) any { return idx[i].vals[f.Index] }
	start, end := 0, len(idx)
	if rng.Low != nil {
		start = sort.Search(len(idx), func(i int) bool {
			c := schema.Compare(value(i), rng.Low)
			return c > 0 || c == 0 && rng.LowIncl
		})
	}
	if rng.High != nil {
		end = sort.Search(len(idx), func(i int) bool {
			c := schema.Compare(value(i), rng.High)
			return c > 0 || c == 0 && !rng.HighIncl
		})
	}
	return func(yield func(schema.Record) bool) {
		for k := start; k < end; k++ {
			i := k
			if desc {
				i = end - 1 - (k - start)
			}
			r := idx[i]
			if r.deleted && !deleted {
				continue
			}
			s.count()
			if !yield(r) {
				return
			}
		}
	}, true
}

// testUser is a Principal with switches for the tests.
type testUser struct {
	id         string
	loc        *time.Location
	fiscal     time.Month
	now        time.Time
	hideObject map[string]bool // object names
	hideField  map[string]bool // "Object.Field"
	// visible, when set, decides sharing.
	visible func(o *schema.Object, r schema.Record) bool
}

func (u *testUser) UserID() string { return u.id }
func (u *testUser) CanReadObject(o *schema.Object) bool {
	return !u.hideObject[o.Name]
}
func (u *testUser) CanReadField(f *schema.Field) bool {
	return !u.hideField[f.Object.Name+"."+f.Name]
}
func (u *testUser) CanSee(o *schema.Object, r schema.Record) bool {
	return u.visible == nil || u.visible(o, r)
}
func (u *testUser) Location() *time.Location    { return u.loc }
func (u *testUser) Locale() string              { return "en_US" }
func (u *testUser) FiscalYearStart() time.Month { return u.fiscal }
func (u *testUser) Now() time.Time              { return u.now }

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(fmt.Sprintf("bad time %q: %v", s, err))
	}
	return t.UTC()
}

func mustDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(fmt.Sprintf("bad date %q: %v", s, err))
	}
	return t
}
