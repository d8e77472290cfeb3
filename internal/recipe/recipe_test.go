package recipe_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/recipe"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite/sqlitetest"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// fixture is a store with the emulator's org registered and two people:
// ana, the emulator's admin, and bob, its standard user.
type fixture struct {
	t        *testing.T
	st       *store.Store
	emu      *sfemutest.Org
	org      store.Org
	ana, bob store.User
	rc       *recipe.Recipes
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, st: sqlitetest.Open(t), emu: sfemutest.Start(t, sfemu.Options{Seed: "demo"})}
	var err error
	if f.org, err = f.st.Orgs().Create(ctx, store.Org{Name: "demo", LoginURL: f.emu.URL, ClientID: "test"}); err != nil {
		t.Fatal(err)
	}
	if f.ana, err = f.st.Users().Create(ctx, store.User{Login: sfemutest.Admin, DisplayName: "Ana"}); err != nil {
		t.Fatal(err)
	}
	if f.bob, err = f.st.Users().Create(ctx, store.User{Login: sfemutest.User, DisplayName: "Bob"}); err != nil {
		t.Fatal(err)
	}
	clients := map[int64]*salesforce.Client{f.ana.ID: f.emu.Connect(t, sfemutest.Admin)}
	f.rc = &recipe.Recipes{Store: f.st, Client: func(_ context.Context, _ store.Org, u store.User) (*salesforce.Client, error) {
		if c, ok := clients[u.ID]; ok {
			return c, nil
		}
		return nil, fmt.Errorf("%s: %w", u.Login, store.ErrNotFound)
	}}
	return f
}

const leadsOut = `version: 1
name: leads-out
org: demo
owner: admin@example.com
enabled: true
object: Lead
sheet: signups
direction: outbound
fields:
  - { salesforce: FirstName, column: first }
  - { salesforce: LastName, column: last }
  - salesforce: Company
    column: company
    transform: [trim, { default: Particulier }]
  - { salesforce: AnnualRevenue, column: revenue }
outbound:
  operation: create
`

func (f *fixture) check(doc string) recipe.Checked {
	f.t.Helper()
	c, ve, err := f.rc.Check(context.Background(), "test.yaml", []byte(doc))
	if err != nil || ve != nil {
		f.t.Fatalf("Check: %v %v", ve, err)
	}
	return c
}

func TestCheckReportsProblemsAndOwners(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		doc       string
		wantCodes []workflow.Code
		wantErr   error
	}{
		{"valid", leadsOut, nil, nil},
		{"required field unmapped and unknown field",
			strings.Replace(strings.Replace(leadsOut, "LastName", "Title", 1), "FirstName", "FirstNme", 1),
			[]workflow.Code{workflow.CodeUnknownField, workflow.CodeRequiredFieldUnmapped}, nil},
		{"unknown org", strings.Replace(leadsOut, "org: demo", "org: nowhere", 1), []workflow.Code{workflow.CodeUnknownOrg}, nil},
		{"unknown owner", strings.Replace(leadsOut, "admin@example.com", "zoe@example.com", 1), nil, recipe.ErrOwnerUnknown},
		{"owner without connection", strings.Replace(leadsOut, "admin@example.com", sfemutest.User, 1), nil, store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ve, err := f.rc.Check(ctx, "test.yaml", []byte(tc.doc))
			if !errors.Is(err, tc.wantErr) || (tc.wantErr != nil) != (err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			var got []workflow.Code
			if ve != nil {
				for _, p := range ve.Problems {
					got = append(got, p.Code)
					if p.Line == 0 {
						t.Errorf("problem %v has no line", p)
					}
				}
			}
			slices.Sort(got)
			want := slices.Clone(tc.wantCodes)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("problem codes %v, want %v", got, want)
			}
		})
	}
}

// auditActions returns the action of every audit entry about subject,
// oldest first, with the enabled flag after each.
func (f *fixture) auditActions(subject string) []string {
	f.t.Helper()
	entries, _, err := f.st.Audit().List(context.Background(), store.AuditPage{})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range slices.Backward(entries) {
		if e.Subject != subject {
			continue
		}
		var after struct{ Enabled bool }
		if err := json.Unmarshal(e.After, &after); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s by %d enabled=%v", e.Action, e.ActorID, after.Enabled))
	}
	return out
}

func TestApplyAndSetEnabledAreAudited(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	c := f.check(leadsOut)
	first, err := f.rc.Apply(ctx, c, recipe.Change{ActorID: f.ana.ID, Via: "api"})
	if err != nil || first.Outcome != recipe.Created || first.Workflow.Version != 1 {
		t.Fatalf("Apply = %+v, %v", first, err)
	}
	again, err := f.rc.Apply(ctx, c, recipe.Change{ActorID: f.ana.ID, Via: "api"})
	if err != nil || again.Outcome != recipe.Unchanged {
		t.Fatalf("Apply of the same document = %+v, %v", again, err)
	}
	c2 := f.check(strings.Replace(leadsOut, "enabled: true", "enabled: false", 1))
	second, err := f.rc.Apply(ctx, c2, recipe.Change{ActorID: f.ana.ID, Via: "api", BaseVersion: 1})
	if err != nil || second.Outcome != recipe.Updated || second.Workflow.Version != 2 || second.Workflow.Enabled {
		t.Fatalf("Apply of a new version = %+v, %v", second, err)
	}
	if _, err := f.rc.Apply(ctx, c, recipe.Change{ActorID: f.ana.ID, Via: "api", BaseVersion: 1}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Apply on a stale version: %v, want store.ErrConflict", err)
	}
	wf, err := f.rc.SetEnabled(ctx, second.Workflow, true, recipe.Change{ActorID: f.ana.ID, Via: "api"})
	if err != nil || !wf.Enabled {
		t.Fatalf("SetEnabled(true) = %+v, %v", wf, err)
	}
	if _, err := f.rc.SetEnabled(ctx, wf, false, recipe.Change{ActorID: f.bob.ID, Via: "api"}); err != nil {
		t.Fatal(err)
	}
	subject := fmt.Sprintf("workflow %d", wf.ID)
	want := []string{
		fmt.Sprintf("workflow.create by %d enabled=true", f.ana.ID),
		fmt.Sprintf("workflow.edit by %d enabled=false", f.ana.ID),
		fmt.Sprintf("workflow.enable by %d enabled=true", f.ana.ID),
		fmt.Sprintf("workflow.disable by %d enabled=false", f.bob.ID),
	}
	if diff := cmp.Diff(want, f.auditActions(subject)); diff != "" {
		t.Errorf("audit entries (-want +got):\n%s", diff)
	}

	// Another owner under the same name is refused.
	f.check(leadsOut) // still valid
	moved := c
	moved.Owner = f.bob
	if _, err := f.rc.Apply(ctx, moved, recipe.Change{Via: "cli"}); !errors.Is(err, recipe.ErrOrgOrOwnerChanged) || !errors.Is(err, recipe.ErrInvalid) {
		t.Errorf("Apply with another owner: %v, want ErrOrgOrOwnerChanged", err)
	}
}

func TestEnableRecompilesAgainstTheOrg(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	applied, err := f.rc.Apply(ctx, f.check(strings.Replace(leadsOut, "enabled: true", "enabled: false", 1)), recipe.Change{ActorID: f.ana.ID, Via: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	// The stored document no longer fits the org (as if a field was
	// deleted since): enabling lists the problem and changes nothing.
	broken := applied.Workflow
	broken.Document = strings.Replace(broken.Document, "AnnualRevenue", "Gone__c", 1)
	_, err = f.rc.SetEnabled(ctx, broken, true, recipe.Change{ActorID: f.ana.ID, Via: "cli"})
	var ve *workflow.ValidationError
	if !errors.As(err, &ve) || ve.Problems[0].Code != workflow.CodeUnknownField {
		t.Fatalf("SetEnabled on a broken document: %v, want an unknown field problem", err)
	}
	if wf, _ := f.st.Workflows().Get(ctx, broken.ID); wf.Enabled {
		t.Error("the workflow was enabled despite its problem")
	}
}

func TestDryRunOutbound(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	c := f.check(leadsOut)
	client := f.emu.Connect(t, sfemutest.Admin)

	// No sheet yet: nothing would be sent, and the summary says why.
	dr, err := f.rc.DryRun(ctx, c.Plan, client)
	if err != nil {
		t.Fatal(err)
	}
	if dr.Outbound == nil || dr.Outbound.SheetExists || dr.Inbound != nil || !strings.Contains(dr.Summary, "does not exist yet") {
		t.Fatalf("dry run without a sheet = %+v", dr)
	}

	sh, err := sheet.Create(ctx, f.st, "signups", []sheet.Column{
		{Name: "first", Type: sheet.TypeText}, {Name: "last", Type: sheet.TypeText},
		{Name: "company", Type: sheet.TypeText}, {Name: "revenue", Type: sheet.TypeText},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for r, err := range client.Query(ctx, "SELECT Id FROM Lead ORDER BY Id LIMIT 2") {
		if err != nil {
			t.Fatal(err)
		}
		id, _ := r.String("Id")
		ids = append(ids, id)
	}
	rows := []sheet.Input{
		{Values: []any{"Ada", "Lovelace", "Analytical", "1000"}},
		{Values: []any{"Grace", "Hopper", "", ""}}, // Company defaulted
		{Values: []any{"Alan", "", "Bletchley", ""}},
		{Values: []any{"Kurt", nil, "", "lots"}},
		{SFID: ids[0], Values: []any{"Edsger", "Dijkstra", "TU", ""}}, // synced: unchanged
		{SFID: ids[1], Values: []any{"Barbara", "", "MIT", ""}},       // pending update emptying LastName
	}
	if _, _, err := sh.Insert(ctx, f.st, sheet.Batch{Columns: []string{"first", "last", "company", "revenue"}, Rows: rows[:5]}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sh.Insert(ctx, f.st, sheet.Batch{Columns: []string{"first", "last", "company", "revenue"}, Rows: rows[5:], Origin: sheet.OriginUser}); err != nil {
		t.Fatal(err)
	}
	dr, err = f.rc.DryRun(ctx, c.Plan, client)
	if err != nil {
		t.Fatal(err)
	}
	o := dr.Outbound
	got := fmt.Sprintf("rows=%d create=%d update=%d unchanged=%d fail=%d", o.Rows, o.Create, o.Update, o.Unchanged, o.Fail)
	if want := "rows=6 create=2 update=0 unchanged=1 fail=3"; got != want {
		t.Errorf("counts %s, want %s (%+v)", got, want, o)
	}
	reasons := map[string]int{}
	for _, r := range o.Reasons {
		reasons[r.Reason] = r.Rows
	}
	const noLast = "column last: LastName needs a value (the field cannot be empty in Salesforce)"
	if want := map[string]int{noLast: 3, "column revenue: expected a number like 1234.5": 1}; !maps.Equal(reasons, want) {
		t.Errorf("reasons %v, want %v", reasons, want)
	}
	if want := "2 rows would be created in Salesforce, 0 rows updated, 3 rows would fail: " + noLast + " (3); column revenue"; !strings.HasPrefix(dr.Summary, want) {
		t.Errorf("summary %q, want it to start with %q", dr.Summary, want)
	}
	if len(o.Failures) != 3 || len(o.Failures[1].Reasons) != 2 {
		t.Errorf("failures %+v: want 3 rows, the second failing on both its last name and its revenue", o.Failures)
	}
}

func TestDryRunInboundCountsMatchingRecords(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	doc := strings.Replace(strings.Replace(leadsOut, "direction: outbound", "direction: inbound\nwhen: { field: Rating, op: \"=\", value: Hot }", 1),
		"outbound:\n  operation: create\n", "", 1)
	c := f.check(doc)
	client := f.emu.Connect(t, sfemutest.Admin)
	want, err := client.Count(ctx, "SELECT COUNT() FROM Lead WHERE Rating = 'Hot'")
	if err != nil || want == 0 {
		t.Fatalf("the demo org should hold hot leads: %d, %v", want, err)
	}
	dr, err := f.rc.DryRun(ctx, c.Plan, client)
	if err != nil {
		t.Fatal(err)
	}
	if dr.Inbound == nil || dr.Inbound.Matching != want || dr.Outbound != nil {
		t.Fatalf("dry run = %+v, want %d matching", dr, want)
	}
	if wantSum := fmt.Sprintf("%d Lead records match and would be synced into sheet \"signups\"", want); dr.Summary != wantSum {
		t.Errorf("summary %q, want %q", dr.Summary, wantSum)
	}
}
