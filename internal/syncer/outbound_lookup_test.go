package syncer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// accountExtID adds an External ID field to Account, as an org that keys
// its accounts by an ERP's codes would have.
const accountExtID = `version: 1
objects:
- name: Account
  fields:
  - {name: Ext_Id__c, type: string, length: 40, externalId: true, unique: true}
`

// contactsByAccountKey is an outbound workflow creating Contacts linked to
// their Account through the Account's External ID.
const contactsByAccountKey = `version: 1
name: contacts
org: Acme
owner: ada
object: Contact
sheet: contacts
direction: outbound
fields:
  - { salesforce: LastName, column: last_name }
  - { salesforce: Account.Ext_Id__c, column: account_key, transform: [trim] }
outbound: { operation: create }
`

// outboundFromPlan builds the writer's plan from a compiled workflow, the
// way the server binds one: each field flowing outbound writes what
// Plan.OutboundValues gives for the row's cells.
func outboundFromPlan(plan *workflow.Plan) *Outbound {
	out := &Outbound{Object: plan.Object, Operation: Operation(plan.Outbound.Operation)}
	for _, fp := range plan.Fields {
		if !fp.Direction.Has(mapping.Outbound) {
			continue
		}
		out.Fields = append(out.Fields, OutField{Column: fp.Column, Writes: fp.Writes, CreateOnly: fp.CreateOnly,
			Values: func(cells map[string]any) (map[string]any, error) { return plan.OutboundValues(fp, cells) }})
	}
	return out
}

// lookupEnv is the emulator with Accounts ACME-1 and ACME-2 keyed by
// Ext_Id__c, a workflow compiled against its describes, and a sheet of
// the workflow's columns (plus the version column of the inbound side).
type lookupEnv struct {
	*emulated
	accounts map[string]string // key -> Id
	plan     *workflow.Plan
	sh       *sheet.Sheet
}

func newLookupEnv(t *testing.T, doc string) *lookupEnv {
	t.Helper()
	e := newEmulated(t)
	ctx := context.Background()
	if err := e.emu.AddSchema("ext.yaml", []byte(accountExtID)); err != nil {
		t.Fatal(err)
	}
	accounts := map[string]string{}
	for _, key := range []string{"ACME-1", "ACME-2"} {
		id, err := e.client.Create(ctx, "Account", salesforce.NewRecord("").Set("Name", "Account "+key).Set("Ext_Id__c", key))
		if err != nil {
			t.Fatal(err)
		}
		accounts[key] = id
	}
	describe := func(ctx context.Context, object string) (*salesforce.SObjectDescribe, error) {
		d, err := e.client.Describe(ctx, object)
		if errors.Is(err, salesforce.ErrNotFound) {
			return nil, workflow.ErrObjectNotFound
		}
		return d, err
	}
	_, plan, err := workflow.Load(ctx, "contacts.yaml", []byte(doc), workflow.Env{Describe: describe})
	if err != nil {
		t.Fatal(err)
	}
	cols := []sheet.Column{{Name: "Salesforce Modstamp", Type: sheet.TypeDateTime}}
	for _, c := range plan.Columns {
		cols = append(cols, sheet.Column{Name: c.Name, Type: sheet.TypeText})
	}
	sh, err := sheet.Create(ctx, e.st, "contacts", cols)
	if err != nil {
		t.Fatal(err)
	}
	return &lookupEnv{emulated: e, accounts: accounts, plan: plan, sh: sh}
}

// contacts reads every Contact: LastName -> AccountId.
func (l *lookupEnv) contacts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for rec, err := range l.client.Query(context.Background(), "SELECT LastName, AccountId FROM Contact") {
		if err != nil {
			t.Fatal(err)
		}
		n, _ := rec.String("LastName")
		a, _ := rec.String("AccountId")
		out[n] = a
	}
	return out
}

// TestWriterLookupByParentKey compiles a workflow against the emulator's
// describes and sends rows whose account_key names their Account by its
// External ID, through sObject Collections: a key that matches links the
// Contact to that Account (on create and on update); one that matches
// nothing is a dead letter that says what to do, and goes once fixed.
func TestWriterLookupByParentKey(t *testing.T) {
	l := newLookupEnv(t, contactsByAccountKey)
	e, sh, accounts := l.emulated, l.sh, l.accounts
	ctx := context.Background()
	o := &outEnv{emulated: e, sh: sh, plan: outboundFromPlan(l.plan)}
	w := o.writer(t)
	insert := sheet.Batch{Columns: []string{"last_name", "account_key"}, Origin: sheet.OriginUser, Rows: []sheet.Input{
		{Values: []any{"Doe", "ACME-1"}}, {Values: []any{"Roe", "NOPE-9"}}, {Values: []any{"Poe", " ACME-2 "}},
	}}
	ids, _, err := sh.Insert(ctx, e.st, insert)
	if err != nil {
		t.Fatal(err)
	}
	if st := o.settle(t, w); st.Created != 2 || st.Failed != 1 {
		t.Fatalf("stats %+v: want 2 created, 1 failed", st)
	}
	if got := l.contacts(t); len(got) != 2 || got["Doe"] != accounts["ACME-1"] || got["Poe"] != accounts["ACME-2"] {
		t.Fatalf("contacts %v: want Doe under %s and Poe under %s", got, accounts["ACME-1"], accounts["ACME-2"])
	}
	bad := o.row(t, ids[1])
	if bad.Status != sheet.StatusFailed {
		t.Fatalf("row with an unknown key: %s %q", bad.Status, bad.Error)
	}
	dls, err := e.st.DeadLetters().List(ctx, store.DeadLetterFilter{WorkflowID: e.fx.wf.ID}, 0, 10)
	if err != nil || len(dls) != 1 {
		t.Fatalf("dead letters %+v, %v", dls, err)
	}
	if dl := dls[0]; dl.RowID != ids[1] || dl.Code != "INVALID_FIELD" || !strings.Contains(dl.Message, "NOPE-9") ||
		!strings.Contains(dl.Advice, "no Account record has Ext_Id__c = NOPE-9; correct the key") || !strings.Contains(dl.Advice, "requeue") {
		t.Errorf("dead letter %+v: want INVALID_FIELD on row %d, with advice naming the key", dl, ids[1])
	}

	// The key fixed in the sheet: the Contact is created, under ACME-1.
	o.edit(t, ids[1], "account_key", "ACME-1")
	// Doe moves to the other Account: the update sets the lookup again.
	o.edit(t, ids[0], "account_key", "ACME-2")
	if st := o.settle(t, w); st.Created != 1 || st.Updated != 1 || st.Failed != 0 {
		t.Fatalf("after the fixes: %+v, want 1 created and 1 updated", st)
	}
	if got := l.contacts(t); len(got) != 3 || got["Roe"] != accounts["ACME-1"] || got["Doe"] != accounts["ACME-2"] {
		t.Errorf("contacts %v after the fixes", got)
	}
	if dls, _ = e.st.DeadLetters().List(ctx, store.DeadLetterFilter{WorkflowID: e.fx.wf.ID}, 0, 10); len(dls) != 0 {
		t.Errorf("dead letters left after the row synced: %+v", dls)
	}

	// An emptied key clears the lookup.
	o.edit(t, ids[2], "account_key", nil)
	if st := o.settle(t, w); st.Updated != 1 {
		t.Fatalf("clearing a key: %+v", st)
	}
	if got := l.contacts(t); got["Poe"] != "" {
		t.Errorf("Poe is still under %s after its key was emptied", got["Poe"])
	}
}

// contactsBothWays keeps Contacts and their Account's key in step both ways.
const contactsBothWays = `version: 1
name: contacts
org: Acme
owner: ada
object: Contact
sheet: contacts
direction: both
fields:
  - { salesforce: LastName, column: last_name }
  - { salesforce: Account.Ext_Id__c, column: account_key }
outbound: { operation: create }
`

// TestTwoWayLookupByParentKey reads a Contact's Account key into its row,
// moves the Contact to another Account by editing the key in the sheet,
// and polls again: the key read back is the one written, an echo that
// neither conflicts nor goes out again.
func TestTwoWayLookupByParentKey(t *testing.T) {
	l := newLookupEnv(t, contactsBothWays)
	ctx := context.Background()
	doe, err := l.client.Create(ctx, "Contact", salesforce.NewRecord("").Set("LastName", "Doe").Set("AccountId", l.accounts["ACME-1"]))
	if err != nil {
		t.Fatal(err)
	}
	sink := &SheetSink{Sheet: l.sh, VersionColumn: "Salesforce Modstamp",
		Merge: &Merge{WorkflowID: l.fx.wf.ID, Policy: store.PolicySalesforceWins, Fields: map[string]string{"last_name": "LastName", "account_key": "Account.Ext_Id__c"}}}
	plan := &Plan{
		Source: Source{Object: l.plan.Object, Fields: l.plan.Select, Where: l.plan.Condition},
		Match:  func(*salesforce.Record) (bool, error) { return true, nil },
		Cells:  func(r *salesforce.Record) (map[string]any, error) { return l.plan.Cells(r) },
	}
	poll := func() {
		t.Helper()
		l.clock.advance(time.Minute)
		if _, err := l.engine.Sync(ctx, Job{WorkflowID: l.fx.wf.ID, Plan: plan, Sink: sink, Reader: RESTReader{Client: l.client}}); err != nil {
			t.Fatal(err)
		}
	}
	out := outboundFromPlan(l.plan)
	out.Policy = store.PolicySalesforceWins
	o := &outEnv{emulated: l.emulated, sh: l.sh, plan: out}
	w := o.writer(t)
	key := func() (any, sheet.Status) {
		t.Helper()
		row, err := l.sh.BySFID(ctx, l.st, doe)
		if err != nil {
			t.Fatal(err)
		}
		return cells(l.sh, row)["account_key"], row.Status
	}

	poll()
	if k, st := key(); k != "ACME-1" || st != sheet.StatusSynced {
		t.Fatalf("after the load, Doe's row holds key %v (%s); want ACME-1, synced", k, st)
	}
	row, _ := l.sh.BySFID(ctx, l.st, doe)
	o.edit(t, row.ID, "account_key", "ACME-2")
	if st := o.settle(t, w); st.Updated != 1 || st.Failed+st.Held != 0 {
		t.Fatalf("sending the new key: %+v, want 1 updated", st)
	}
	if got := l.contacts(t)["Doe"]; got != l.accounts["ACME-2"] {
		t.Fatalf("Doe is under %s, want ACME-2's %s", got, l.accounts["ACME-2"])
	}
	poll()
	if k, st := key(); k != "ACME-2" || st != sheet.StatusSynced {
		t.Errorf("after the echo, Doe's row holds key %v (%s); want ACME-2, synced", k, st)
	}
	if st := o.settle(t, w); st.Created+st.Updated+st.Held != 0 {
		t.Errorf("the echo went out again: %+v", st)
	}
}
