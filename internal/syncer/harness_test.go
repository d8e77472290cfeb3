package syncer

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/soql"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite"
)

// newStore opens a store on a fresh SQLite file.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	drv, err := sqlite.Open(filepath.Join(t.TempDir(), sqlite.FileName), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key, err := secret.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	kr, err := secret.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), drv, store.Options{Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

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

// accountPlan is the plan of the tests: accounts of one industry, Name and
// Industry mapped, Score__c a formula.
func accountPlan(industry string) *Plan {
	cells := func(rec *salesforce.Record) (map[string]any, error) {
		out := map[string]any{}
		for col, field := range map[string]string{"Name": "Name", "Industry": "Industry", "Score": "Score__c"} {
			if s, ok := rec.String(field); ok {
				out[col] = s
			}
		}
		return out, nil
	}
	return &Plan{
		Source: Source{
			Object:   "Account",
			Fields:   []string{"Name", "Industry", "Score__c"},
			Where:    &soql.Comparison{Left: field("Industry"), Op: soql.OpEqual, Right: &soql.StringLit{Value: industry}},
			Formulas: []string{"Score__c"},
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
func want(o *fakeOrg, industry string) map[string]sheetRow {
	out := map[string]sheetRow{}
	for id, f := range o.live() {
		if f["Industry"] == industry {
			out[id] = sheetRow{Name: f["Name"].(string), Industry: industry, Score: f["Score__c"].(string), Status: "synced"}
		}
	}
	return out
}

// keys lists a map's keys, for messages.
func keys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// liveHeap returns the bytes of live heap, after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
