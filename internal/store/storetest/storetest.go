package storetest

import (
	"context"
	"io/fs"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
)

// Exercise runs the suite. newDriver must return a driver on a new, empty
// database each time it is called; the suite closes it.
func Exercise(t *testing.T, newDriver func(t *testing.T) store.Driver) {
	h := &harness{newDriver: newDriver}
	for _, c := range []struct {
		name string
		run  func(*testing.T, *harness)
	}{
		{"Migrations", testMigrations},
		{"Transactions", testTransactions},
		{"ErrorMapping", testErrorMapping},
		{"Dialect", testDialect},
		{"Users", testUsers},
		{"UserRoles", testUserRoles},
		{"FirstUser", testFirstUser},
		{"FirstUserAdopts", testFirstUserAdopts},
		{"OAuthLogins", testOAuthLogins},
		{"Sessions", testSessions},
		{"Tokens", testTokens},
		{"RestrictedList", testRestrictedList},
		{"Audit", testAudit},
		{"AccessMigration", testAccessMigration},
		{"Orgs", testOrgs},
		{"Connections", testConnections},
		{"ConnectionGrants", testConnectionGrants},
		{"ConnectionCount", testConnectionCount},
		{"ConnectionGrantsMigration", testConnectionGrantsMigration},
		{"SecretRotation", testSecretRotation},
		{"Workflows", testWorkflows},
		{"Checkpoints", testCheckpoints},
		{"Runs", testRuns},
		{"Triggers", testTriggers},
		{"Outbox", testOutbox},
		{"OutboxWait", testOutboxWait},
		{"DeadLetters", testDeadLetters},
		{"Links", testLinks},
		{"Journal", testJournal},
		{"Conflicts", testConflicts},
		{"SyncStats", testSyncStats},
		{"Activities", testActivities},
		{"ListViewChoices", testListViewChoices},
		{"FeatureSettings", testFeatureSettings},
		{"FeatureRoles", testFeatureRoles},
		{"ActivitySettings", testActivitySettings},
		{"ActivityFind", testActivityFind},
		{"Budgets", testBudgets},
		{"BudgetWebhookRotation", testBudgetWebhookRotation},
		{"UsageSamples", testUsageSamples},
		{"Notifications", testNotifications},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, h)
		})
	}
}

type harness struct {
	newDriver func(t *testing.T) store.Driver
}

// env is one store on a fresh database, with its clock and keyring.
type env struct {
	st    *store.Store
	drv   store.Driver
	clock *Clock
	keys  *secret.Keyring
}

// open returns a store on a new database, closed when the test ends.
func (h *harness) open(t *testing.T) *env {
	t.Helper()
	drv := h.newDriver(t)
	e := &env{drv: drv, clock: NewClock(), keys: keyring(t, newKey(t, "k1"))}
	st, err := store.Open(context.Background(), drv, store.Options{Keyring: e.keys, Now: e.clock.Now})
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("closing the store: %v", err)
		}
	})
	e.st = st
	return e
}

// reopen returns a second store on e's database with another keyring,
// sharing e's driver (closed with e).
func (e *env) reopen(t *testing.T, keys *secret.Keyring) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), borrowed{Driver: e.drv}, store.Options{Keyring: keys, Now: e.clock.Now})
	if err != nil {
		t.Fatalf("reopening the store: %v", err)
	}
	return st
}

// borrowed is a driver whose Close does nothing, for a second store on the
// same database; migrations, when set, replace the driver's.
type borrowed struct {
	store.Driver
	migrations fs.FS
}

// Close does nothing: the driver belongs to another store.
func (borrowed) Close() error { return nil }

// Migrations returns the replacement migrations, or the driver's.
func (b borrowed) Migrations() fs.FS {
	if b.migrations != nil {
		return b.migrations
	}
	return b.Driver.Migrations()
}

// Clock is a settable clock for stores under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to 2026-03-15 10:30:00.123456 CET, which has
// sub-second digits and is not in UTC, so tests see both survive.
func NewClock() *Clock {
	return &Clock{t: time.Date(2026, 3, 15, 10, 30, 0, 123456000, time.FixedZone("CET", 3600))}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// OpenStore opens a store over drv, migrated, with a fresh keyring, closed
// when t ends: what the drivers' test helpers (sqlitetest, pgtest) give
// tests.
func OpenStore(t testing.TB, drv store.Driver) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), drv, store.Options{Keyring: keyring(t, newKey(t, "test"))})
	if err != nil {
		_ = drv.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("closing the test database: %v", err)
		}
	})
	return st
}

func newKey(t testing.TB, id string) secret.Key {
	t.Helper()
	k, err := secret.GenerateKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// keyring returns a keyring of keys, the first primary.
func keyring(t testing.TB, keys ...secret.Key) *secret.Keyring {
	t.Helper()
	kr, err := secret.NewKeyring(keys[0], keys[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}
