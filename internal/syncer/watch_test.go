package syncer

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/budget"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
	"github.com/sfbridge/sfbridge/internal/store"
)

// hookReceiver is an org's webhook: it keeps the kinds of the payloads it
// was sent, in order.
type hookReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	kinds []string
	got   chan struct{}
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{got: make(chan struct{}, 100)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p budget.Payload
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("webhook got %s %v: %v", r.Method, r.Header, err)
		}
		h.mu.Lock()
		h.kinds = append(h.kinds, p.Kind)
		h.mu.Unlock()
		h.got <- struct{}{}
	}))
	t.Cleanup(h.Close)
	return h
}

// await waits until the receiver holds n payloads (or gives up after a
// generous while, failing), and returns their kinds.
func (h *hookReceiver) await(t *testing.T, n int) []string {
	t.Helper()
	for {
		h.mu.Lock()
		kinds := slices.Clone(h.kinds)
		h.mu.Unlock()
		if len(kinds) >= n {
			return kinds
		}
		select {
		case <-h.got:
		case <-time.After(30 * time.Second):
			t.Fatalf("the webhook got %v; want %d posts", kinds, n)
		}
	}
}

// TestServiceKeepsTheBudget drives a Service with the budget Watcher
// against the emulator: usage sampled, each threshold crossed told once
// (in the store and on the webhook), the org paused when usage reaches its
// budget (below Salesforce's own limit) and resumed when it falls back,
// and a revoked connection told to its owner and the admins.
func TestServiceKeepsTheBudget(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	emu := sfemutest.Start(t, sfemu.Options{Seed: "empty", DailyAPILimit: 1000})
	st := newStore(t)
	fx := newFixture(t, st, emu.URL)
	org := fx.org
	org.ClientID, org.ClientSecret = auth.DevConsumerKey, secret.New(auth.DevConsumerSecret)
	org, err := st.Orgs().Update(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.Users().Create(ctx, store.User{Login: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	tok := emu.Connect(t, sfemutest.Admin).Token()
	if _, err := st.Connections().Save(ctx, store.Connection{OrgID: org.ID, UserID: fx.user.ID, Username: sfemutest.Admin,
		AccessToken: secret.New(tok.AccessToken), InstanceURL: tok.InstanceURL}); err != nil {
		t.Fatal(err)
	}
	hook := newHookReceiver(t)
	clock := &localClock{now: time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)}
	watcher := budget.New(budget.Options{Store: st, Now: clock.Now,
		Delivery: budget.Delivery{Attempts: 3, Backoff: time.Millisecond, Timeout: 10 * time.Second}})
	t.Cleanup(watcher.Stop)
	if _, err := st.Budgets().Set(ctx, store.Budget{OrgID: org.ID, SharePct: 50, Thresholds: []int{50, 90}, Webhook: secret.New(hook.URL)},
		store.AuditEntry{Action: "org.configure"}); err != nil {
		t.Fatal(err)
	}
	svc := NewService(ServiceOptions{
		Store: st, Connector: NewStoreConnector(st, salesforce.Config{Retry: salesforce.RetryPolicy{MaxAttempts: 1}}),
		Binder: fixedBinder{accountPlan("Technology"), newTableSink(t, st)},
		Engine: EngineOptions{Now: clock.Now}, ProbeEvery: 10 * time.Minute, Watcher: watcher,
	})
	admin := func(path, body string) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPut, sfemu.AdminPrefix+path, strings.NewReader(body))
		if path == "revoke" {
			req.Method = http.MethodPost
		}
		req.RemoteAddr = "127.0.0.1:1"
		rec := httptest.NewRecorder()
		emu.Emu.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("emulator admin %s: %d %s", path, rec.Code, rec.Body)
		}
	}
	poll := func() store.Org {
		t.Helper()
		if err := svc.PollOrg(ctx, org.ID); err != nil {
			t.Fatalf("poll: %v", err)
		}
		o, err := st.Orgs().Get(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	kinds := func(userID int64, isAdmin bool) []string {
		t.Helper()
		list, err := st.Notifications().For(ctx, userID, isAdmin)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range list {
			out = append(out, string(n.Kind))
		}
		slices.Reverse(out)
		return out
	}

	// The limit is 1000 and the budget 50 %: 500 requests, warnings at 250
	// and 450.
	for i, step := range []struct {
		used  int
		state store.State
		want  []string // the admins' notifications so far, oldest first
	}{
		{100, store.StateConnected, nil},
		{300, store.StateConnected, []string{"threshold"}},
		{310, store.StateConnected, []string{"threshold"}}, // the same threshold, the same day
		{460, store.StateConnected, []string{"threshold", "threshold"}},
		{600, store.StatePausedLimit, []string{"threshold", "threshold", "paused"}},
	} {
		admin("limits", `{"used": `+strconv.Itoa(step.used)+`}`)
		o := poll()
		if o.State != step.state || !slices.Equal(kinds(other.ID, true), step.want) {
			t.Fatalf("step %d (used %d): org %s, notifications %v; want %s, %v", i, step.used, o.State, kinds(other.ID, true), step.state, step.want)
		}
	}
	// Each notification is delivered on its own, so posts may arrive in any
	// order: compare them sorted.
	got := hook.await(t, 3)
	slices.Sort(got)
	if !slices.Equal(got, []string{"paused", "threshold", "threshold"}) {
		t.Errorf("webhook posts = %v, want one per crossing: two thresholds and the pause", got)
	}
	o, _ := st.Orgs().Get(ctx, org.ID)
	wf, _ := st.Workflows().Get(ctx, fx.wf.ID)
	if !strings.Contains(o.StateReason, "used 6") || !strings.Contains(o.StateReason, "of the 500 daily API requests sfbridge may use (50% of the limit of 1000)") ||
		!strings.Contains(o.StateReason, "resumes by itself once usage is back under the budget") ||
		wf.State.Status != store.WorkflowPaused || wf.State.LastError != o.StateReason {
		t.Errorf("paused org: reason %q, workflow %+v", o.StateReason, wf.State)
	}
	// The store stamps samples with its own clock, the wall clock.
	samples, err := st.Usage().Since(ctx, org.ID, time.Now().Add(-2*time.Hour))
	var calls int64
	for _, s := range samples {
		calls += s.Calls
	}
	if err != nil || len(samples) == 0 || samples[len(samples)-1].Limit != 1000 || samples[len(samples)-1].Used < 600 || calls < 5 {
		t.Errorf("usage samples = %+v, %v; want the last at 600 of 1000 or more, with the calls of 5 runs", samples, err)
	}

	// An admin raises the budget: the org resumes at the next poll,
	// without waiting for the next probe.
	setShare := func(pct int) {
		t.Helper()
		b, err := st.Budgets().Get(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		b.SharePct = pct
		if _, err := st.Budgets().Set(ctx, b, store.AuditEntry{Action: "org.configure"}); err != nil {
			t.Fatal(err)
		}
	}
	setShare(80)
	if o := poll(); o.State != store.StateConnected {
		t.Fatalf("after the budget was raised: org %s (%s)", o.State, o.StateReason)
	}
	if got := hook.await(t, 4); got[3] != "resumed" {
		t.Errorf("webhook posts = %v; want resumed last", got)
	}
	// Lowered again, it pauses; then usage falls back and the probe, once
	// due, resumes the org.
	setShare(50)
	if o := poll(); o.State != store.StatePausedLimit {
		t.Fatalf("after the budget was lowered: org %s", o.State)
	}
	admin("limits", `{"used": 20}`)
	before := callsOf(t, st, org.ID)
	if o := poll(); o.State != store.StatePausedLimit || callsOf(t, st, org.ID) != before {
		t.Fatalf("a paused org probed before its time: %s", o.State)
	}
	clock.advance(11 * time.Minute)
	if o := poll(); o.State != store.StateConnected {
		t.Fatalf("after usage fell back: org %s (%s)", o.State, o.StateReason)
	}
	if got := hook.await(t, 6); !slices.Equal(slices.Sorted(slices.Values(got[4:])), []string{"paused", "resumed"}) {
		t.Errorf("webhook posts = %v; want paused and resumed last (in either order: each is delivered on its own)", got)
	}

	// The connection is revoked in Salesforce.
	u, ok := emu.Emu.Org().UserByUsername(sfemutest.Admin)
	if !ok {
		t.Fatal("no admin user in the emulator")
	}
	admin("revoke", `{"userId": "`+u.ID+`"}`)
	if o := poll(); o.State != store.StateNeedsReauth {
		t.Fatalf("after revocation: org %s", o.State)
	}
	mine, err := st.Notifications().For(ctx, fx.user.ID, false)
	if err != nil || len(mine) != 1 || mine[0].Kind != store.NotifyNeedsReauth || !strings.Contains(mine[0].Message, "Reconnect on /orgs/") || mine[0].Link != "/orgs/"+strconv.Itoa(int(org.ID)) {
		t.Errorf("the owner's notifications = %+v, %v; want one telling where to reconnect", mine, err)
	}
	if got := kinds(other.ID, true); !slices.Equal(got, []string{"threshold", "threshold", "paused", "resumed", "paused", "resumed", "needs_reauth"}) {
		t.Errorf("an admin's notifications = %v", got)
	}
	if got := kinds(other.ID, false); len(got) != 0 {
		t.Errorf("a person who is neither owner nor admin sees %v", got)
	}
	watcher.Wait()
	if got := hook.await(t, 7); len(got) != 7 || got[6] != "needs_reauth" {
		t.Errorf("webhook posts = %v; want exactly one per notification", got)
	}
	list, _ := st.Notifications().For(ctx, other.ID, true)
	for _, n := range list {
		if n.WebhookStatus != store.WebhookSent {
			t.Errorf("notification %d (%s): webhook %s %q; want sent", n.ID, n.Kind, n.WebhookStatus, n.WebhookError)
		}
	}
}

// callsOf is the API calls sfbridge recorded for the org.
func callsOf(t *testing.T, st *store.Store, orgID int64) int64 {
	t.Helper()
	samples, err := st.Usage().Since(t.Context(), orgID, time.Now().Add(-2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, s := range samples {
		n += s.Calls
	}
	return n
}
