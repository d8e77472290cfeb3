package org

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
)

// Options configure a new org.
type Options struct {
	// Clock is the emulator's clock; nil means a new real-time clock.
	Clock *clock.Clock
	// Seed is the data the org starts with: "empty" (the default: the org,
	// its two users and their profiles) or "demo" (a small company).
	Seed string
	// Name is the organization's name; default "sfbridge Emulator".
	Name string
	// Pod is the two characters after the key prefix in every ID; default "5g".
	Pod string
	// Registry is the schema to start from; nil means schema.Standard().
	Registry *schema.Registry
}

// Org is an emulated Salesforce org: its schema, records, recycle bin,
// users and profiles. It is safe for concurrent use.
type Org struct {
	clock *clock.Clock
	reg   atomic.Pointer[schema.Registry]

	// writeMu serializes writers, so a transaction (Atomically) can undo
	// its changes safely; mu guards the data for the short time a change or
	// a read takes.
	writeMu sync.Mutex
	mu      sync.RWMutex
	tx      *txn // the running transaction, under writeMu
	// active is the in-flight transaction the running write belongs to,
	// under writeMu; locks are the records in-flight transactions changed,
	// under mu (inflight.go).
	active *InFlight
	locks  map[uint64]*InFlight
	open   int // in-flight transactions under way, under mu

	id, pod  string
	admin    uint64 // record number of the first administrator
	seq      uint64 // last record number used
	stamp    int64  // last SystemModstamp (ms); strictly increasing
	recs     map[uint64]*Record
	tables   map[string]*table
	settings Settings

	// referrers are, per object, the reference fields of any object that
	// may point to it (whether or not the describe lists the relationship).
	referrers map[string][]*schema.Field

	users     map[uint64]*userAuth // by user record number
	profiles  map[string]*Profile  // by profile ID
	sharing   map[string]schema.Sharing
	listViews map[string]string // list view ID -> its SOQL
	boxes     map[string]any    // interned boxed strings (picklist values, user IDs)
}

// Settings are org-wide preferences.
type Settings struct {
	Name                 string
	TimeZone             string // IANA, e.g. "America/Los_Angeles"
	Locale               string // e.g. "en_US"
	Language             string
	FiscalYearStartMonth time.Month
}

// New creates an org with the given seed.
func New(opts Options) (*Org, error) {
	o, err := newEmpty(opts)
	if err != nil {
		return nil, err
	}
	switch opts.Seed {
	case "", "empty":
	case "demo":
		if err := o.seedDemo(); err != nil {
			return nil, fmt.Errorf("seeding the demo org: %w", err)
		}
	default:
		return nil, fmt.Errorf("unknown seed %q: use empty or demo", opts.Seed)
	}
	return o, nil
}

// newEmpty creates the org with its Organization row, profiles and users.
func newEmpty(opts Options) (*Org, error) {
	if opts.Clock == nil {
		opts.Clock = clock.New()
	}
	if opts.Name == "" {
		opts.Name = "sfbridge Emulator"
	}
	if opts.Pod == "" {
		opts.Pod = "5g"
	}
	if opts.Registry == nil {
		opts.Registry = schema.Standard()
	}
	o := &Org{
		clock: opts.Clock, pod: opts.Pod, recs: map[uint64]*Record{}, tables: map[string]*table{},
		users: map[uint64]*userAuth{}, profiles: map[string]*Profile{}, listViews: map[string]string{},
		boxes: map[string]any{}, sharing: defaultSharing(),
		settings: Settings{Name: opts.Name, TimeZone: "America/Los_Angeles", Locale: "en_US", Language: "en_US",
			FiscalYearStartMonth: time.January},
	}
	o.setRegistry(opts.Registry)
	if err := o.bootstrap(); err != nil {
		return nil, err
	}
	return o, nil
}

// ID returns the org's 18-character ID (00D...).
func (o *Org) ID() string { return o.id }

// Registry returns the org's current schema.
func (o *Org) Registry() *schema.Registry { return o.reg.Load() }

// Settings returns the org-wide preferences.
func (o *Org) Settings() Settings {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.settings
}

// ApplySchema adds a schema file's custom objects and fields to the org.
// Errors are *schema.SpecError.
func (o *Org) ApplySchema(name string, data []byte) error {
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	next, err := o.Registry().Apply(name, data)
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.setRegistry(next)
	return nil
}

// setRegistry installs a registry and prepares a table per object; mu is
// held or the org is not shared yet.
func (o *Org) setRegistry(r *schema.Registry) {
	o.reg.Store(r)
	o.referrers = map[string][]*schema.Field{}
	for _, obj := range r.Objects() {
		if t := o.tables[obj.Name]; t != nil {
			t.refresh(obj)
		} else {
			o.tables[obj.Name] = newTable(o, obj)
		}
		for _, f := range o.tables[obj.Name].refs {
			for _, target := range f.Targets {
				o.referrers[target.Name] = append(o.referrers[target.Name], f)
			}
		}
	}
}

// RecordCounts returns the number of live records per object.
func (o *Org) RecordCounts() map[string]int {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make(map[string]int, len(o.tables))
	for name, t := range o.tables {
		if t.live > 0 {
			out[name] = t.live
		}
	}
	return out
}

// newID returns the next record ID for object obj; mu is held.
func (o *Org) newID(obj *schema.Object) (string, uint64, error) {
	o.seq++
	id, err := sfid.New(obj.KeyPrefix, o.pod, o.seq)
	return id, o.seq, err
}

// tick returns the next SystemModstamp: the clock's time in milliseconds,
// moved just past the previous one when the clock has not moved, so that
// (SystemModstamp, Id) sync cursors never miss a change. mu is held.
//
// The writes of an in-flight transaction all take the stamp it began with.
func (o *Org) tick() int64 {
	if o.active != nil {
		return o.active.stamp
	}
	now := o.clock.Now().UnixMilli()
	if now <= o.stamp {
		now = o.stamp + 1
	}
	o.stamp = now
	return now
}

// box returns s as a shared interface value, so equal strings stored in
// many records share one allocation. mu is held.
func (o *Org) box(s string) any {
	if b, ok := o.boxes[s]; ok {
		return b
	}
	var b any = s
	o.boxes[s] = b
	return b
}

// Lookup returns the record with the given 15- or 18-character ID, live or
// deleted, without any access check, or nil.
func (o *Org) Lookup(id string) *Record {
	id18, err := sfid.To18(id)
	if err != nil {
		return nil
	}
	o.mu.RLock()
	r := o.recs[recordNumber(id18)]
	o.mu.RUnlock()
	if r == nil || r.ID() != id18 {
		return nil
	}
	return r
}

// txn is a running transaction: the changes to undo if it fails.
type txn struct {
	org     *Org
	journal []change
}

type change struct {
	t   *table
	num uint64
	old *Record
}

type txKey struct{}

// Atomically runs fn as one all-or-nothing unit: when fn returns false,
// every change made through the context it is given is undone. Writers
// outside fn wait until it returns; readers do not, and may see its changes
// before it commits. Auto-numbers and record IDs used by undone creates are
// not reused, as in Salesforce. Within an in-flight transaction (ctx from
// Begin) the unit's changes join the transaction, unseen until it commits.
func (o *Org) Atomically(ctx context.Context, fn func(ctx context.Context) bool) {
	if t, ok := ctx.Value(txKey{}).(*txn); ok && t.org == o {
		fn(ctx) // already inside: the outer call decides
		return
	}
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	if f := o.inflightOf(ctx); f != nil && !f.ended {
		o.mu.Lock()
		f.apply()
		o.mu.Unlock()
		o.active = f
	}
	t := &txn{org: o}
	o.tx = t
	commit := false
	defer func() {
		o.tx = nil
		o.mu.Lock()
		defer o.mu.Unlock()
		if !commit {
			for i := len(t.journal) - 1; i >= 0; i-- {
				c := t.journal[i]
				o.put(c.t, c.num, o.recs[c.num], c.old)
			}
			t.journal = nil
		}
		if f := o.active; f != nil {
			o.active = nil
			f.setAside(t.journal)
		}
	}()
	commit = fn(context.WithValue(ctx, txKey{}, t))
}

// write runs fn with the data locked for writing. Inside Atomically (ctx
// carries the transaction) the writer lock is already held. A write of an
// in-flight transaction runs as a unit of its own within it.
func (o *Org) write(ctx context.Context, fn func() error) error {
	t, inTx := ctx.Value(txKey{}).(*txn)
	inTx = inTx && t.org == o
	f := o.inflightOf(ctx)
	if !inTx && f != nil {
		var err error
		o.Atomically(ctx, func(ctx context.Context) bool {
			err = o.write(ctx, fn)
			return err == nil
		})
		return err
	}
	if !inTx {
		o.writeMu.Lock()
		defer o.writeMu.Unlock()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if f != nil && f.ended {
		return ErrTransactionEnded
	}
	return fn()
}
