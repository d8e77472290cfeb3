package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/budget"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// TestRefusedConnectionOutsideSync: Salesforce revokes a person's
// connection and a search as that person, not the sync engine, finds out.
// The answer says where to reconnect, the connection is marked
// needs_reauth, and its owner and the admins are told once: a second search
// is refused at once, with the same advice and no second notification.
func TestRefusedConnectionOutsideSync(t *testing.T) {
	t.Parallel()
	var watcher *budget.Watcher
	f := setup(t, func(o *Options) {
		db := o.Store.(dbStore).st
		watcher = budget.New(budget.Options{Store: db})
		connector := syncer.NewStoreConnector(db, salesforce.Config{})
		connector.Tell(watcher)
		o.Connections, o.Forget, o.Choices = StoreConnections(db, connector), connector.Forget, db.ListViewChoices()
	})
	t.Cleanup(watcher.Stop)
	_, root := f.user("root", access.SystemAdmin)
	adminUser, admin := f.user("admin", access.ConnectorAdmin)
	cuUser, cu := f.user("cu", access.ConnectorUser)
	otherUser, _ := f.user("other", access.ConnectorUser)
	emu, o := f.emulatorOrg(admin)
	conn := f.connect(cu, o.ID, sfemutest.User)
	f.do(root, "PUT", "/api/v1/settings/search", FeatureSetting{Members: []int64{cuUser.ID}}).want(t, 200, "")
	// Each search has its own term: results are cached per person and term.
	f.do(cu, "GET", "/api/v1/search?q=acme", nil).want(t, 200, "")

	resp, err := http.Post(emu.URL+sfemu.AdminPrefix+"revoke", "application/json", strings.NewReader(`{"userId":"`+conn.SalesforceUserID+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoking: %s", resp.Status)
	}

	ctx := t.Context()
	reconnect := "Reconnect on /orgs/" + itoa(o.ID) + ","
	notified := func(userID int64, admin bool) []store.NotificationKind {
		t.Helper()
		list, err := f.db.Notifications().For(ctx, userID, admin)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []store.NotificationKind
		for _, n := range list {
			kinds = append(kinds, n.Kind)
		}
		return kinds
	}
	for i, attempt := range []string{"the search that finds out", "the next search"} {
		r := f.do(cu, "GET", "/api/v1/search?q=globex"+itoa(int64(i)), nil)
		r.want(t, http.StatusConflict, CodeNeedsReauth)
		if msg := r.errorBody(t).Message; !strings.Contains(msg, reconnect) {
			t.Errorf("%s: message %q does not say %q", attempt, msg, reconnect)
		}
		stored, err := f.db.Connections().ForUser(ctx, o.ID, cuUser.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.State != store.StateNeedsReauth || stored.StateReason == "" {
			t.Errorf("%s: the connection is %s (%q); want needs_reauth with the reason", attempt, stored.State, stored.StateReason)
		}
		if got := notified(cuUser.ID, false); len(got) != 1 || got[0] != store.NotifyNeedsReauth {
			t.Errorf("%s: the owner's notifications are %v; want one needs_reauth", attempt, got)
		}
		if got := notified(adminUser.ID, true); len(got) != 1 || got[0] != store.NotifyNeedsReauth {
			t.Errorf("%s: an admin's notifications are %v; want one needs_reauth", attempt, got)
		}
		if got := notified(otherUser.ID, false); len(got) != 0 {
			t.Errorf("%s: a person neither owner nor admin is told %v", attempt, got)
		}
	}
}
