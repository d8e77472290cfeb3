package store_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite"
)

func benchStore(b *testing.B) *store.Store {
	b.Helper()
	drv, err := sqlite.Open(filepath.Join(b.TempDir(), sqlite.FileName), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	key, _ := secret.GenerateKey("k1")
	keys, _ := secret.NewKeyring(key)
	st, err := store.Open(context.Background(), drv, store.Options{Keyring: keys})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	return st
}

// BenchmarkAuditPage reads one page of 50 entries from the middle of a log
// of 100,000: keyset paging costs the same wherever the page is.
func BenchmarkAuditPage(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	const n = 100_000
	err := st.Write(ctx, func(tx *store.Tx) error {
		for i := range n {
			if _, err := tx.Audit().Append(ctx, store.AuditEntry{ActorID: int64(1 + i%20), Action: "roles.set", Subject: "user " + strconv.Itoa(i),
				Before: []byte(`{"roles":[]}`), After: []byte(`{"roles":["connector_user"]}`)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		page, _, err := st.Audit().List(ctx, store.AuditPage{Before: n / 2})
		if err != nil || len(page) != store.DefaultAuditPage {
			b.Fatalf("%d entries, %v", len(page), err)
		}
	}
}

// BenchmarkSessionByHash looks up a session among 10,000 and reads its
// user with their roles: the store's part of authenticating a request.
func BenchmarkSessionByHash(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	now := time.Now()
	var hash string
	err := st.Write(ctx, func(tx *store.Tx) error {
		u, err := tx.Users().Create(ctx, store.User{Login: "ada", Roles: access.RolesOf(access.ConnectorUser)})
		if err != nil {
			return err
		}
		for i := range 10_000 {
			hash = access.HashSecret(strconv.Itoa(i))
			if err := tx.Sessions().Create(ctx, store.Session{Hash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, err := st.Sessions().ByHash(ctx, hash)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.Users().Get(ctx, s.UserID); err != nil {
			b.Fatal(err)
		}
	}
}
