package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/soql"
	"github.com/sfbridge/sfbridge/internal/store"
)

// prepared is a change ready to send: its fields, or why it cannot be sent.
type prepared struct {
	ch     sheet.Change
	fields map[string]any
}

// prepare builds the fields of each change; changes whose values cannot be
// sent become dead letters at once, and changes that set nothing are
// settled at once. It returns the others.
func (w *Writer) prepare(ctx context.Context, chs []sheet.Change, create bool, st *OutStats) ([]prepared, error) {
	out := make([]prepared, 0, len(chs))
	for _, ch := range chs {
		fields, err := w.fields(ch, create)
		if err != nil {
			f := store.Failure{Code: codeInvalidValue, Message: err.Error()}
			f.Advice = advice(f, w.plan.Object, ch.RowID, w.columns)
			if err := w.fail(ctx, w.opts.Store, ch, f); err != nil {
				return nil, err
			}
			st.Failed++
			continue
		}
		if len(fields) == 0 {
			// Nothing mapped changed: the row is in step as it is.
			if err := w.synced(ctx, w.opts.Store, ch, sheet.Sent{}); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, prepared{ch, fields})
	}
	return out, nil
}

func changesOf(ps []prepared) []sheet.Change {
	out := make([]sheet.Change, len(ps))
	for i, p := range ps {
		out[i] = p.ch
	}
	return out
}

// sendNew sends rows that have no record yet, as the operation says.
func (w *Writer) sendNew(ctx context.Context, chs []sheet.Change, st *OutStats) error {
	ps, err := w.prepare(ctx, chs, true, st)
	if err != nil || len(ps) == 0 {
		return err
	}
	switch w.plan.Operation {
	case OpUpsert:
		return w.upsert(ctx, ps, st)
	case OpUpdate:
		return w.updateByKey(ctx, ps, st)
	}
	return w.create(ctx, ps, st)
}

// create creates records, each journaled first (ADR 0160): a crash between
// Salesforce's answer and the commit that writes the ID back leaves the
// entry open, and the next drain finds the record instead of creating a
// second one.
func (w *Writer) create(ctx context.Context, ps []prepared, st *OutStats) error {
	keys := make([]string, len(ps))
	err := w.opts.Store.Write(ctx, func(tx *store.Tx) error {
		for i, p := range ps {
			e, err := tx.Journal().Open(ctx, w.opts.WorkflowID, w.sh.ID, p.ch.RowID)
			if err != nil {
				return err
			}
			keys[i] = e.Key
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("journaling creates of sheet %q: %w", w.sh.Name, err)
	}
	records := make([]*salesforce.Record, len(ps))
	for i, p := range ps {
		records[i] = w.record(p.fields)
	}
	call, cancel := w.call(ctx)
	results, reqErr := w.opts.Client.CreateMany(call, records, false)
	cancel()
	closeKey := func(tx *store.Tx, i int) error {
		_, err := tx.Journal().Close(ctx, keys[i], "")
		return err
	}
	return w.settle(ctx, changesOf(ps), results, reqErr, st, func(sc store.Scope, i int, res salesforce.Result) error {
		st.Created++
		return w.synced(ctx, sc, ps[i].ch, sheet.Sent{SFID: res.ID, Record: ps[i].fields, JournalKey: keys[i]})
	}, closeKey)
}

// upsert creates or updates records by the External ID field.
func (w *Writer) upsert(ctx context.Context, ps []prepared, st *OutStats) error {
	var send []prepared
	for _, p := range ps {
		if v, ok := p.fields[w.plan.ExternalID]; !ok || v == nil || v == "" {
			f := store.Failure{Code: codeNoKey, Message: fmt.Sprintf("column %s, the value of the External ID field %s, is empty", w.plan.ExternalIDColumn, w.plan.ExternalID)}
			f.Advice = advice(f, w.plan.Object, p.ch.RowID, w.columns)
			if err := w.fail(ctx, w.opts.Store, p.ch, f); err != nil {
				return err
			}
			st.Failed++
			continue
		}
		send = append(send, p)
	}
	if len(send) == 0 {
		return nil
	}
	records := make([]*salesforce.Record, len(send))
	for i, p := range send {
		records[i] = w.record(p.fields)
	}
	call, cancel := w.call(ctx)
	results, reqErr := w.opts.Client.UpsertMany(call, w.plan.Object, w.plan.ExternalID, records, false)
	cancel()
	return w.settle(ctx, changesOf(send), results, reqErr, st, func(sc store.Scope, i int, res salesforce.Result) error {
		if res.Created {
			st.Created++
		} else {
			st.Updated++
		}
		return w.synced(ctx, sc, send[i].ch, sheet.Sent{SFID: res.ID, Record: send[i].fields})
	}, nil)
}

// updateByKey links new rows to the records whose key field equals their
// key column (one query), then updates them.
func (w *Writer) updateByKey(ctx context.Context, ps []prepared, st *OutStats) error {
	var (
		send []prepared
		keys []string
	)
	for _, p := range ps {
		key := ""
		if v := cells(w.sh, p.ch.Row)[w.plan.MatchColumn]; w.plan.MatchColumn != "" && v != nil {
			key = fmt.Sprint(v)
		}
		if key == "" {
			msg := "the workflow updates existing records only, and the row has no Salesforce ID"
			if w.plan.MatchColumn != "" {
				msg = fmt.Sprintf("column %s, which says which record to update, is empty", w.plan.MatchColumn)
			}
			if err := w.failWith(ctx, p.ch, codeNoKey, msg, st); err != nil {
				return err
			}
			continue
		}
		send, keys = append(send, p), append(keys, key)
	}
	if len(send) == 0 {
		return nil
	}
	ids, err := w.matchKeys(ctx, keys)
	if err != nil {
		if stopsDrain(err) {
			return errors.Join(w.giveBack(ctx, changesOf(send)), err)
		}
		return w.settle(ctx, changesOf(send), nil, err, st, nil, nil) // no result is a success: ok is never called
	}
	var found []prepared
	for i, p := range send {
		id := ids[keys[i]]
		if id == "" {
			msg := fmt.Sprintf("no %s has %s = %q", w.plan.Object, w.plan.MatchField, keys[i])
			if err := w.failWith(ctx, p.ch, codeNoMatch, msg, st); err != nil {
				return err
			}
			continue
		}
		p.fields["Id"] = id
		found = append(found, p)
	}
	if len(found) == 0 {
		return nil
	}
	records := make([]*salesforce.Record, len(found))
	for i, p := range found {
		records[i] = w.record(p.fields)
	}
	call, cancel := w.call(ctx)
	results, reqErr := w.opts.Client.UpdateMany(call, records, false)
	cancel()
	return w.settle(ctx, changesOf(found), results, reqErr, st, func(sc store.Scope, i int, _ salesforce.Result) error {
		st.Updated++
		id, _ := found[i].fields["Id"].(string)
		return w.synced(ctx, sc, found[i].ch, sheet.Sent{SFID: id, Record: withoutID(found[i].fields)})
	}, nil)
}

// matchKeys finds the records whose MatchField holds each key: key → ID.
func (w *Writer) matchKeys(ctx context.Context, keys []string) (map[string]string, error) {
	in := make([]soql.Expr, 0, len(keys))
	for _, k := range keys {
		in = append(in, &soql.StringLit{Value: k})
	}
	q := &soql.Query{From: w.plan.Object, Select: selectItems([]string{"Id", w.plan.MatchField}),
		Where: &soql.Comparison{Left: field(w.plan.MatchField), Op: soql.OpIn, Right: &soql.ListLit{Values: in}}}
	out := map[string]string{}
	call, cancel := w.call(ctx)
	defer cancel()
	for rec, err := range w.opts.Client.Query(call, q.String()) {
		if err != nil {
			return nil, fmt.Errorf("finding %s records by %s: %w", w.plan.Object, w.plan.MatchField, err)
		}
		v, _ := rec.Get(w.plan.MatchField)
		if k := fmt.Sprint(v); out[k] == "" {
			out[k] = rec.ID()
		}
	}
	return out, nil
}

// failWith makes a change a dead letter for a reason sfbridge found.
func (w *Writer) failWith(ctx context.Context, ch sheet.Change, code, msg string, st *OutStats) error {
	f := store.Failure{Code: code, Message: msg}
	f.Advice = advice(f, w.plan.Object, ch.RowID, w.columns)
	st.Failed++
	return w.fail(ctx, w.opts.Store, ch, f)
}

// sendUpdates updates the records of changed rows with the changed fields.
func (w *Writer) sendUpdates(ctx context.Context, chs []sheet.Change, st *OutStats) error {
	ps, err := w.prepare(ctx, chs, false, st)
	if err != nil || len(ps) == 0 {
		return err
	}
	records := make([]*salesforce.Record, len(ps))
	for i, p := range ps {
		records[i] = w.record(p.fields).Set("Id", p.ch.Row.SFID)
	}
	call, cancel := w.call(ctx)
	results, reqErr := w.opts.Client.UpdateMany(call, records, false)
	cancel()
	// A record deleted in Salesforce is never brought back by a stale
	// write: on a two-way workflow its row goes too; otherwise the change
	// is a dead letter that says so.
	var goneRows []int
	for i := range results {
		if results[i].Err != nil && w.plan.Policy != "" && errors.Is(results[i].Err, salesforce.ErrNotFound) && perRecord(results[i].Err) {
			goneRows = append(goneRows, i)
			results[i].Err = nil
		}
	}
	return w.settle(ctx, changesOf(ps), results, reqErr, st, func(sc store.Scope, i int, _ salesforce.Result) error {
		ch := ps[i].ch
		if slices.Contains(goneRows, i) {
			ch.Op = store.OpDelete
			st.Deleted++
			return w.synced(ctx, sc, ch, sheet.Sent{})
		}
		st.Updated++
		return w.synced(ctx, sc, ch, sheet.Sent{Record: ps[i].fields})
	}, nil)
}

// sendDeletes deletes the records of rows deleted in the sheet, when the
// workflow propagates deletes; otherwise the rows go, and the records stay.
func (w *Writer) sendDeletes(ctx context.Context, chs []sheet.Change, st *OutStats) error {
	var send []sheet.Change
	for _, ch := range chs {
		if !w.plan.PropagateDeletes || ch.Row.SFID == "" {
			st.Deleted++
			if err := w.synced(ctx, w.opts.Store, ch, sheet.Sent{}); err != nil {
				return err
			}
			continue
		}
		send = append(send, ch)
	}
	if len(send) == 0 {
		return nil
	}
	ids := make([]string, len(send))
	for i, ch := range send {
		ids[i] = ch.Row.SFID
	}
	call, cancel := w.call(ctx)
	results, reqErr := w.opts.Client.DeleteMany(call, ids, false)
	cancel()
	for i := range results {
		// Already deleted (by someone else, or by an attempt whose answer
		// was lost): the delete is done.
		if results[i].Err != nil && perRecord(results[i].Err) && errors.Is(results[i].Err, salesforce.ErrNotFound) {
			results[i].Err = nil
		}
	}
	return w.settle(ctx, send, results, reqErr, st, func(sc store.Scope, i int, _ salesforce.Result) error {
		st.Deleted++
		return w.synced(ctx, sc, send[i], sheet.Sent{})
	}, nil)
}

// withoutID is fields without "Id".
func withoutID(fields map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		if !strings.EqualFold(k, "Id") {
			out[k] = v
		}
	}
	return out
}
