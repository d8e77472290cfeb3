package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
)

// testOAuthLogins: a pending browser login is taken once, keeps its
// verifier sealed, and expired ones are swept when a login starts.
func testOAuthLogins(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	u, err := e.st.Users().Create(ctx, store.User{Login: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := e.st.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "k"})
	if err != nil {
		t.Fatal(err)
	}
	logins := e.st.OAuthLogins()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	l := store.OAuthLogin{StateHash: "hash-1", OrgID: o.ID, UserID: u.ID, Verifier: secret.New("verifier-value-1"),
		RedirectURL: "https://sfbridge.example.com/oauth/callback", ExpiresAt: now.Add(10 * time.Minute)}
	if err := logins.Start(ctx, l, now); err != nil {
		t.Fatal(err)
	}
	if sealed := e.raw(t, `SELECT verifier FROM oauth_logins WHERE org_id = $1`, o.ID); bytes.Contains(sealed, []byte("verifier-value-1")) {
		t.Errorf("the verifier is not sealed at rest: %q", sealed)
	}
	if err := logins.Start(ctx, l, now); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second login with the same state: %v, want ErrConflict", err)
	}
	got, err := logins.Take(ctx, "hash-1")
	if err != nil || got.UserID != u.ID || got.OrgID != o.ID || got.Verifier.Reveal() != "verifier-value-1" ||
		got.RedirectURL != l.RedirectURL || !got.ExpiresAt.Equal(l.ExpiresAt) {
		t.Fatalf("Take = %+v, %v; want the login started", got, err)
	}
	if _, err := logins.Take(ctx, "hash-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("taking a login twice: %v, want ErrNotFound", err)
	}

	// Starting a login sweeps the expired ones.
	old := l
	old.StateHash, old.ExpiresAt = "hash-old", now.Add(time.Minute)
	if err := logins.Start(ctx, old, now); err != nil {
		t.Fatal(err)
	}
	fresh := l
	fresh.StateHash = "hash-fresh"
	if err := logins.Start(ctx, fresh, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := logins.Take(ctx, "hash-old"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an expired login survived a start: %v", err)
	}
	if _, err := logins.Take(ctx, "hash-fresh"); err != nil {
		t.Errorf("the fresh login: %v", err)
	}

	for _, bad := range []store.OAuthLogin{
		{OrgID: o.ID, UserID: u.ID, Verifier: secret.New("v"), RedirectURL: "https://x"},
		{StateHash: "h", OrgID: o.ID, UserID: u.ID, RedirectURL: "https://x"},
		{StateHash: "h", OrgID: o.ID, UserID: u.ID, Verifier: secret.New("v")},
	} {
		if err := logins.Start(ctx, bad, now); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Start(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	// A login dies with its org.
	fresh.StateHash = "hash-org"
	if err := logins.Start(ctx, fresh, now); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Orgs().Delete(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := logins.Take(ctx, "hash-org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a login of a deleted org: %v, want ErrNotFound", err)
	}
}
