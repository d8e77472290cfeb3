// Package apitest is the conformance suite of the [api.Store] seam: every
// implementation runs [TestStore], so the contract documented on api.Store —
// which errors, which changes are atomic, what the restricted-access list
// does to workflows and the audit log — is checked the same way for each.
//
// Decision record: docs/adr/0121-api-foundation.md.
package apitest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
)

// Harness is one fresh, empty store with the hooks the suite needs beyond
// api.Store: workflows live in another package's tables, and the audit log
// has no reader in the API.
type Harness struct {
	Store api.Store
	// AddWorkflow creates a workflow owned by the user, enabled or not, and
	// returns its id.
	AddWorkflow func(t *testing.T, owner int64, enabled bool) int64
	// WorkflowEnabled reports whether the workflow is enabled.
	WorkflowEnabled func(t *testing.T, id int64) bool
	// Audit returns every audit entry written, oldest first.
	Audit func(t *testing.T) []api.AuditEntry
}

// TestStore runs the suite; newHarness returns an empty store each call.
func TestStore(t *testing.T, newHarness func(t *testing.T) Harness) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"Users", testUsers},
		{"FirstUser", testFirstUser},
		{"SetRoles", testSetRoles},
		{"Sessions", testSessions},
		{"Tokens", testTokens},
		{"Restricted", testRestricted},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newHarness(t)) })
	}
}

var at = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func entry(action, subject string) api.AuditEntry {
	return api.AuditEntry{ActorID: 1, Action: action, Subject: subject, Detail: action + " " + subject, At: at}
}

func mustUser(t *testing.T, s api.Store, login string, roles ...access.Role) api.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), api.NewUser{Login: login, DisplayName: "D " + login,
		PasswordHash: "$argon2id$hash-of-" + login, Roles: access.RolesOf(roles...)}, entry("user.create", login))
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", login, err)
	}
	return u
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

func testUsers(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Store
	ada := mustUser(t, s, "Ada@example.com", access.ConnectorUser, access.ConnectorAdmin)
	bob := mustUser(t, s, "bob@example.com")
	if ada.ID == 0 || ada.ID == bob.ID {
		t.Fatalf("ids %d and %d: want distinct, non-zero", ada.ID, bob.ID)
	}
	got, err := s.User(ctx, ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Login != "Ada@example.com" || got.DisplayName != "D Ada@example.com" || got.PasswordHash != "$argon2id$hash-of-Ada@example.com" ||
		got.Roles != access.RolesOf(access.ConnectorUser, access.ConnectorAdmin) {
		t.Errorf("User = %+v", got)
	}
	if got, err := s.UserByLogin(ctx, "ada@EXAMPLE.com"); err != nil || got.ID != ada.ID {
		t.Errorf("UserByLogin is not case-insensitive: %+v, %v", got, err)
	}
	_, err = s.CreateUser(ctx, api.NewUser{Login: "ADA@example.com"}, entry("user.create", "dup"))
	wantErr(t, "CreateUser with a taken login", err, api.ErrConflict)
	_, err = s.User(ctx, 9999)
	wantErr(t, "User(9999)", err, api.ErrNotFound)
	_, err = s.UserByLogin(ctx, "nobody")
	wantErr(t, "UserByLogin(nobody)", err, api.ErrNotFound)
	list, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != ada.ID || list[1].ID != bob.ID {
		t.Errorf("Users = %+v, want ada then bob", list)
	}
}

// firstHash is a password hash in the format the store accepts; the first
// system admin must have a password.
const firstHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"

func testFirstUser(t *testing.T, h Harness) {
	ctx := context.Background()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
	)
	for i := range 6 {
		wg.Go(func() {
			_, err := h.Store.CreateFirstUser(ctx, api.NewUser{Login: "admin" + string(rune('a'+i)), PasswordHash: firstHash,
				Roles: access.RolesOf(access.SystemAdmin)}, api.AuditEntry{Action: "setup", At: at})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				created++
			case !errors.Is(err, api.ErrConflict):
				t.Errorf("CreateFirstUser: %v, want nil or ErrConflict", err)
			}
		})
	}
	wg.Wait()
	users, err := h.Store.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if created != 1 || len(users) != 1 || users[0].Roles != access.RolesOf(access.SystemAdmin) {
		t.Fatalf("%d first users created, %d stored (%+v); want exactly one system admin", created, len(users), users)
	}
	if audit := h.Audit(t); len(audit) != 1 || audit[0].Action != "setup" {
		t.Errorf("audit = %+v, want one setup entry", audit)
	}
}

func testSetRoles(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Store
	root := mustUser(t, s, "root", access.SystemAdmin)
	ada := mustUser(t, s, "ada")
	before := len(h.Audit(t))

	all := access.RolesOf(access.AllRoles...)
	if err := s.SetRoles(ctx, ada.ID, all, entry("roles.set", "ada")); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.User(ctx, ada.ID); got.Roles != all {
		t.Errorf("roles = %s, want all", got.Roles)
	}
	// Two system admins: either may lose the role, not both.
	if err := s.SetRoles(ctx, root.ID, access.RolesOf(access.ConnectorUser), entry("roles.set", "root")); err != nil {
		t.Fatalf("removing one of two system admins: %v", err)
	}
	err := s.SetRoles(ctx, ada.ID, 0, entry("roles.set", "ada again"))
	wantErr(t, "removing the last system admin", err, api.ErrConflict)
	if got, _ := s.User(ctx, ada.ID); got.Roles != all {
		t.Errorf("refused change was applied: roles = %s", got.Roles)
	}
	err = s.SetRoles(ctx, 9999, 0, entry("roles.set", "ghost"))
	wantErr(t, "SetRoles(9999)", err, api.ErrNotFound)

	var subjects []string
	for _, e := range h.Audit(t)[before:] {
		subjects = append(subjects, e.Subject)
	}
	if !slices.Equal(subjects, []string{"ada", "root"}) {
		t.Errorf("audit subjects = %q, want the two changes made", subjects)
	}
}

func testSessions(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Store
	ada := mustUser(t, s, "ada")
	sess := api.Session{Hash: access.HashSecret("secret"), UserID: ada.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionByHash(ctx, sess.Hash)
	if err != nil || got.UserID != ada.ID || !got.ExpiresAt.Equal(sess.ExpiresAt) || !got.CreatedAt.Equal(at) {
		t.Fatalf("SessionByHash = %+v, %v", got, err)
	}
	if err := s.DeleteSession(ctx, sess.Hash); err != nil {
		t.Fatal(err)
	}
	_, err = s.SessionByHash(ctx, sess.Hash)
	wantErr(t, "a deleted session", err, api.ErrNotFound)
	if err := s.DeleteSession(ctx, sess.Hash); err != nil {
		t.Errorf("deleting a missing session: %v", err)
	}
}

func testTokens(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Store
	ada := mustUser(t, s, "ada")
	bob := mustUser(t, s, "bob")
	before := len(h.Audit(t))
	old := api.Token{ID: "tok_old", UserID: ada.ID, Name: "laptop", Hash: access.HashSecret("a"), Hint: "aaaa", CreatedAt: at}
	recent := api.Token{ID: "tok_new", UserID: ada.ID, Name: "ci", Hash: access.HashSecret("b"), Hint: "bbbb",
		CreatedAt: at.Add(time.Minute), ExpiresAt: at.Add(24 * time.Hour)}
	theirs := api.Token{ID: "tok_bob", UserID: bob.ID, Name: "x", Hash: access.HashSecret("c"), Hint: "cccc", CreatedAt: at}
	for _, tok := range []api.Token{old, recent, theirs} {
		if err := s.CreateToken(ctx, tok, entry("token.create", tok.ID)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.TokenByHash(ctx, recent.Hash)
	if err != nil || got.ID != recent.ID || got.UserID != ada.ID || got.Name != "ci" || got.Hint != "bbbb" ||
		!got.ExpiresAt.Equal(recent.ExpiresAt) {
		t.Fatalf("TokenByHash = %+v, %v", got, err)
	}
	if got, _ := s.TokenByHash(ctx, old.Hash); !got.ExpiresAt.IsZero() {
		t.Errorf("a token without expiry reads back with ExpiresAt %v", got.ExpiresAt)
	}
	list, err := s.Tokens(ctx, ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "tok_new" || list[1].ID != "tok_old" {
		t.Errorf("Tokens = %+v, want tok_new then tok_old", list)
	}
	err = s.DeleteToken(ctx, ada.ID, "tok_bob", entry("token.revoke", "tok_bob"))
	wantErr(t, "revoking another's token", err, api.ErrNotFound)
	if err := s.DeleteToken(ctx, ada.ID, "tok_old", entry("token.revoke", "tok_old")); err != nil {
		t.Fatal(err)
	}
	_, err = s.TokenByHash(ctx, old.Hash)
	wantErr(t, "a revoked token", err, api.ErrNotFound)
	if _, err := s.TokenByHash(ctx, theirs.Hash); err != nil {
		t.Errorf("bob's token was touched: %v", err)
	}
	if n := len(h.Audit(t)) - before; n != 4 {
		t.Errorf("%d audit entries for 3 creations and 1 revocation, want 4", n)
	}
}

func testRestricted(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Store
	owner := mustUser(t, s, "owner", access.ConnectorUser)
	idle := mustUser(t, s, "idle", access.ConnectorUser)
	other := mustUser(t, s, "other", access.ConnectorUser)
	w1 := h.AddWorkflow(t, owner.ID, true)
	w2 := h.AddWorkflow(t, owner.ID, false)
	w3 := h.AddWorkflow(t, owner.ID, true)
	w4 := h.AddWorkflow(t, other.ID, true)

	list, err := s.Restricted(ctx)
	if err != nil || list.On || len(list.Members) != 0 {
		t.Fatalf("a new store's list = %+v, %v; want off and empty", list, err)
	}
	added, err := s.SetRestrictedOn(ctx, true, entry("restricted.toggle", "on"))
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []int64{owner.ID, other.ID}
	slices.Sort(wantIDs)
	if !slices.Equal(added, wantIDs) {
		t.Errorf("turning on added %v, want the workflow owners %v", added, wantIDs)
	}
	if list, _ = s.Restricted(ctx); !list.On || !slices.Equal(list.Members, wantIDs) {
		t.Errorf("list = %+v, want on with %v", list, wantIDs)
	}

	if err := s.AddRestricted(ctx, idle.ID, entry("restricted.add", "idle")); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRestricted(ctx, idle.ID, entry("restricted.add", "idle again")); err != nil {
		t.Errorf("adding a member twice: %v", err)
	}
	wantErr(t, "adding an unknown user", s.AddRestricted(ctx, 9999, entry("restricted.add", "ghost")), api.ErrNotFound)

	before := len(h.Audit(t))
	disabled, err := s.RemoveRestricted(ctx, owner.ID, entry("restricted.remove", "owner"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(disabled)
	if want := []int64{w1, w3}; !slices.Equal(disabled, want) {
		t.Errorf("disabled %v, want the owner's enabled workflows %v", disabled, want)
	}
	for id, want := range map[int64]bool{w1: false, w2: false, w3: false, w4: true} {
		if got := h.WorkflowEnabled(t, id); got != want {
			t.Errorf("workflow %d enabled = %v, want %v", id, got, want)
		}
	}
	if n := len(h.Audit(t)) - before; n != 3 {
		t.Errorf("%d audit entries for removing a member with 2 enabled workflows, want 3 (removal + one per workflow)", n)
	}
	_, err = s.RemoveRestricted(ctx, owner.ID, entry("restricted.remove", "owner again"))
	wantErr(t, "removing a non-member", err, api.ErrNotFound)

	if _, err := s.SetRestrictedOn(ctx, false, entry("restricted.toggle", "off")); err != nil {
		t.Fatal(err)
	}
	list, _ = s.Restricted(ctx)
	wantIDs = []int64{idle.ID, other.ID}
	slices.Sort(wantIDs)
	if list.On || !slices.Equal(list.Members, wantIDs) {
		t.Errorf("after turning off: %+v, want off, members kept %v", list, wantIDs)
	}
}
