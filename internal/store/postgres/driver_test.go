package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/postgres"
	"github.com/sfbridge/sfbridge/internal/store/postgres/pgtest"
	"github.com/sfbridge/sfbridge/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	pgtest.ServerDSN(t)
	storetest.Exercise(t, func(t *testing.T) store.Driver { return pgtest.Driver(t) })
}

func keyring(t testing.TB) *secret.Keyring {
	t.Helper()
	k, err := secret.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	kr, err := secret.NewKeyring(k)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// TestWriteLock pins BeginWrite's lock: a writer of another process (here
// a second driver) waits for the first, and reports ErrBusy once its lock
// timeout has passed; writers of the same process wait their turn.
func TestWriteLock(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	open := func(opts postgres.Options) *store.Store {
		d, err := postgres.Open(dsn, opts)
		if err != nil {
			t.Fatal(err)
		}
		return openStore(t, d)
	}
	first := open(postgres.Options{})
	second := open(postgres.Options{LockTimeout: 50 * time.Millisecond})
	ctx := t.Context()

	err := first.Write(ctx, func(*store.Tx) error {
		return second.Write(ctx, func(*store.Tx) error { return nil })
	})
	if !errors.Is(err, store.ErrBusy) {
		t.Fatalf("a write while another process writes: error = %v, want ErrBusy", err)
	}
	if err := second.Write(ctx, func(*store.Tx) error { return nil }); err != nil {
		t.Fatalf("a write after the lock was released: %v", err)
	}
	// Writers of one process queue for as long as their context allows,
	// however short the lock timeout.
	holding, done := make(chan struct{}), make(chan error)
	go func() {
		done <- second.Write(ctx, func(*store.Tx) error {
			close(holding)
			time.Sleep(200 * time.Millisecond) // four lock timeouts
			return nil
		})
	}()
	<-holding
	if err := second.Write(ctx, func(*store.Tx) error { return nil }); err != nil {
		t.Errorf("a write queued behind another of the same process: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Reads take no lock.
	err = first.Write(ctx, func(*store.Tx) error {
		return second.Read(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "SELECT 1")
			return err
		})
	})
	if err != nil {
		t.Fatalf("a read while another process writes: %v", err)
	}
}

// TestTypes pins the conversions the driver adds to pgx's: instants come
// back in UTC, and a Go bool fits the integer flags of the system tables.
func TestTypes(t *testing.T) {
	t.Parallel()
	st := openStore(t, pgtest.Driver(t))
	ctx := t.Context()
	at := time.Date(2026, 3, 15, 10, 30, 0, 123456000, time.FixedZone("CET", 3600))
	var (
		got     time.Time
		flag    int64
		enabled bool
	)
	err := st.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TABLE typed (at TIMESTAMPTZ, flag BIGINT CHECK (flag IN (0, 1)), on_ BOOLEAN)`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO typed VALUES ($1, $2, $3)`, at, true, true); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT at, flag, flag FROM typed`).Scan(&got, &flag, &enabled)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(at) || got.Location() != time.UTC {
		t.Errorf("instant read back as %v, want %v in UTC", got, at)
	}
	if flag != 1 || !enabled {
		t.Errorf("true bound to an integer column read back as %d / %v, want 1 / true", flag, enabled)
	}
}

func TestMigrated(t *testing.T) {
	t.Parallel()
	d := pgtest.Driver(t)
	ctx := t.Context()
	if ok, err := d.Migrated(ctx); err != nil || ok {
		t.Fatalf("Migrated on an empty database = %v, %v; want false", ok, err)
	}
	st, err := store.Open(context.Background(), d, store.Options{Keyring: keyring(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if ok, err := d.Migrated(ctx); err != nil || !ok {
		t.Fatalf("Migrated after opening the store = %v, %v; want true", ok, err)
	}
}

func TestOpenRedactsThePassword(t *testing.T) {
	t.Parallel()
	// Nothing listens on port 1: the connection fails, and says where.
	_, err := postgres.Open("postgres://sf:s3cret@127.0.0.1:1/sfbridge?sslmode=disable&connect_timeout=2", postgres.Options{})
	if err == nil {
		t.Fatal("Open of a server that is not there succeeded")
	}
	if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error = %q; want the address without the password", err)
	}
	if _, err := postgres.Open("postgres://sf:s3cret@db:port/x", postgres.Options{}); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a bad DSN: error = %v; want one without the password", err)
	}
}

func TestRedactDSN(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"postgres://sf:s3cret@db:5432/sfbridge?sslmode=require", "postgres://sf:xxxxx@db:5432/sfbridge?sslmode=require"},
		{"postgresql://sf@db/sfbridge", "postgresql://sf@db/sfbridge"},
		{"postgres://db/sfbridge?password=s3cret&sslmode=disable", "postgres://db/sfbridge?password=xxxxx&sslmode=disable"},
		{"host=db password=s3cret dbname=x", "host=db password=xxxxx dbname=x"},
		{"host=db password = 's3 cret' dbname=x", "host=db password = xxxxx dbname=x"},
		{"host=db dbname=x", "host=db dbname=x"},
	} {
		if got := postgres.RedactDSN(tt.in); got != tt.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
