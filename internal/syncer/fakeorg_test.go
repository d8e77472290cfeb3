package syncer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// fakeOrg is a Reader over records held in memory. It runs the narrow SOQL
// the engine builds (SystemModstamp and Id bounds, equality conditions,
// ORDER BY, LIMIT), and can behave as Salesforce does where the emulator may
// not: datetimes compared to the second, records stamped before they are
// committed (visible only once committed), failures on a chosen call. The
// end-to-end tests run the engine against the emulator; these tests pin the
// cursor logic against those harsher behaviours.
type fakeOrg struct {
	mu       sync.Mutex
	recs     map[string]*fakeRec
	seq      int
	clock    time.Time
	pageSize int
	// seconds makes datetime comparisons ignore milliseconds, as Salesforce
	// does.
	seconds bool
	calls   int
	// failCall, when positive, makes that call (1-based) fail, with
	// failWith when set, else errInjected.
	failCall int
	failWith error
}

type fakeRec struct {
	id        string
	modstamp  time.Time
	deleted   bool
	committed bool
	fields    map[string]any // Name, Industry, Score__c
}

var errInjected = errors.New("injected failure")

func newFakeOrg(pageSize int) *fakeOrg {
	return &fakeOrg{recs: map[string]*fakeRec{}, pageSize: pageSize,
		clock: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)}
}

// tick moves the org's clock by d.
func (o *fakeOrg) tick(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.clock = o.clock.Add(d)
}

// put creates or updates a record now, committed unless pending.
func (o *fakeOrg) put(id string, fields map[string]any, pending bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.recs[id]
	if r == nil {
		r = &fakeRec{id: id, fields: map[string]any{}}
		o.recs[id] = r
	}
	for k, v := range fields {
		r.fields[k] = v
	}
	r.modstamp, r.deleted, r.committed = o.clock, false, !pending
}

// create adds n committed records named name-i with industry, all stamped
// with the current time, and returns their IDs.
func (o *fakeOrg) create(n int, industry string) []string {
	ids := make([]string, n)
	for i := range ids {
		o.mu.Lock()
		o.seq++
		ids[i] = fmt.Sprintf("001%012dAAA", o.seq)
		o.mu.Unlock()
		o.put(ids[i], map[string]any{"Name": fmt.Sprintf("acct-%d", o.seq), "Industry": industry, "Score__c": "1"}, false)
	}
	return ids
}

func (o *fakeOrg) commit(id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.recs[id].committed = true
}

func (o *fakeOrg) remove(id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.recs[id]
	r.deleted, r.modstamp = true, o.clock
}

// setFormula changes a formula value without moving SystemModstamp.
func (o *fakeOrg) setFormula(id, score string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.recs[id].fields["Score__c"] = score
}

// live returns the committed, undeleted records' fields by ID.
func (o *fakeOrg) live() map[string]map[string]any {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := map[string]map[string]any{}
	for id, r := range o.recs {
		if r.committed && !r.deleted {
			out[id] = r.fields
		}
	}
	return out
}

func (o *fakeOrg) callCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls
}

// call counts one API call and reports whether it is the injected failure,
// or ctx ended.
func (o *fakeOrg) call(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	if o.failCall > 0 && o.calls == o.failCall {
		if o.failWith != nil {
			return o.failWith
		}
		return fmt.Errorf("call %d: %w", o.calls, errInjected)
	}
	return nil
}

// Read implements Reader. The result set is fixed when the read starts, as
// a query locator's is.
func (o *fakeOrg) Read(ctx context.Context, rd Read) iter.Seq2[Batch, error] {
	return func(yield func(Batch, error) bool) {
		if err := o.call(ctx); err != nil {
			yield(Batch{}, err)
			return
		}
		q, err := soql.Parse(rd.SOQL)
		if err != nil {
			yield(Batch{}, err)
			return
		}
		matched, err := o.run(q, rd.All)
		if err != nil {
			yield(Batch{}, err)
			return
		}
		for i := 0; ; i += o.pageSize {
			if i > 0 {
				if err := o.call(ctx); err != nil {
					yield(Batch{}, err)
					return
				}
			}
			page := o.render(q, matched[i:min(i+o.pageSize, len(matched))])
			if !yield(Batch{Total: len(matched), Records: page}, nil) || i+o.pageSize >= len(matched) {
				return
			}
		}
	}
}

// run returns the records a query selects, in its order.
func (o *fakeOrg) run(q *soql.Query, all bool) ([]*fakeRec, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var hits []*fakeRec
	for _, r := range o.recs {
		if !r.committed || r.deleted && !all {
			continue
		}
		ok, err := o.eval(q.Where, r)
		if err != nil {
			return nil, err
		}
		if ok {
			hits = append(hits, r)
		}
	}
	slices.SortFunc(hits, func(a, b *fakeRec) int {
		for _, item := range q.OrderBy {
			c := o.compare(item.Expr.(*soql.Field).Name(), a, b)
			if item.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	if q.Limit != nil && len(hits) > *q.Limit {
		hits = hits[:*q.Limit]
	}
	return hits, nil
}

// render turns one page of records into what Salesforce sends: the
// selected fields, in order. Pages are rendered one at a time, as a query
// locator serves them.
func (o *fakeOrg) render(q *soql.Query, hits []*fakeRec) []*salesforce.Record {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]*salesforce.Record, len(hits))
	for i, r := range hits {
		rec := salesforce.NewRecord("Account")
		for _, it := range q.Select {
			name := it.(*soql.SelectExpr).Expr.(*soql.Field).Name()
			rec.Set(name, r.value(name))
		}
		out[i] = rec
	}
	return out
}

func (o *fakeOrg) compare(field string, a, b *fakeRec) int {
	switch field {
	case fieldModstamp:
		return a.modstamp.Compare(b.modstamp)
	case fieldID:
		return strings.Compare(a.id, b.id)
	}
	return cmp.Compare(fmt.Sprint(a.fields[field]), fmt.Sprint(b.fields[field]))
}

func (r *fakeRec) value(field string) any {
	switch field {
	case fieldID:
		return r.id
	case fieldModstamp:
		return salesforce.FormatTime(r.modstamp)
	case fieldIsDeleted:
		return r.deleted
	}
	return r.fields[field]
}

func (o *fakeOrg) eval(c soql.Cond, r *fakeRec) (bool, error) {
	switch c := c.(type) {
	case nil:
		return true, nil
	case *soql.Logic:
		for _, sub := range c.Conds {
			ok, err := o.eval(sub, r)
			if err != nil || ok == (c.Op == soql.Or) {
				return ok, err
			}
		}
		return c.Op == soql.And, nil
	case *soql.Not:
		ok, err := o.eval(c.Cond, r)
		return !ok, err
	case *soql.Comparison:
		name := c.Left.(*soql.Field).Name()
		var diff int
		switch right := c.Right.(type) {
		case *soql.DateTimeLit:
			a, b := r.modstamp, right.Time
			if o.seconds {
				a, b = a.Truncate(time.Second), b.Truncate(time.Second)
			}
			diff = a.Compare(b)
		case *soql.StringLit:
			diff = strings.Compare(fmt.Sprint(r.value(name)), right.Value)
		default:
			return false, fmt.Errorf("fakeOrg: unsupported value %T", c.Right)
		}
		switch c.Op {
		case soql.OpEqual:
			return diff == 0, nil
		case soql.OpNotEqual:
			return diff != 0, nil
		case soql.OpGreater:
			return diff > 0, nil
		case soql.OpGreaterEqual:
			return diff >= 0, nil
		}
		return false, fmt.Errorf("fakeOrg: unsupported operator %s", c.Op)
	}
	return false, fmt.Errorf("fakeOrg: unsupported condition %T", c)
}
