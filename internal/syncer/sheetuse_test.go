package syncer

import (
	"fmt"
	"slices"
	"testing"

	"github.com/sfbridge/sfbridge/internal/store"
)

func TestReadSheetUses(t *testing.T) {
	st := newStore(t)
	ctx := t.Context()
	org, err := st.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "app"})
	if err != nil {
		t.Fatal(err)
	}
	doc := func(name, sheetName, direction, extra string) string {
		return fmt.Sprintf("version: 1\nname: %s\norg: Acme\nowner: a@example.com\nobject: Lead\nsheet: %s\ndirection: %s\nfields:\n"+
			"  - { salesforce: LastName, column: last_name }\n  - { salesforce: Description, column: notes, direction: inbound }\n%s",
			name, sheetName, direction, extra)
	}
	for i, d := range []string{
		doc("in", "leads", "inbound", ""),
		doc("out", "leads", "both", "deletes: { outbound: propagate }\n"),
		doc("other", "contacts", "outbound", ""),
		"version: 1\nsheet: [not, a, name]\n", // does not parse as a sheet: names none
		": not yaml",
	} {
		u, err := st.Users().Create(ctx, store.User{Login: fmt.Sprintf("u%d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Workflows().Create(ctx, store.Workflow{Name: fmt.Sprint("wf", i), OrgID: org.ID, OwnerID: u.ID, Document: d}); err != nil {
			t.Fatal(err)
		}
	}
	uses, err := ReadSheetUses(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	names := func(wfs []store.Workflow) (out []string) {
		for _, w := range wfs {
			out = append(out, w.Name)
		}
		return out
	}
	for _, tc := range []struct {
		sheet             string
		workflows, send   []string
		sent, unsent      []string
		propagatesDeletes bool
	}{
		{"LEADS", []string{"wf0", "wf1"}, []string{"wf1"}, []string{"last_name", "Last_Name"}, []string{"notes", "nope"}, true},
		{"contacts", []string{"wf2"}, []string{"wf2"}, []string{"last_name"}, []string{"notes"}, false},
		{"nobody", nil, nil, nil, []string{"last_name"}, false},
	} {
		u := uses.Of(tc.sheet)
		if got := names(u.Workflows); !slices.Equal(got, tc.workflows) {
			t.Errorf("%s: workflows %v, want %v", tc.sheet, got, tc.workflows)
		}
		if got := names(u.Senders); !slices.Equal(got, tc.send) {
			t.Errorf("%s: senders %v, want %v", tc.sheet, got, tc.send)
		}
		for _, c := range tc.sent {
			if !u.Sends(c) {
				t.Errorf("%s: column %s not sent", tc.sheet, c)
			}
		}
		if got := u.Unsent(append(tc.sent, tc.unsent...)); !slices.Equal(got, tc.unsent) {
			t.Errorf("%s: unsent %v, want %v", tc.sheet, got, tc.unsent)
		}
		if u.PropagatesDeletes() != tc.propagatesDeletes {
			t.Errorf("%s: propagates deletes %v", tc.sheet, u.PropagatesDeletes())
		}
	}
}
