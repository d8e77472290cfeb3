package syncer

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/budget"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
	"github.com/sfbridge/sfbridge/internal/store"
)

// TestRevokedConnectionToldOnce: a connection Salesforce revokes is found
// out by a sync run and seen again by the next; its owner is told once,
// whether the StoreConnector records refusals itself (told the Service's
// Watcher, as sfbridge serve wires it) or leaves that to the Service.
func TestRevokedConnectionToldOnce(t *testing.T) {
	t.Parallel()
	for _, told := range []bool{true, false} {
		name := "connector told"
		if !told {
			name = "service only"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			emu := sfemutest.Start(t, sfemu.Options{Seed: "empty"})
			st := newStore(t)
			fx := newFixture(t, st, emu.URL)
			tok := emu.Connect(t, sfemutest.Admin).Token()
			if _, err := st.Connections().Save(ctx, store.Connection{OrgID: fx.org.ID, UserID: fx.user.ID, Username: sfemutest.Admin,
				AccessToken: secret.New(tok.AccessToken), InstanceURL: tok.InstanceURL}); err != nil {
				t.Fatal(err)
			}
			watcher := budget.New(budget.Options{Store: st})
			t.Cleanup(watcher.Stop)
			connector := NewStoreConnector(st, salesforce.Config{Retry: salesforce.RetryPolicy{MaxAttempts: 1}})
			if told {
				connector.Tell(watcher)
			}
			svc := NewService(ServiceOptions{Store: st, Connector: connector,
				Binder: fixedBinder{accountPlan("Technology"), newTableSink(t, st)}, Watcher: watcher})
			if err := svc.PollOrg(ctx, fx.org.ID); err != nil {
				t.Fatalf("polling before the revocation: %v", err)
			}

			u, ok := emu.Emu.Org().UserByUsername(sfemutest.Admin)
			if !ok {
				t.Fatal("no admin user in the emulator")
			}
			req := httptest.NewRequest(http.MethodPost, sfemu.AdminPrefix+"revoke", strings.NewReader(`{"userId": "`+u.ID+`"}`))
			req.RemoteAddr = "127.0.0.1:1"
			rec := httptest.NewRecorder()
			emu.Emu.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("revoking: %d %s", rec.Code, rec.Body)
			}

			for _, poll := range []string{"the poll that finds out", "the next poll"} {
				if err := svc.PollOrg(ctx, fx.org.ID); err != nil {
					t.Fatalf("%s: %v", poll, err)
				}
				o, err := st.Orgs().Get(ctx, fx.org.ID)
				if err != nil {
					t.Fatal(err)
				}
				conn, err := st.Connections().ForUser(ctx, fx.org.ID, fx.user.ID)
				if err != nil {
					t.Fatal(err)
				}
				if o.State != store.StateNeedsReauth || conn.State != store.StateNeedsReauth {
					t.Errorf("%s: org %s, connection %s; want both needs_reauth", poll, o.State, conn.State)
				}
				list, err := st.Notifications().For(ctx, fx.user.ID, false)
				if err != nil {
					t.Fatal(err)
				}
				var kinds []store.NotificationKind
				for _, n := range list {
					kinds = append(kinds, n.Kind)
				}
				if len(kinds) != 1 || kinds[0] != store.NotifyNeedsReauth {
					t.Errorf("%s: the owner's notifications are %v; want one needs_reauth", poll, kinds)
				}
			}
			_, err := connector.Client(ctx, fx.org.ID, fx.user.ID)
			var refused *RefusedError
			if !errors.As(err, &refused) || !errors.Is(err, salesforce.ErrNeedsReauth) || refused.OrgID != fx.org.ID {
				t.Errorf("a client of the revoked connection: %v; want a *RefusedError naming org %d, matching ErrNeedsReauth", err, fx.org.ID)
			}
		})
	}
}
