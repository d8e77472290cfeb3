package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/soql"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite/sqlitetest"
)

// newStore opens a store on a fresh SQLite file.
func newStore(t testing.TB) *store.Store { return sqlitetest.Open(t) }

// fixture is a user, an org and a workflow in a store, the rows the
// checkpoints hang on.
type fixture struct {
	st   *store.Store
	user store.User
	org  store.Org
	wf   store.Workflow
}

func newFixture(t testing.TB, st *store.Store, loginURL string) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{st: st}
	var err error
	if f.user, err = st.Users().Create(ctx, store.User{Login: "ada", DisplayName: "Ada"}); err != nil {
		t.Fatal(err)
	}
	if f.org, err = st.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: loginURL, ClientID: "app", PollInterval: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if f.wf, err = st.Workflows().Create(ctx, store.Workflow{Name: "accounts", OrgID: f.org.ID, OwnerID: f.user.ID, Enabled: true, Document: "version: 1\n"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// tableSink is a Sink on a plain table, standing in for a sheet in the
// engine's tests: one row per record, its cells as text. failUpsert makes
// the nth Upsert fail after writing, so that its transaction rolls back.
type tableSink struct {
	table      string
	upserts    atomic.Int32
	failUpsert int32
}

func newTableSink(t testing.TB, st *store.Store) *tableSink {
	t.Helper()
	s := &tableSink{table: "rows_" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "_")}
	err := st.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), `CREATE TABLE `+store.QuoteIdent(s.table)+` (
			sfid TEXT PRIMARY KEY, modstamp TEXT NOT NULL, name TEXT, industry TEXT, score TEXT,
			status TEXT NOT NULL, error TEXT NOT NULL DEFAULT '')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *tableSink) Versions(ctx context.Context, tx *store.Tx, ids []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for _, id := range ids {
		var ms string
		err := tx.QueryRow(ctx, `SELECT modstamp FROM `+store.QuoteIdent(s.table)+` WHERE sfid = $1`, id).Scan(&ms)
		if err == store.ErrNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		t, err := time.Parse(time.RFC3339Nano, ms)
		if err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, nil
}

func (s *tableSink) Upsert(ctx context.Context, tx *store.Tx, rows []Row) (ins, upd int, failed []Failure, err error) {
	for _, r := range rows {
		status, msg := "synced", ""
		if r.Err != nil {
			status, msg = "failed", r.Err.Error()
		}
		var existed bool
		err := tx.QueryRow(ctx, `SELECT true FROM `+store.QuoteIdent(s.table)+` WHERE sfid = $1`, r.SalesforceID).Scan(&existed)
		if err != nil && err != store.ErrNotFound {
			return 0, 0, nil, err
		}
		_, err = tx.Exec(ctx, `INSERT INTO `+store.QuoteIdent(s.table)+` (sfid, modstamp, name, industry, score, status, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sfid) DO UPDATE SET modstamp = excluded.modstamp,
			name = excluded.name, industry = excluded.industry, score = excluded.score, status = excluded.status, error = excluded.error`,
			r.SalesforceID, r.Modstamp.Format(time.RFC3339Nano), text(r.Cells["Name"]), text(r.Cells["Industry"]), text(r.Cells["Score"]), status, msg)
		if err != nil {
			return 0, 0, nil, err
		}
		if r.Err != nil {
			failed = append(failed, Failure{SalesforceID: r.SalesforceID, Err: r.Err})
		}
		if existed {
			upd++
		} else {
			ins++
		}
	}
	if n := s.upserts.Add(1); n == s.failUpsert {
		return 0, 0, nil, fmt.Errorf("upsert %d: %w", n, errInjected)
	}
	return ins, upd, failed, nil
}

func (s *tableSink) Remove(ctx context.Context, tx *store.Tx, ids []string, how Removal) (int, error) {
	n := 0
	for _, id := range ids {
		var res interface{ RowsAffected() (int64, error) }
		var err error
		if how == MarkRow {
			res, err = tx.Exec(ctx, `UPDATE `+store.QuoteIdent(s.table)+` SET status = 'removed' WHERE sfid = $1 AND status <> 'removed'`, id)
		} else {
			res, err = tx.Exec(ctx, `DELETE FROM `+store.QuoteIdent(s.table)+` WHERE sfid = $1`, id)
		}
		if err != nil {
			return 0, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}

func (s *tableSink) Refresh(ctx context.Context, tx *store.Tx, rows []Row) (int, error) {
	n := 0
	for _, r := range rows {
		res, err := tx.Exec(ctx, `UPDATE `+store.QuoteIdent(s.table)+` SET score = $1 WHERE sfid = $2 AND score IS DISTINCT FROM $1`,
			text(r.Cells["Score"]), r.SalesforceID)
		if err != nil {
			return 0, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}

// sheetRow is a row of a tableSink as the tests compare it.
type sheetRow struct {
	Name, Industry, Score, Status string
}

// rows reads the sink's table.
func (s *tableSink) rows(t testing.TB, st *store.Store) map[string]sheetRow {
	t.Helper()
	out := map[string]sheetRow{}
	err := st.Read(context.Background(), func(tx *store.Tx) error {
		rs, err := tx.Query(context.Background(), `SELECT sfid, name, industry, score, status FROM `+store.QuoteIdent(s.table))
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id string
			var r sheetRow
			if err := rs.Scan(&id, &r.Name, &r.Industry, &r.Score, &r.Status); err != nil {
				return err
			}
			out[id] = r
		}
		return rs.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func text(v any) string { s, _ := v.(string); return s }

// scoreField is the tests' stand-in for a cross-object formula: a value
// read from the parent account, which changes without the record's
// SystemModstamp moving — the reason the formula refresh exists. The
// emulator computes no custom formulas; a relationship path behaves the
// same way for the engine.
const scoreField = "Parent.AccountNumber"

// accountPlan is the plan of the tests: accounts of one industry, Name and
// Industry mapped, the score as a formula.
func accountPlan(industry string) *Plan {
	cells := func(rec *salesforce.Record) (map[string]any, error) {
		out := map[string]any{}
		for col, field := range map[string]string{"Name": "Name", "Industry": "Industry", "Score": scoreField} {
			if s, ok := rec.String(field); ok {
				out[col] = s
			}
		}
		return out, nil
	}
	return &Plan{
		Source: Source{
			Object:   "Account",
			Fields:   []string{"Name", "Industry", scoreField},
			Where:    &soql.Comparison{Left: field("Industry"), Op: soql.OpEqual, Right: &soql.StringLit{Value: industry}},
			Formulas: []string{scoreField},
		},
		Match: func(rec *salesforce.Record) (bool, error) {
			s, _ := rec.String("Industry")
			return s == industry, nil
		},
		Cells: cells,
		FormulaCells: func(rec *salesforce.Record) (map[string]any, error) {
			all, err := cells(rec)
			return map[string]any{"Score": all["Score"]}, err
		},
		RefreshEvery: time.Hour,
	}
}

// want returns what the sheet must hold for the org's live records of an
// industry.
func want(o *testOrg, industry string) map[string]sheetRow {
	out := map[string]sheetRow{}
	for id, r := range o.live() {
		if r.Industry == industry {
			r.Status = "synced"
			out[id] = r
		}
	}
	return out
}

// startEmulator serves a new emulator with the empty seed in-process and
// logs a client in to it as the admin user.
func startEmulator(t testing.TB, opts sfemu.Options, retry salesforce.RetryPolicy) (*sfemu.Emulator, *salesforce.Client) {
	t.Helper()
	opts.Seed = "empty"
	emu, err := sfemu.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	client, err := salesforce.Connect(context.Background(), salesforce.Config{LoginURL: srv.URL, ClientID: auth.DevConsumerKey,
		ClientSecret: auth.DevConsumerSecret, Retry: retry}, salesforce.PasswordGrant(org.AdminUsername, "sfbridge"))
	if err != nil {
		t.Fatal(err)
	}
	return emu, client
}

// testOrg is the emulator as the engine's tests drive it. The engine reads
// through client, over HTTP, in pages of 200, without retries (so that a
// fault it injects reaches the engine); the test changes records with the
// org's Go API, which costs no API call, on a clock it moves by hand.
type testOrg struct {
	t      testing.TB
	emu    *sfemu.Emulator
	org    *org.Org
	as     *org.Principal
	client *salesforce.Client
	now    time.Time // the org's time for the next change
	seq    int
}

// orgEpoch is when the tests' orgs start.
var orgEpoch = time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)

func newTestOrg(t testing.TB) *testOrg {
	t.Helper()
	clk := clock.New()
	clk.Set(orgEpoch)
	emu, client := startEmulator(t, sfemu.Options{Clock: clk, DailyAPILimit: 1_000_000}, salesforce.RetryPolicy{MaxAttempts: 1})
	o := emu.Org()
	u, ok := o.UserByUsername(org.AdminUsername)
	if !ok {
		t.Fatal("the emulator has no admin user")
	}
	as, err := o.As(u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &testOrg{t: t, emu: emu, org: o, as: as, client: client, now: orgEpoch}
}

// tick moves the org's time by d: the next change is stamped then.
func (o *testOrg) tick(d time.Duration) { o.now = o.now.Add(d) }

// at sets the emulator's clock to the tests' time, so that the next change
// is stamped then (or a millisecond after the previous one) however long
// the test took to get there.
func (o *testOrg) at() { o.emu.Clock().Set(o.now) }

func (o *testOrg) input(fields map[string]any) *schema.Input {
	o.t.Helper()
	body, err := json.Marshal(fields)
	if err != nil {
		o.t.Fatal(err)
	}
	in, err := o.org.Registry().Object("Account").DecodeJSON(body)
	if err != nil {
		o.t.Fatalf("decoding %s: %v", body, err)
	}
	return in
}

// newAccount returns the fields of the next test account.
func (o *testOrg) newAccount(industry string) map[string]any {
	o.seq++
	return map[string]any{"Name": fmt.Sprintf("acct-%d", o.seq), "Industry": industry}
}

// create adds n accounts named acct-i of an industry in one transaction, so
// that they share one SystemModstamp as the records of one DML statement
// do, and returns their IDs.
func (o *testOrg) create(n int, industry string) []string {
	o.t.Helper()
	tx := o.begin()
	ids := make([]string, n)
	o.org.Atomically(tx.ctx, func(ctx context.Context) bool {
		for i := range ids {
			ids[i] = o.createIn(ctx, o.newAccount(industry))
		}
		return true
	})
	tx.commit()
	return ids
}

// createWith adds one account with the given fields and returns its ID.
func (o *testOrg) createWith(fields map[string]any) string {
	o.t.Helper()
	o.at()
	return o.createIn(context.Background(), fields)
}

func (o *testOrg) createIn(ctx context.Context, fields map[string]any) string {
	o.t.Helper()
	id, err := o.org.Create(ctx, o.as, "Account", o.input(fields))
	if err != nil {
		o.t.Fatalf("creating %v: %v", fields, err)
	}
	return id
}

// put updates a record.
func (o *testOrg) put(id string, fields map[string]any) {
	o.t.Helper()
	o.at()
	if err := o.org.Update(context.Background(), o.as, "Account", id, o.input(fields)); err != nil {
		o.t.Fatalf("updating %s with %v: %v", id, fields, err)
	}
}

// remove deletes a record (to the recycle bin).
func (o *testOrg) remove(id string) {
	o.t.Helper()
	o.at()
	if err := o.org.Delete(context.Background(), o.as, id); err != nil {
		o.t.Fatalf("deleting %s: %v", id, err)
	}
}

// undelete restores a record from the recycle bin.
func (o *testOrg) undelete(id string) {
	o.t.Helper()
	o.at()
	if err := o.org.Undelete(context.Background(), o.as, id); err != nil {
		o.t.Fatalf("undeleting %s: %v", id, err)
	}
}

// inflight is a long transaction under way in the org: its records are
// stamped when it began and visible once it commits.
type inflight struct {
	o   *testOrg
	ctx context.Context
	tx  *org.InFlight
}

// begin starts a transaction now.
func (o *testOrg) begin() *inflight {
	o.at()
	ctx, tx := o.org.Begin(context.Background())
	return &inflight{o: o, ctx: ctx, tx: tx}
}

// create adds one account of an industry in the transaction.
func (f *inflight) create(industry string) string {
	f.o.t.Helper()
	return f.o.createIn(f.ctx, f.o.newAccount(industry))
}

func (f *inflight) commit() {
	f.o.at()
	f.tx.Commit()
}

// live returns the live accounts as rows, by ID, read with the org's Go API.
func (o *testOrg) live() map[string]sheetRow {
	src := o.org.QuerySource()
	obj := o.org.Registry().Object("Account")
	str := func(r schema.Record, name string) string {
		v, _ := r.Get(obj.Field(name)).(string)
		return v
	}
	out := map[string]sheetRow{}
	for r := range src.Scan(obj, false) {
		row := sheetRow{Name: str(r, "Name"), Industry: str(r, "Industry")}
		if parent := str(r, "ParentId"); parent != "" {
			if p := src.Lookup(parent, false); p != nil {
				row.Score = str(p, "AccountNumber")
			}
		}
		out[str(r, "Id")] = row
	}
	return out
}

// callCount is the number of API calls the engine's client made.
func (o *testOrg) callCount() int { return int(o.client.Calls().API()) }

// failNextCall makes the next API call fail with 503 SERVER_UNAVAILABLE,
// which the engine's client does not retry.
func (o *testOrg) failNextCall() {
	o.fail(sfemu.Fault{Kind: sfemu.FaultUnavailable, Rate: 1, Limit: 1})
}

// fail injects one fault; failNone clears them.
func (o *testOrg) fail(f sfemu.Fault) {
	o.t.Helper()
	if err := o.emu.SetFaults(sfemu.FaultPlan{Seed: 1, Faults: []sfemu.Fault{f}}); err != nil {
		o.t.Fatal(err)
	}
}

func (o *testOrg) failNone() {
	o.t.Helper()
	if err := o.emu.SetFaults(sfemu.FaultPlan{}); err != nil {
		o.t.Fatal(err)
	}
}

// errInjected is the failure the tests' sinks inject.
var errInjected = errors.New("injected failure")

// injected reports whether err is a failure a test injected: errInjected,
// or the emulator's 503.
func injected(err error) bool {
	var ae *salesforce.APIError
	return errors.Is(err, errInjected) || errors.As(err, &ae) && ae.Status == http.StatusServiceUnavailable
}

// liveHeap returns the bytes of live heap, after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
