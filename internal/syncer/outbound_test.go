package syncer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// accountCode is an External ID field on Account, for upserts.
const accountCode = `version: 1
objects:
- name: Account
  fields:
  - {name: Code__c, type: string, length: 20, externalId: true, unique: true}
`

// outEnv is the emulator, a store with an Accounts sheet (Name, Industry,
// Code) and an outbound writer over it.
type outEnv struct {
	*emulated
	sh   *sheet.Sheet
	plan *Outbound
}

func newOutEnv(t testing.TB, op Operation) *outEnv {
	t.Helper()
	e := newEmulated(t)
	if err := e.emu.AddSchema("code.yaml", []byte(accountCode)); err != nil {
		t.Fatal(err)
	}
	sh, err := sheet.Create(context.Background(), e.st, "Out", []sheet.Column{
		{Name: "Name", Type: sheet.TypeText},
		{Name: "Industry", Type: sheet.TypeText},
		{Name: "Code", Type: sheet.TypeText},
	})
	if err != nil {
		t.Fatal(err)
	}
	plan := &Outbound{Object: "Account", Operation: op, PropagateDeletes: true,
		Fields: []OutField{textField("Name", "Name"), textField("Industry", "Industry"), textField("Code", "Code__c")}}
	if op == OpUpsert {
		plan.ExternalID, plan.ExternalIDColumn = "Code__c", "Code"
	}
	return &outEnv{emulated: e, sh: sh, plan: plan}
}

// textField maps a text column to a field, as the binder does for plain
// text: the cell's value as is.
func textField(column, field string) OutField {
	return OutField{Column: column, Writes: []string{field},
		Values: func(c map[string]any) (map[string]any, error) { return map[string]any{field: c[column]}, nil }}
}

func (o *outEnv) writer(t testing.TB) *Writer {
	t.Helper()
	w, err := NewWriter(WriterOptions{Store: o.st, Sheet: o.sh, WorkflowID: o.fx.wf.ID, Client: o.client, Plan: o.plan,
		RetryBase: time.Millisecond, RetryCap: 2 * time.Millisecond, Lease: 50 * time.Millisecond, CallTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// insert adds rows as a user would (name, industry, code each).
func (o *outEnv) insert(t testing.TB, rows ...[3]any) []int64 {
	t.Helper()
	b := sheet.Batch{Columns: []string{"Name", "Industry", "Code"}, Origin: sheet.OriginUser}
	for _, r := range rows {
		b.Rows = append(b.Rows, sheet.Input{Values: r[:]})
	}
	ids, _, err := o.sh.Insert(context.Background(), o.st, b)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func (o *outEnv) edit(t *testing.T, id int64, column string, v any) {
	t.Helper()
	_, err := o.sh.Update(context.Background(), o.st, sheet.Batch{Columns: []string{column}, Origin: sheet.OriginUser,
		Rows: []sheet.Input{{ID: id, Values: []any{v}}}})
	if err != nil {
		t.Fatal(err)
	}
}

// settle drains until nothing is due, as the running writer would over
// time, and fails the test if the outbox never empties.
func (o *outEnv) settle(t *testing.T, w *Writer) OutStats {
	t.Helper()
	var total OutStats
	for range 500 {
		st, err := w.Drain(context.Background())
		total.add(st)
		total.APICalls += st.APICalls
		if err != nil && !errors.Is(err, errCrash) {
			t.Fatal(err)
		}
		stats, err := o.st.Outbox().Stats(context.Background(), o.sh.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stats.Due+stats.Waiting+stats.InFlight == 0 {
			return total
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("the outbox of sheet %q never emptied", o.sh.Name)
	return total
}

var errCrash = errors.New("crash")

func (o *outEnv) row(t *testing.T, id int64) *sheet.Row {
	t.Helper()
	r, err := o.sh.Get(context.Background(), o.st, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// accounts reads every Account in the emulator: Id → Name|Industry|Code.
func (o *outEnv) accounts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for rec, err := range o.client.Query(context.Background(), "SELECT Id, Name, Industry, Code__c FROM Account") {
		if err != nil {
			t.Fatal(err)
		}
		n, _ := rec.String("Name")
		i, _ := rec.String("Industry")
		c, _ := rec.String("Code__c")
		out[rec.ID()] = n + "|" + i + "|" + c
	}
	return out
}

func TestWriterCreateUpdateDelete(t *testing.T) {
	o := newOutEnv(t, OpCreate)
	ids := o.insert(t, [3]any{"Acme", "Technology", nil}, [3]any{"Globex", "Energy", nil}, [3]any{"Initech", nil, nil})
	w := o.writer(t)
	st := o.settle(t, w)
	if st.Created != 3 || st.APICalls != 1 {
		t.Fatalf("created %d in %d calls, want 3 in 1: %+v", st.Created, st.APICalls, st)
	}
	accts := o.accounts(t)
	for _, id := range ids {
		r := o.row(t, id)
		if r.Status != sheet.StatusSynced || r.SFID == "" {
			t.Fatalf("row %d: status %s, ID %q", id, r.Status, r.SFID)
		}
		if want := fmt.Sprintf("%v|", r.Values[0]); !strings.HasPrefix(accts[r.SFID], want) {
			t.Errorf("record %s = %q, want %q...", r.SFID, accts[r.SFID], want)
		}
	}

	o.edit(t, ids[0], "Industry", "Banking")
	st = o.settle(t, w)
	if st.Updated != 1 {
		t.Fatalf("updated %d, want 1: %+v", st.Updated, st)
	}
	acme := o.row(t, ids[0])
	if got := o.accounts(t)[acme.SFID]; got != "Acme|Banking|" {
		t.Errorf("after the edit the record is %q", got)
	}
	link, err := o.st.Links().Get(context.Background(), o.fx.wf.ID, ids[0])
	if err != nil || link.Record["Industry"] != "Banking" {
		t.Errorf("link %+v, %v: want the last synced Industry", link.Record, err)
	}

	if _, err := o.sh.DeleteAsUser(context.Background(), o.st, "test", []int64{ids[1]}); err != nil {
		t.Fatal(err)
	}
	globex := o.row(t, ids[1])
	st = o.settle(t, w)
	if st.Deleted != 1 {
		t.Fatalf("deleted %d, want 1: %+v", st.Deleted, st)
	}
	if _, ok := o.accounts(t)[globex.SFID]; ok {
		t.Error("the record of the deleted row is still in Salesforce")
	}
	if _, err := o.sh.Get(context.Background(), o.st, ids[1]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the deleted row is still in the sheet: %v", err)
	}
	if n := len(o.accounts(t)); n != 2 {
		t.Errorf("%d accounts, want 2", n)
	}
}

func TestWriterUpsertByExternalID(t *testing.T) {
	o := newOutEnv(t, OpUpsert)
	ctx := context.Background()
	// A record that already has code C-1: the row with that code updates it.
	existing, err := o.client.Create(ctx, "Account", salesforce.NewRecord("Account").Set("Name", "Old").Set("Code__c", "C-1"))
	if err != nil {
		t.Fatal(err)
	}
	ids := o.insert(t, [3]any{"New name", "Technology", "C-1"}, [3]any{"Fresh", nil, "C-2"}, [3]any{"No key", nil, nil})
	st := o.settle(t, o.writer(t))
	if st.Created != 1 || st.Updated != 1 || st.Failed != 1 {
		t.Fatalf("stats %+v: want 1 created, 1 updated, 1 failed (no key)", st)
	}
	if r := o.row(t, ids[0]); r.SFID != existing {
		t.Errorf("row with code C-1 linked to %q, want the existing record %s", r.SFID, existing)
	}
	if got := o.accounts(t)[existing]; got != "New name|Technology|C-1" {
		t.Errorf("existing record is %q", got)
	}
	noKey := o.row(t, ids[2])
	if noKey.Status != sheet.StatusFailed || !strings.Contains(noKey.Error, "column Code") {
		t.Errorf("row without a key: %s %q", noKey.Status, noKey.Error)
	}
	if n := len(o.accounts(t)); n != 2 {
		t.Errorf("%d accounts, want 2", n)
	}
}

func TestWriterUpdateByKey(t *testing.T) {
	o := newOutEnv(t, OpUpdate)
	o.plan.MatchField, o.plan.MatchColumn = "Code__c", "Code"
	ctx := context.Background()
	existing, err := o.client.Create(ctx, "Account", salesforce.NewRecord("Account").Set("Name", "Old").Set("Code__c", "K-1"))
	if err != nil {
		t.Fatal(err)
	}
	ids := o.insert(t, [3]any{"Renamed", nil, "K-1"}, [3]any{"Nobody", nil, "K-404"})
	st := o.settle(t, o.writer(t))
	if st.Updated != 1 || st.Failed != 1 || st.Created != 0 {
		t.Fatalf("stats %+v: want 1 updated, 1 failed", st)
	}
	if r := o.row(t, ids[0]); r.SFID != existing || r.Status != sheet.StatusSynced {
		t.Errorf("row 1: %q %s, want linked to %s", r.SFID, r.Status, existing)
	}
	if r := o.row(t, ids[1]); r.Status != sheet.StatusFailed || !strings.Contains(r.Error, `Code__c = "K-404"`) {
		t.Errorf("row 2: %s %q", r.Status, r.Error)
	}
	if n := len(o.accounts(t)); n != 1 {
		t.Errorf("%d accounts, want 1: update never creates", n)
	}
}

func TestWriterDeadLetterAndRequeue(t *testing.T) {
	o := newOutEnv(t, OpCreate)
	ctx := context.Background()
	// Account requires Name: the second row is refused, the others go.
	ids := o.insert(t, [3]any{"Acme", nil, nil}, [3]any{nil, "Energy", nil}, [3]any{"Initech", nil, nil})
	w := o.writer(t)
	st := o.settle(t, w)
	if st.Created != 2 || st.Failed != 1 {
		t.Fatalf("stats %+v: want 2 created, 1 failed", st)
	}
	bad := o.row(t, ids[1])
	if bad.Status != sheet.StatusFailed || !strings.Contains(bad.Error, "Salesforce requires Name (column Name) on Account") {
		t.Fatalf("refused row: %s %q", bad.Status, bad.Error)
	}
	dls, err := o.st.DeadLetters().List(ctx, store.DeadLetterFilter{WorkflowID: o.fx.wf.ID}, 0, 10)
	if err != nil || len(dls) != 1 {
		t.Fatalf("dead letters %+v, %v", dls, err)
	}
	if dls[0].Code != "REQUIRED_FIELD_MISSING" || dls[0].RowID != ids[1] || len(dls[0].Fields) == 0 {
		t.Errorf("dead letter %+v", dls[0])
	}
	// Requeued as it is: refused again, a dead letter again.
	if err := o.sh.Requeue(ctx, o.st, dls[0].ID, "test"); err != nil {
		t.Fatal(err)
	}
	if st = o.settle(t, w); st.Failed != 1 {
		t.Fatalf("after requeue: %+v", st)
	}
	dls, _ = o.st.DeadLetters().List(ctx, store.DeadLetterFilter{WorkflowID: o.fx.wf.ID}, 0, 10)
	if len(dls) != 1 || dls[0].RowID != ids[1] || dls[0].Code != "REQUIRED_FIELD_MISSING" {
		t.Fatalf("dead letters after a second refusal: %+v", dls)
	}
	// Fixed in the sheet: it goes, and its dead letter with it.
	o.edit(t, ids[1], "Name", "Globex")
	if st = o.settle(t, w); st.Created != 1 {
		t.Fatalf("after the fix: %+v", st)
	}
	if r := o.row(t, ids[1]); r.Status != sheet.StatusSynced || r.SFID == "" {
		t.Errorf("fixed row: %s %q", r.Status, r.SFID)
	}
	if dls, _ = o.st.DeadLetters().List(ctx, store.DeadLetterFilter{WorkflowID: o.fx.wf.ID}, 0, 10); len(dls) != 0 {
		t.Errorf("dead letters left after the row synced: %+v", dls)
	}
	if n := len(o.accounts(t)); n != 3 {
		t.Errorf("%d accounts, want 3", n)
	}
}

// TestWriterFaults sends creates, updates and deletes through every fault
// the emulator injects; each row ends in Salesforce exactly once.
func TestWriterFaults(t *testing.T) {
	for _, kind := range []sfemu.FaultKind{sfemu.FaultUnavailable, sfemu.FaultLockRow, sfemu.FaultDrop, sfemu.FaultExpireSession, sfemu.FaultUnknownException} {
		t.Run(string(kind), func(t *testing.T) {
			o := newOutEnv(t, OpCreate)
			var rows [][3]any
			for i := range 30 {
				rows = append(rows, [3]any{fmt.Sprintf("Account %d", i), nil, nil})
			}
			ids := o.insert(t, rows...)
			if err := o.emu.SetFaults(sfemu.FaultPlan{Seed: 7, Faults: []sfemu.Fault{
				{Kind: kind, Rate: 0.5, Path: "/services/data/*/composite/sobjects"},
			}}); err != nil {
				t.Fatal(err)
			}
			w := o.writer(t)
			st := o.settle(t, w)
			t.Logf("creates: %+v", st)
			for i, id := range ids[:10] {
				o.edit(t, id, "Industry", fmt.Sprintf("I%d", i))
			}
			if _, err := o.sh.DeleteAsUser(context.Background(), o.st, "test", ids[20:]); err != nil {
				t.Fatal(err)
			}
			o.settle(t, w)
			if err := o.emu.SetFaults(sfemu.FaultPlan{}); err != nil {
				t.Fatal(err)
			}
			accts := o.accounts(t)
			if len(accts) != 20 {
				t.Fatalf("%d accounts in Salesforce, want 20 (no duplicate, deletes applied)", len(accts))
			}
			for i, id := range ids[:20] {
				r := o.row(t, id)
				want := fmt.Sprintf("Account %d|", i)
				if i < 10 {
					want += fmt.Sprintf("I%d|", i)
				} else {
					want += "|"
				}
				if r.Status != sheet.StatusSynced || accts[r.SFID] != want {
					t.Errorf("row %d: %s %q, record %q, want %q", id, r.Status, r.Error, accts[r.SFID], want)
				}
			}
		})
	}
}

// TestWriterCrashAfterAnswer kills the writer between Salesforce's answer
// to a create and the commit that records it: the next writer finds the
// records in Salesforce instead of creating them again.
func TestWriterCrashAfterAnswer(t *testing.T) {
	o := newOutEnv(t, OpCreate)
	ids := o.insert(t, [3]any{"Acme", "Technology", nil}, [3]any{"Globex", nil, nil}, [3]any{"Acme", "Energy", nil})
	w := o.writer(t)
	w.beforeSettle = func() error { return errCrash }
	if _, err := w.Drain(context.Background()); !errors.Is(err, errCrash) {
		t.Fatalf("drain: %v, want the crash", err)
	}
	if n := len(o.accounts(t)); n != 3 {
		t.Fatalf("%d accounts after the crash, want 3", n)
	}
	open, err := o.st.Journal().ListOpen(context.Background(), o.fx.wf.ID)
	if err != nil || len(open) != 3 {
		t.Fatalf("open creates %d, %v: want 3", len(open), err)
	}
	restarted := o.writer(t)
	st := o.settle(t, restarted)
	if st.Reconciled != 3 || st.Created != 0 {
		t.Errorf("after restart: %+v, want 3 reconciled, none created", st)
	}
	accts := o.accounts(t)
	if len(accts) != 3 {
		t.Fatalf("%d accounts, want 3: a create was repeated", len(accts))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		r := o.row(t, id)
		if r.Status != sheet.StatusSynced || r.SFID == "" || seen[r.SFID] {
			t.Errorf("row %d: %s %q (seen %v)", id, r.Status, r.SFID, seen[r.SFID])
		}
		seen[r.SFID] = true
		if want := fmt.Sprintf("%v|%v|", r.Values[0], nz(r.Values[1])); accts[r.SFID] != want {
			t.Errorf("row %d linked to %q, want %q", id, accts[r.SFID], want)
		}
	}
}

func nz(v any) any {
	if v == nil {
		return ""
	}
	return v
}

func TestBackoff(t *testing.T) {
	w := &Writer{opts: WriterOptions{RetryBase: time.Second, RetryCap: 10 * time.Second}}
	for _, c := range []struct {
		attempts int
		want     time.Duration
	}{{0, time.Second}, {1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {4, 8 * time.Second}, {5, 10 * time.Second}, {60, 10 * time.Second}} {
		if got := w.backoff(c.attempts); got != c.want {
			t.Errorf("backoff(%d) = %v, want %v", c.attempts, got, c.want)
		}
	}
}

// TestSenderSendsEdits runs the Sender: a row inserted through sfbridge
// and one edited with direct SQL both reach Salesforce, and the run is
// recorded as outbound.
func TestSenderSendsEdits(t *testing.T) {
	o := newOutEnv(t, OpCreate)
	ctx := context.Background()
	s := NewSender(SenderOptions{Store: o.st, Connector: &fixedConnector{client: o.client}, Binder: outBinder{o.plan, o.sh},
		Poll: 10 * time.Millisecond})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	ids := o.insert(t, [3]any{"Acme", nil, nil})
	sfid := waitFor(t, func() (string, bool) {
		r := o.row(t, ids[0])
		return r.SFID, r.Status == sheet.StatusSynced
	})
	// As a person's SQL would: no signal, the Sender's poll sees it.
	if err := o.st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE `+store.QuoteIdent(o.sh.Table)+` SET "industry" = 'Direct SQL' WHERE "_id" = $1`, ids[0])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() (string, bool) {
		got := o.accounts(t)[sfid]
		return got, got == "Acme|Direct SQL|"
	})
	runs, err := o.st.Runs().List(ctx, o.fx.wf.ID, 0, 10)
	if err != nil || len(runs) == 0 || runs[0].Direction != store.Outbound {
		t.Errorf("runs %+v, %v: want outbound runs", runs, err)
	}
	s.Stop()
	s.Stop() // idempotent
}
