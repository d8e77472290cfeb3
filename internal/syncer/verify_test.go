package syncer

import (
	"context"
	"slices"
	"testing"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

func kinds(r Report) []string {
	var out []string
	for _, d := range r.Differences {
		out = append(out, string(d.Kind)+":"+d.Column)
	}
	slices.Sort(out)
	return out
}

func TestVerifyOutbound(t *testing.T) {
	o := newOutEnv(t, OpCreate)
	ctx := context.Background()
	ids := o.insert(t, [3]any{"Acme", "Technology", nil}, [3]any{"Globex", "Energy", nil}, [3]any{"Initech", nil, nil})
	o.settle(t, o.writer(t))
	verify := func() Report {
		t.Helper()
		rep, err := Verify(ctx, VerifyOptions{Client: o.client, Store: o.st, Sheet: o.sh, Outbound: o.plan})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := verify(); !rep.Converged() || rep.Rows != 3 || rep.Records != 3 {
		t.Fatalf("after the sync: %+v", rep)
	}
	acme, globex := o.row(t, ids[0]), o.row(t, ids[1])
	if err := o.client.Update(ctx, "Account", acme.SFID, salesforce.NewRecord("").Set("Industry", "Retail")); err != nil {
		t.Fatal(err)
	}
	if err := o.client.Delete(ctx, "Account", globex.SFID); err != nil {
		t.Fatal(err)
	}
	o.insert(t, [3]any{"Unsent", nil, nil})
	rep := verify()
	want := []string{"field_mismatch:Industry", "missing_in_salesforce:", "not_synced:"}
	if got := kinds(rep); !slices.Equal(got, want) {
		t.Errorf("differences %v, want %v:\n%+v", got, want, rep.Differences)
	}
	for _, d := range rep.Differences {
		if d.Kind == FieldMismatch && (d.RowID != acme.ID || canonical(d.Salesforce) != `"Retail"` || canonical(d.Sheet) != `"Technology"`) {
			t.Errorf("mismatch %+v", d)
		}
	}
}

func TestVerifyInbound(t *testing.T) {
	tw := newTwoWay(t, store.PolicySalesforceWins)
	ctx := context.Background()
	tw.create(t, 3, "Technology")
	tw.poll(t)
	opts := VerifyOptions{Client: tw.client, Store: tw.st, Sheet: tw.sink.Sheet, Inbound: techAccounts(), Outbound: tw.w.plan}
	rep, err := Verify(ctx, opts)
	if err != nil || !rep.Converged() {
		t.Fatalf("after the load: %+v, %v", rep, err)
	}
	extra := tw.create(t, 1, "Technology")
	tw.create(t, 1, "Retail") // not selected by the workflow
	rep, err = Verify(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Differences) != 1 || rep.Differences[0].Kind != MissingInSheet || rep.Differences[0].SFID != extra[0] {
		t.Errorf("differences %+v, want the new record missing in the sheet", rep.Differences)
	}
}

// TestVerifyLookupByParentKey: an outbound-only line setting a lookup
// through the parent's key is compared with the key of the parent the
// record points to (ADR 0240), not with a field the record lacks.
func TestVerifyLookupByParentKey(t *testing.T) {
	l := newLookupEnv(t, contactsByAccountKey)
	ctx := context.Background()
	o := &outEnv{emulated: l.emulated, sh: l.sh, plan: outboundFromPlan(l.plan)}
	ids, _, err := l.sh.Insert(ctx, l.st, sheet.Batch{Columns: []string{"last_name", "account_key"}, Origin: sheet.OriginUser,
		Rows: []sheet.Input{{Values: []any{"Doe", "ACME-1"}}, {Values: []any{"Poe", "ACME-2"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if st := o.settle(t, o.writer(t)); st.Created != 2 {
		t.Fatalf("stats %+v: want 2 created", st)
	}
	verify := func() Report {
		t.Helper()
		rep, err := Verify(ctx, VerifyOptions{Client: l.client, Store: l.st, Sheet: l.sh, Outbound: o.plan})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := verify(); !rep.Converged() {
		t.Fatalf("after the sync: %+v", rep.Differences)
	}
	// Doe's Contact moved to ACME-2 in Salesforce: the key differs.
	doe := o.row(t, ids[0])
	if err := l.client.Update(ctx, "Contact", doe.SFID, salesforce.NewRecord("").Set("AccountId", l.accounts["ACME-2"])); err != nil {
		t.Fatal(err)
	}
	rep := verify()
	if got, want := kinds(rep), []string{"field_mismatch:account_key"}; !slices.Equal(got, want) {
		t.Fatalf("differences %v, want %v:\n%+v", got, want, rep.Differences)
	}
	if d := rep.Differences[0]; d.RowID != doe.ID || canonical(d.Sheet) != `"ACME-1"` || canonical(d.Salesforce) != `"ACME-2"` {
		t.Errorf("mismatch %+v: want row %d, ACME-1 in the sheet, ACME-2 in Salesforce", d, doe.ID)
	}
}
