package cli

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/config"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// bindSetup returns a store in a fresh data directory and a client logged
// in to an in-process emulator (demo seed).
func bindSetup(t *testing.T) (*app, *salesforce.Client) {
	t.Helper()
	emu, err := sfemu.New(sfemu.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	client, err := salesforce.Connect(context.Background(),
		salesforce.Config{LoginURL: srv.URL, ClientID: auth.DevConsumerKey, ClientSecret: auth.DevConsumerSecret},
		salesforce.PasswordGrant(org.AdminUsername, org.DevPassword))
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	a, err := openApp(context.Background(), cfg, io.Discard, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	return a, client
}

const bindDoc = `version: 1
name: accounts
org: demo
owner: admin@example.com
object: Account
sheet: accounts
direction: inbound
fields:
  - { salesforce: Name, column: name }
  - { salesforce: Industry, column: industry }
`

func TestBinder(t *testing.T) {
	a, client := bindSetup(t)
	ctx := context.Background()
	b := newBinder(a)
	columns := func(sink syncer.Sink) string {
		var names []string
		for _, c := range sink.(*syncer.SheetSink).Sheet.Columns {
			names = append(names, c.Name+":"+string(c.Type))
		}
		return strings.Join(names, " ")
	}

	plan, sink, err := b.Bind(ctx, store.Workflow{Name: "accounts", Version: 1, Document: bindDoc}, client)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Source.Object != "Account" || plan.Revision != "1" || plan.OnLeave != syncer.MarkRow || plan.OnDelete != syncer.RemoveRow {
		t.Errorf("plan = %+v", plan)
	}
	if got, want := columns(sink), "name:text industry:picklist Salesforce Modstamp:datetime"; got != want {
		t.Errorf("a new sheet's columns = %q, want %q", got, want)
	}

	// A new version mapping one more field adds its column.
	v2 := strings.Replace(bindDoc, "fields:\n", "no_longer_matching: remove\nfields:\n  - { salesforce: Phone, column: phone }\n", 1)
	plan, sink, err = b.Bind(ctx, store.Workflow{Name: "accounts", Version: 2, Document: v2}, client)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := columns(sink), "name:text industry:picklist Salesforce Modstamp:datetime phone:phone"; got != want {
		t.Errorf("after version 2 the columns = %q, want %q", got, want)
	}
	if plan.Revision != "2" || plan.OnLeave != syncer.RemoveRow {
		t.Errorf("version 2 plan: revision %q, on leave %v", plan.Revision, plan.OnLeave)
	}

	// A column that would change type is refused.
	v3 := strings.Replace(bindDoc, "column: industry }", "column: name, type: long_text }\n  - { salesforce: Type, column: industry }", 1)
	v3 = strings.Replace(v3, "{ salesforce: Name, column: name }", "{ salesforce: Site, column: site }", 1)
	if _, _, err := b.Bind(ctx, store.Workflow{Name: "accounts", Version: 3, Document: v3}, client); err == nil ||
		!strings.Contains(err.Error(), `sheet "accounts" has a text column "name" where workflow "accounts" writes long_text values`) {
		t.Errorf("binding a column of another type: %v", err)
	}

	// A workflow that no longer fits its org names the problem.
	gone := strings.Replace(bindDoc, "Industry", "Industry__c", 1)
	if _, _, err := b.Bind(ctx, store.Workflow{Name: "accounts", Version: 4, Document: gone}, client); err == nil || !strings.Contains(err.Error(), "Industry__c") {
		t.Errorf("binding a workflow whose field is gone: %v", err)
	}

	// An outbound workflow has nothing to read.
	out := strings.Replace(bindDoc, "direction: inbound", "direction: outbound\noutbound: { operation: create }", 1)
	out = strings.Replace(out, "sheet: accounts", "sheet: new_accounts", 1)
	if plan, sink, err := b.Bind(ctx, store.Workflow{Name: "new-accounts", Version: 1, Document: out}, client); err != nil || plan != nil || sink != nil {
		t.Errorf("binding an outbound workflow = %v, %v, %v; want nothing", plan, sink, err)
	}
}
