package cli_test

import (
	"encoding/json"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sfbridge/sfbridge/internal/store/postgres"
	"github.com/sfbridge/sfbridge/internal/store/postgres/pgtest"
)

// TestOutboundOnPostgres runs sfbridge on PostgreSQL ($SFBRIDGE_TEST_POSTGRES;
// skipped without it, failed in CI): an outbound workflow applied from the
// CLI, a row inserted by plain SQL through pgx while the server runs, and
// the record it becomes in the emulator, its ID written back to the row.
func TestOutboundOnPostgres(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	_, url := startEmulator(t)
	dir := t.TempDir()
	data := []string{"--data", filepath.Join(dir, "data")}
	env := append([]string{"SFBRIDGE_DATABASE_DRIVER=postgres", "SFBRIDGE_DATABASE_DSN=" + dsn}, secrets...)
	run := func(args ...string) result { return sfbridge(t, dir, env, append(args, data...)...) }

	if r := run("org", "add", "emu", "--login", url, "--client-id", "sfbridge-dev", "--client-secret-env", "SF_SECRET",
		"--flow", "password", "--username", "admin@example.com", "--password-env", "SF_PASSWORD", "--poll", "1m"); r.code != 0 {
		t.Fatalf("org add: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	write(t, dir, "new.yaml", outboundWorkflow)
	if r := run("workflow", "apply", "new.yaml"); r.code != 0 {
		t.Fatalf("workflow apply: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	p := start(t, dir, env, append([]string{"serve", "--listen", "127.0.0.1:0"}, data...)...)
	p.waitLine(t, "sfbridge serving on ")

	db := pgtest.DB(t, dsn)
	waitUntil(t, func() bool { // the sheet appears once the server has bound the workflow
		_, err := db.Exec(`INSERT INTO sheet_new_accounts (name) VALUES ('Typed in psql')`)
		return err == nil
	})
	var sfid string
	waitUntil(t, func() bool {
		err := db.QueryRow(`SELECT _sfid FROM sheet_new_accounts WHERE name = 'Typed in psql' AND _status = 'synced'`).Scan(&sfid)
		return err == nil && sfid != ""
	})

	q := neturl.QueryEscape("SELECT Id FROM Account WHERE Name = 'Typed in psql'")
	status, body := rest(t, http.MethodGet, url+"/services/data/v62.0/query?q="+q, emulatorLogin(t, url), "")
	var res struct {
		Records []struct{ ID string }
	}
	if err := json.Unmarshal(body, &res); err != nil || status != http.StatusOK {
		t.Fatalf("querying accounts: %d %s", status, body)
	}
	if len(res.Records) != 1 || res.Records[0].ID != sfid {
		t.Errorf("accounts named after the row in the emulator: %s; want one, %s", body, sfid)
	}
	var jobs int
	if err := db.QueryRow(`SELECT count(*) FROM river_job`).Scan(&jobs); err != nil {
		t.Errorf("River's tables are not in the store's database: %v", err)
	}
	// (Checked before the stop: River's maintainer may log its canceled
	// context on the way out.)
	if strings.Contains(p.stderrText(), "level=ERROR") {
		t.Errorf("the server logged errors:\n%s", p.stderrText())
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("serve exited %d", code)
	}

	// The database holds sealed secrets: without its key file sfbridge
	// refuses to start with a new key.
	if err := os.Remove(filepath.Join(data[1], "secret.key")); err != nil {
		t.Fatal(err)
	}
	if r := run("org", "list"); r.code != 2 || !strings.Contains(r.stderr, "is missing, and the database postgres://") {
		t.Errorf("org list without the key file: exit %d, %s; want 2 and the missing key file", r.code, r.stderr)
	}
}

// TestNoDataOnPostgres checks that a command reading data, run against an
// empty PostgreSQL database, refuses as it does on SQLite (exit 2, "register
// an org first", the DSN's password hidden) and creates nothing: no tables,
// no data directory and key file.
func TestNoDataOnPostgres(t *testing.T) {
	const password = "pw-never-printed"
	dsn := withPassword(t, pgtest.NewDatabase(t), password)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	env := []string{"SFBRIDGE_DATABASE_DRIVER=postgres", "SFBRIDGE_DATABASE_DSN=" + dsn}
	want := "no sfbridge data in " + postgres.RedactDSN(dsn) + ": register an org first (sfbridge org add)"
	for _, args := range [][]string{{"sheet", "list"}, {"org", "list"}, {"workflow", "list"}} {
		r := sfbridge(t, dir, env, append(args, "--data", data)...)
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("sfbridge %s: exit %d, stderr %q; want 2 and %q", strings.Join(args, " "), r.code, r.stderr, want)
		}
		if strings.Contains(r.stdout+r.stderr, password) {
			t.Errorf("sfbridge %s printed the DSN's password:\n%s%s", strings.Join(args, " "), r.stdout, r.stderr)
		}
	}
	var tables int
	if err := pgtest.DB(t, dsn).QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("read-only commands created %d tables in the empty database", tables)
	}
	if _, err := os.Stat(data); err == nil {
		t.Error("a read-only command created the data directory (and its key file)")
	}
}

// withPassword returns dsn with a password, which the test server (trust
// authentication) ignores.
func withPassword(t *testing.T, dsn, password string) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " password=" + password
	}
	u, err := neturl.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = neturl.UserPassword(u.User.Username(), password)
	return u.String()
}
