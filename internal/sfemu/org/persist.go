package org

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
)

// The snapshot format (docs/adr/0024-org-snapshot-format.md): a magic
// string, a version, then length-prefixed sections written in one pass.
// Records are written per object with the object's field names, so a
// snapshot still loads after the standard objects gain fields.
const (
	snapshotMagic   = "sfbridge-org\x00"
	snapshotVersion = 1
)

// Value tags in the snapshot.
const (
	tagString byte = iota + 1
	tagTrue
	tagFalse
	tagInt
	tagFloat
	tagTime
	tagRef // a reference to a record, by record number
)

type writer struct {
	w   *bufio.Writer
	buf []byte
	err error
}

func (w *writer) flush() {
	if w.err == nil {
		_, w.err = w.w.Write(w.buf)
	}
	w.buf = w.buf[:0]
}

func (w *writer) uvarint(n uint64) { w.buf = binary.AppendUvarint(w.buf, n) }
func (w *writer) varint(n int64)   { w.buf = binary.AppendVarint(w.buf, n) }
func (w *writer) byte(b byte)      { w.buf = append(w.buf, b) }
func (w *writer) bool(b bool) {
	if b {
		w.byte(1)
	} else {
		w.byte(0)
	}
}

func (w *writer) string(s string) {
	w.uvarint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// Save writes the whole org: schema files, settings, sharing, profiles,
// users and their passwords, list views, every record (recycle bin
// included), the deletion log and the ID and auto-number sequences.
// Writers wait while it runs; readers do not.
func (o *Org) Save(out io.Writer) error {
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	o.mu.RLock()
	defer o.mu.RUnlock()
	w := &writer{w: bufio.NewWriterSize(out, 1<<16)}
	w.buf = append(w.buf, snapshotMagic...)
	w.uvarint(snapshotVersion)
	w.string(o.id)
	w.string(o.pod)
	w.uvarint(o.admin)
	w.uvarint(o.seq)
	w.varint(o.stamp)
	st := o.settings
	w.string(st.Name)
	w.string(st.TimeZone)
	w.string(st.Locale)
	w.string(st.Language)
	w.uvarint(uint64(st.FiscalYearStartMonth))
	sources := o.Registry().Sources()
	w.uvarint(uint64(len(sources)))
	for _, s := range sources {
		w.string(s.Name)
		w.string(string(s.Data))
	}
	w.uvarint(uint64(len(o.sharing)))
	for _, name := range sortedKeys(o.sharing) {
		w.string(name)
		w.string(string(o.sharing[name]))
	}
	w.uvarint(uint64(len(o.profiles)))
	for _, id := range sortedKeys(o.profiles) {
		p := o.profiles[id]
		w.string(p.ID)
		w.string(p.Name)
		w.bool(p.ViewAllData)
		w.bool(p.ModifyAllData)
		w.byte(permBits(p.Default))
		w.uvarint(uint64(len(p.Objects)))
		for _, name := range sortedKeys(p.Objects) {
			w.string(name)
			w.byte(permBits(p.Objects[name]))
		}
		w.uvarint(uint64(len(p.Fields)))
		for _, name := range sortedKeys(p.Fields) {
			w.string(name)
			w.bool(p.Fields[name].Read)
			w.bool(p.Fields[name].Edit)
		}
	}
	w.uvarint(uint64(len(o.users)))
	for _, num := range sortedKeys(o.users) {
		w.uvarint(num)
		w.string(o.users[num].hash)
	}
	w.uvarint(uint64(len(o.listViews)))
	for _, id := range sortedKeys(o.listViews) {
		w.string(id)
		w.string(o.listViews[id])
	}
	w.flush()
	reg := o.Registry()
	names := sortedKeys(o.tables)
	w.uvarint(uint64(len(names)))
	for _, name := range names {
		o.saveTable(w, reg.Object(name), o.tables[name])
		if w.err != nil {
			return fmt.Errorf("saving the org: %w", w.err)
		}
	}
	w.flush()
	if w.err != nil {
		return fmt.Errorf("saving the org: %w", w.err)
	}
	return w.w.Flush()
}

func (o *Org) saveTable(w *writer, obj *schema.Object, t *table) {
	w.string(obj.Name)
	w.uvarint(uint64(len(obj.Fields)))
	for _, f := range obj.Fields {
		w.string(f.Name)
	}
	w.uvarint(uint64(len(t.autoNumber)))
	for _, i := range sortedKeys(t.autoNumber) {
		w.uvarint(uint64(i))
		w.varint(t.autoNumber[i])
	}
	w.varint(t.purged)
	w.uvarint(uint64(len(t.deletions)))
	for _, d := range t.deletions {
		w.uvarint(d.num)
		w.varint(d.at)
	}
	count := 0
	for _, n := range t.order {
		if o.recs[n] != nil {
			count++
		}
	}
	w.uvarint(uint64(count))
	for _, n := range t.order {
		r := o.recs[n]
		if r == nil {
			continue
		}
		w.uvarint(r.num)
		w.varint(r.created)
		w.varint(r.modified)
		w.varint(r.modstamp)
		w.uvarint(recordNumber(r.createdBy.(string)))
		w.uvarint(recordNumber(r.modifiedBy.(string)))
		w.varint(r.deleted)
		w.uvarint(r.deletedWith)
		w.uvarint(uint64(len(r.cleared)))
		for _, c := range r.cleared {
			w.uvarint(c.child)
			w.uvarint(c.parent)
			w.uvarint(uint64(c.field))
		}
		w.uvarint(uint64(len(r.idx)))
		for i, fi := range r.idx {
			w.uvarint(uint64(fi))
			o.saveValue(w, obj.Fields[fi], r.vals[i])
		}
		if len(w.buf) > 1<<15 {
			w.flush()
		}
	}
}

func (o *Org) saveValue(w *writer, f *schema.Field, v any) {
	switch x := v.(type) {
	case string:
		if f.IsReference() {
			if n := recordNumber(x); o.recs[n] != nil && o.recs[n].ID() == x {
				w.byte(tagRef)
				w.uvarint(n)
				return
			}
		}
		w.byte(tagString)
		w.string(x)
	case bool:
		if x {
			w.byte(tagTrue)
		} else {
			w.byte(tagFalse)
		}
	case int64:
		w.byte(tagInt)
		w.varint(x)
	case float64:
		w.byte(tagFloat)
		w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(x))
	case time.Time:
		w.byte(tagTime)
		w.varint(x.UnixMilli())
	default:
		w.byte(tagString)
		w.string(fmt.Sprint(x))
	}
}

func permBits(p ObjectPermissions) byte {
	var b byte
	for i, on := range []bool{p.Read, p.Create, p.Edit, p.Delete, p.ViewAll, p.ModifyAll} {
		if on {
			b |= 1 << i
		}
	}
	return b
}

func permFromBits(b byte) ObjectPermissions {
	on := func(i int) bool { return b&(1<<i) != 0 }
	return ObjectPermissions{Read: on(0), Create: on(1), Edit: on(2), Delete: on(3), ViewAll: on(4), ModifyAll: on(5)}
}

type reader struct {
	r   *bufio.Reader
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrSnapshot, fmt.Sprintf(format, args...))
	}
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	n, err := binary.ReadUvarint(r.r)
	if err != nil {
		r.err = err
	}
	return n
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	n, err := binary.ReadVarint(r.r)
	if err != nil {
		r.err = err
	}
	return n
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	b, err := r.r.ReadByte()
	if err != nil {
		r.err = err
	}
	return b
}

func (r *reader) bool() bool { return r.byte() != 0 }

// count reads a length and checks it is plausible.
func (r *reader) count(limit uint64) int {
	n := r.uvarint()
	if n > limit {
		r.fail("a count of %d is out of range", n)
		return 0
	}
	return int(n)
}

func (r *reader) string() string {
	n := r.count(1 << 28)
	if r.err != nil || n == 0 {
		return ""
	}
	if n <= 4096 {
		b := make([]byte, n)
		if _, err := io.ReadFull(r.r, b); err != nil {
			r.err = err
			return ""
		}
		return string(b)
	}
	// A long string grows as its bytes arrive, so a corrupt length cannot
	// allocate more than the snapshot holds.
	var b strings.Builder
	if _, err := io.CopyN(&b, r.r, int64(n)); err != nil {
		r.err = err
		return ""
	}
	return b.String()
}

// capacity bounds a preallocation by a count read from the snapshot.
func capacity(n int) int { return min(n, 4096) }

// Load reads an org written by Save. The clock is the emulator's (nil means
// a new real-time clock); SystemModstamps continue after the snapshot's.
func Load(in io.Reader, clk *clock.Clock) (*Org, error) {
	r := &reader{r: bufio.NewReaderSize(in, 1<<16)}
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(r.r, magic); err != nil || string(magic) != snapshotMagic {
		return nil, fmt.Errorf("%w: not an sfbridge org snapshot", ErrSnapshot)
	}
	if v := r.uvarint(); v != snapshotVersion {
		return nil, fmt.Errorf("%w: snapshot version %d; this sfbridge reads version %d", ErrSnapshot, v, snapshotVersion)
	}
	if clk == nil {
		clk = clock.New()
	}
	o := &Org{clock: clk, recs: map[uint64]*Record{}, tables: map[string]*table{}, users: map[uint64]*userAuth{},
		profiles: map[string]*Profile{}, listViews: map[string]string{}, boxes: map[string]any{}, sharing: map[string]schema.Sharing{}}
	o.id, o.pod = r.string(), r.string()
	o.admin, o.seq, o.stamp = r.uvarint(), r.uvarint(), r.varint()
	o.settings = Settings{Name: r.string(), TimeZone: r.string(), Locale: r.string(), Language: r.string(),
		FiscalYearStartMonth: time.Month(r.uvarint())}
	n := r.count(1 << 16)
	sources := make([]schema.Source, 0, capacity(n))
	for range n {
		if r.err != nil {
			break
		}
		sources = append(sources, schema.Source{Name: r.string(), Data: []byte(r.string())})
	}
	if r.err != nil {
		return nil, wrapLoad(r.err)
	}
	reg, err := schema.Rebuild(sources)
	if err != nil {
		return nil, fmt.Errorf("%w: rebuilding the schema: %w", ErrSnapshot, err)
	}
	o.setRegistry(reg)
	for range r.count(1 << 16) {
		if r.err != nil {
			break
		}
		name := r.string()
		o.sharing[name] = schema.Sharing(r.string())
	}
	for range r.count(1 << 16) {
		if r.err != nil {
			break
		}
		p := &Profile{ID: r.string(), Name: r.string(), ViewAllData: r.bool(), ModifyAllData: r.bool(),
			Default: permFromBits(r.byte()), Objects: map[string]ObjectPermissions{}, Fields: map[string]FieldPermissions{}}
		for range r.count(1 << 16) {
			if r.err != nil {
				break
			}
			name := r.string()
			p.Objects[name] = permFromBits(r.byte())
		}
		for range r.count(1 << 20) {
			if r.err != nil {
				break
			}
			name := r.string()
			p.Fields[name] = FieldPermissions{Read: r.bool(), Edit: r.bool()}
		}
		o.profiles[p.ID] = p
	}
	for range r.count(1 << 24) {
		if r.err != nil {
			break
		}
		num := r.uvarint()
		o.users[num] = &userAuth{hash: r.string()}
	}
	for range r.count(1 << 24) {
		if r.err != nil {
			break
		}
		id := r.string()
		o.listViews[id] = r.string()
	}
	for range r.count(1 << 16) {
		if r.err != nil {
			break
		}
		o.loadTable(r)
		if r.err != nil {
			return nil, wrapLoad(r.err)
		}
	}
	if r.err != nil {
		return nil, wrapLoad(r.err)
	}
	o.resolveRefs()
	for _, t := range o.tables {
		slices.SortFunc(t.stamps, cmpStamp)
	}
	if o.recs[o.admin] == nil {
		return nil, fmt.Errorf("%w: the snapshot has no administrator", ErrSnapshot)
	}
	return o, nil
}

func wrapLoad(err error) error {
	if errors.Is(err, ErrSnapshot) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: the snapshot is truncated", ErrSnapshot)
	}
	return fmt.Errorf("%w: %w", ErrSnapshot, err)
}

// refNum is a reference read from a snapshot before the record it points to
// is loaded; resolveRefs replaces it with that record's ID.
type refNum uint64

func (o *Org) loadTable(r *reader) {
	name := r.string()
	obj := o.Registry().Object(name)
	if r.err != nil {
		return
	}
	if obj == nil {
		r.fail("object %s is not in the schema", name)
		return
	}
	t := o.tables[obj.Name]
	nf := r.count(1 << 16)
	fields := make([]*schema.Field, 0, capacity(nf))
	for range nf {
		if r.err != nil {
			return
		}
		fields = append(fields, obj.Field(r.string())) // nil: a field that no longer exists
	}
	for range r.count(1 << 16) {
		i := r.count(1 << 16)
		n := r.varint()
		if i < len(fields) && fields[i] != nil {
			t.autoNumber[fields[i].Index] = n
		}
	}
	t.purged = r.varint()
	nd := r.count(1 << 32)
	t.deletions = make([]deletion, 0, capacity(nd))
	for range nd {
		if r.err != nil {
			return
		}
		t.deletions = append(t.deletions, deletion{num: r.uvarint(), at: r.varint()})
	}
	n := r.count(1 << 32)
	t.order = make([]uint64, 0, capacity(n))
	t.stamps = make([]stamp, 0, capacity(n))
	for range n {
		if r.err != nil {
			return
		}
		rec := &Record{num: r.uvarint(), sys: t.sys, created: r.varint(), modified: r.varint(), modstamp: r.varint()}
		rec.createdBy, rec.modifiedBy = refNum(r.uvarint()), refNum(r.uvarint())
		rec.deleted, rec.deletedWith = r.varint(), r.uvarint()
		for range r.count(1 << 24) {
			if r.err != nil {
				return
			}
			rec.cleared = append(rec.cleared, clearedRef{child: r.uvarint(), parent: r.uvarint(), field: uint16(r.uvarint())})
		}
		nv := r.count(1 << 16)
		rec.idx, rec.vals = make([]uint16, 0, capacity(nv)), make([]any, 0, capacity(nv))
		for range nv {
			if r.err != nil {
				return
			}
			fi := r.count(1 << 16)
			v := o.loadValue(r)
			if fi < len(fields) && fields[fi] != nil && v != nil {
				f := fields[fi]
				if s, ok := v.(string); ok && len(f.Picklist) > 0 {
					v = o.box(s)
				}
				rec.idx, rec.vals = append(rec.idx, uint16(f.Index)), append(rec.vals, v)
			}
		}
		if r.err != nil {
			return
		}
		id, err := sfid.New(obj.KeyPrefix, o.pod, rec.num)
		if err != nil {
			r.fail("record %d of %s: %v", rec.num, obj.Name, err)
			return
		}
		rec.id = id
		if len(t.order) > 0 && t.order[len(t.order)-1] >= rec.num {
			r.fail("records of %s are out of order", obj.Name)
			return
		}
		// Field indexes may have moved if the schema changed: keep them sorted.
		if !slices.IsSorted(rec.idx) {
			sortValues(rec)
		}
		o.recs[rec.num] = rec
		t.order = append(t.order, rec.num)
		t.stamps = append(t.stamps, stamp{rec.modstamp, rec.num})
		if rec.deleted == 0 {
			t.live++
		}
	}
}

func sortValues(r *Record) {
	perm := make([]int, len(r.idx))
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(a, b int) int { return int(r.idx[a]) - int(r.idx[b]) })
	idx, vals := make([]uint16, len(perm)), make([]any, len(perm))
	for i, p := range perm {
		idx[i], vals[i] = r.idx[p], r.vals[p]
	}
	r.idx, r.vals = idx, vals
}

func (o *Org) loadValue(r *reader) any {
	switch tag := r.byte(); tag {
	case tagString:
		return r.string()
	case tagTrue:
		return true
	case tagFalse:
		return false
	case tagInt:
		return r.varint()
	case tagFloat:
		var b [8]byte
		if _, err := io.ReadFull(r.r, b[:]); err != nil {
			r.err = err
			return nil
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
	case tagTime:
		return millis(r.varint())
	case tagRef:
		return refNum(r.uvarint())
	default:
		r.fail("unknown value tag %d", tag)
		return nil
	}
}

// resolveRefs turns the references of loaded records into their targets'
// boxed IDs, and builds the unique and child indexes.
func (o *Org) resolveRefs() {
	ref := func(v any) any {
		if n, ok := v.(refNum); ok {
			if target := o.recs[uint64(n)]; target != nil {
				return target.id
			}
			return nil
		}
		return v
	}
	for _, t := range o.tables {
		for _, num := range t.order {
			rec := o.recs[num]
			rec.createdBy, rec.modifiedBy = ref(rec.createdBy), ref(rec.modifiedBy)
			if rec.createdBy == nil {
				rec.createdBy = o.recs[o.admin].id
			}
			if rec.modifiedBy == nil {
				rec.modifiedBy = rec.createdBy
			}
			for i, v := range rec.vals {
				rec.vals[i] = ref(v)
			}
			rec.idx, rec.vals = compactNil(rec.idx, rec.vals)
		}
	}
	for _, t := range o.tables {
		for _, num := range t.order {
			rec := o.recs[num]
			t.indexUnique(num, nil, rec)
			t.indexChildren(num, nil, rec)
		}
	}
}

func compactNil(idx []uint16, vals []any) ([]uint16, []any) {
	j := 0
	for i := range vals {
		if vals[i] != nil {
			idx[j], vals[j] = idx[i], vals[i]
			j++
		}
	}
	return idx[:j], vals[:j]
}

func sortedKeys[K int | uint64 | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
