package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/store"
)

// hashOf returns a well-formed secret hash, as access.HashSecret makes.
func hashOf(secret string) string { return access.HashSecret(secret) }

func testUserRoles(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	users := e.st.Users()
	admins := access.RolesOf(access.SystemAdmin, access.ConnectorUser)

	root, err := users.Create(ctx, store.User{Login: "root", PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", Roles: admins})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := users.ByLogin(ctx, " ROOT "); err != nil || got != root {
		t.Errorf("ByLogin = %+v, %v; want %+v", got, err, root)
	}
	ada, _ := users.Create(ctx, store.User{Login: "ada"})
	if ada.Roles != 0 || ada.PasswordHash != "" {
		t.Errorf("a user created without roles or password: %+v", ada)
	}

	t.Run("passwords are stored only as argon2id hashes", func(t *testing.T) {
		for _, bad := range []string{"hunter2", "$2a$10$bcrypt", "$argon2i$v=19$x"} {
			if _, err := users.Create(ctx, store.User{Login: "p-" + bad, PasswordHash: bad}); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("password hash %q: error = %v, want ErrInvalid", bad, err)
			}
		}
		// The schema refuses them too, for writers that bypass the repository.
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE users SET password_hash = 'hunter2' WHERE id = $1`, ada.ID)
			return err
		})
		if !errors.Is(err, store.ErrConstraint) {
			t.Errorf("a clear password written in SQL: error = %v, want ErrConstraint", err)
		}
	})

	t.Run("set roles", func(t *testing.T) {
		e.clock.Advance(time.Minute)
		all := access.RolesOf(access.AllRoles...)
		before, err := users.SetRoles(ctx, ada.ID, all)
		if err != nil || before != 0 {
			t.Fatalf("SetRoles = %s, %v; want the empty set before", before, err)
		}
		got, _ := users.Get(ctx, ada.ID)
		if got.Roles != all || !got.UpdatedAt.Equal(e.clock.Now()) || !got.CreatedAt.Equal(ada.CreatedAt) {
			t.Errorf("after SetRoles: %+v", got)
		}
		if _, err := users.SetRoles(ctx, 999, all); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetRoles(999) = %v, want ErrNotFound", err)
		}
	})

	t.Run("the last system admin keeps the role", func(t *testing.T) {
		// Two system admins: one may step down, then the other may not.
		if _, err := users.SetRoles(ctx, root.ID, access.RolesOf(access.ConnectorAdmin)); err != nil {
			t.Fatalf("one of two system admins stepping down: %v", err)
		}
		for _, roles := range []access.Roles{0, access.RolesOf(access.ConnectorAdmin, access.ConnectorUser)} {
			if _, err := users.SetRoles(ctx, ada.ID, roles); !errors.Is(err, store.ErrConflict) {
				t.Errorf("the last system admin to %s: error = %v, want ErrConflict", roles, err)
			}
		}
		if got, _ := users.Get(ctx, ada.ID); got.Roles != access.RolesOf(access.AllRoles...) {
			t.Errorf("a refused change was applied: roles %s", got.Roles)
		}
		// Keeping the role while changing the others is fine.
		if _, err := users.SetRoles(ctx, ada.ID, access.RolesOf(access.SystemAdmin)); err != nil {
			t.Errorf("the last system admin dropping other roles: %v", err)
		}
	})

	t.Run("list", func(t *testing.T) {
		list, err := users.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range list {
			got = append(got, u.Login+"="+u.Roles.String())
		}
		if want := []string{"root=connector_admin", "ada=system_admin"}; !slices.Equal(got, want) {
			t.Errorf("List = %q, want %q", got, want)
		}
	})

	t.Run("deleting a user deletes their roles", func(t *testing.T) {
		var n int
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, root.ID); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT count(*) FROM user_roles WHERE user_id = $1`, root.ID).Scan(&n)
		})
		if err != nil || n != 0 {
			t.Errorf("%d roles left, %v", n, err)
		}
	})
}

func testFirstUser(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created []string
	)
	for i := range 8 {
		wg.Go(func() {
			u, err := e.st.Users().CreateFirst(ctx, store.User{Login: fmt.Sprintf("admin%d", i), PasswordHash: fakeHash, Roles: access.RolesOf(access.SystemAdmin)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				created = append(created, u.Login)
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("CreateFirst: %v, want nil or ErrConflict", err)
			}
		})
	}
	wg.Wait()
	list, err := e.st.Users().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 1 || len(list) != 1 || list[0].Login != created[0] || list[0].Roles != access.RolesOf(access.SystemAdmin) {
		t.Fatalf("created %q, stored %+v; want exactly one system admin", created, list)
	}
	if _, err := e.st.Users().CreateFirst(ctx, store.User{Login: "late", PasswordHash: fakeHash}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateFirst after setup: %v, want ErrConflict", err)
	}
	if _, err := e.st.Users().Create(ctx, store.User{Login: "late"}); err != nil {
		t.Errorf("Create after setup: %v", err)
	}
}

// fakeHash passes the store's check of password hashes; nothing verifies it.
const fakeHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"

// testFirstUserAdopts: users the CLI created without a password (sfbridge
// org connect --as LOGIN) keep setup open, and setup with one's login adopts
// it, keeping its id and so its connections.
func testFirstUserAdopts(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	cli, err := e.st.Users().Create(ctx, store.User{Login: "ada@example.com", DisplayName: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.st.Users().Create(ctx, store.User{Login: "bob@example.com", PasswordHash: fakeHash, Roles: access.RolesOf(access.ConnectorUser)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Users().CreateFirst(ctx, store.User{Login: "nopassword"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("CreateFirst without a password: %v, want ErrInvalid", err)
	}
	if _, err := e.st.Users().CreateFirst(ctx, store.User{Login: "BOB@example.com", PasswordHash: fakeHash}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateFirst over a user with a password: %v, want ErrConflict", err)
	}
	u, err := e.st.Users().CreateFirst(ctx, store.User{Login: "ADA@example.com", DisplayName: "Ada", PasswordHash: fakeHash, Roles: access.RolesOf(access.SystemAdmin)})
	if err != nil {
		t.Fatalf("CreateFirst adopting the CLI's user: %v", err)
	}
	got, err := e.st.Users().Get(ctx, cli.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != cli.ID || got.Login != "ada@example.com" || got.DisplayName != "Ada" || got.PasswordHash != fakeHash || got.Roles != access.RolesOf(access.SystemAdmin) {
		t.Errorf("adopted %+v, stored %+v; want user %d with the password, the name and the system admin role", u, got, cli.ID)
	}
	if _, err := e.st.Users().CreateFirst(ctx, store.User{Login: "late", PasswordHash: fakeHash}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateFirst once a system admin has a password: %v, want ErrConflict", err)
	}
	if list, err := e.st.Users().List(ctx); err != nil || len(list) != 2 || list[1].ID != other.ID {
		t.Errorf("users after setup: %+v, %v; want the two users, none added", list, err)
	}
}

func testSessions(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	sessions := e.st.Sessions()
	now := e.clock.Now()
	s := store.Session{Hash: hashOf("cookie"), UserID: f.user.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := sessions.Create(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, err := sessions.ByHash(ctx, s.Hash)
	want := store.Session{Hash: s.Hash, UserID: f.user.ID, CreatedAt: now.UTC().Truncate(time.Microsecond), ExpiresAt: now.Add(time.Hour).UTC().Truncate(time.Microsecond)}
	if err != nil || got != want {
		t.Errorf("ByHash = %+v, %v; want %+v", got, err, want)
	}

	t.Run("only hashes are stored", func(t *testing.T) {
		for _, bad := range []string{"", "cookie", strings.ToUpper(hashOf("x")), hashOf("x") + "0"} {
			if err := sessions.Create(ctx, store.Session{Hash: bad, UserID: f.user.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("hash %q: error = %v, want ErrInvalid", bad, err)
			}
		}
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES ('cookie-in-clear', $1, $2, $2)`, f.user.ID, now)
			return err
		})
		if !errors.Is(err, store.ErrConstraint) {
			t.Errorf("a clear secret written in SQL: error = %v, want ErrConstraint", err)
		}
	})

	t.Run("invalid sessions", func(t *testing.T) {
		if err := sessions.Create(ctx, store.Session{Hash: hashOf("backwards"), UserID: f.user.ID, CreatedAt: now, ExpiresAt: now}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("a session that ends as it starts: error = %v, want ErrInvalid", err)
		}
		if err := sessions.Create(ctx, store.Session{Hash: hashOf("ghost"), UserID: 999, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); !errors.Is(err, store.ErrConstraint) {
			t.Errorf("a session of a missing user: error = %v, want ErrConstraint", err)
		}
		if err := sessions.Create(ctx, s); !errors.Is(err, store.ErrConflict) {
			t.Errorf("the same session twice: error = %v, want ErrConflict", err)
		}
	})

	t.Run("signing in removes the user's expired sessions", func(t *testing.T) {
		later := now.Add(2 * time.Hour)
		if err := sessions.Create(ctx, store.Session{Hash: hashOf("second"), UserID: f.user.ID, CreatedAt: later, ExpiresAt: later.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := sessions.ByHash(ctx, s.Hash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the expired session is still there: %v", err)
		}
		if _, err := sessions.ByHash(ctx, hashOf("second")); err != nil {
			t.Errorf("the new session: %v", err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		for range 2 { // deleting a missing session is not an error
			if err := sessions.Delete(ctx, hashOf("second")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := sessions.ByHash(ctx, hashOf("second")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a deleted session: %v, want ErrNotFound", err)
		}
	})
}

func testTokens(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	bob, _ := e.st.Users().Create(ctx, store.User{Login: "bob"})
	tokens := e.st.Tokens()
	now := e.clock.Now().UTC().Truncate(time.Microsecond)
	old := store.Token{ID: "tok_old", UserID: f.user.ID, Name: "laptop", Hash: hashOf("a"), Hint: "aaaa", CreatedAt: now}
	recent := store.Token{ID: "tok_new", UserID: f.user.ID, Name: "ci", Hash: hashOf("b"), Hint: "bbbb", CreatedAt: now.Add(time.Minute), ExpiresAt: now.Add(24 * time.Hour)}
	theirs := store.Token{ID: "tok_bob", UserID: bob.ID, Hash: hashOf("c"), CreatedAt: now}
	for _, tok := range []store.Token{old, recent, theirs} {
		if err := tokens.Create(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []store.Token{old, recent} {
		if got, err := tokens.ByHash(ctx, want.Hash); err != nil || got != want {
			t.Errorf("ByHash = %+v, %v; want %+v", got, err, want)
		}
	}
	if list, err := tokens.List(ctx, f.user.ID); err != nil || !slices.Equal(list, []store.Token{recent, old}) {
		t.Errorf("List = %+v, %v; want newest first", list, err)
	}

	for _, c := range []struct {
		name string
		tok  store.Token
		want error
	}{
		{"an id taken", store.Token{ID: "tok_old", UserID: bob.ID, Hash: hashOf("d"), CreatedAt: now}, store.ErrConflict},
		{"a secret taken", store.Token{ID: "tok_d", UserID: bob.ID, Hash: hashOf("a"), CreatedAt: now}, store.ErrConflict},
		{"a secret in clear", store.Token{ID: "tok_e", UserID: bob.ID, Hash: "sfbp_secret", CreatedAt: now}, store.ErrInvalid},
		{"no id", store.Token{UserID: bob.ID, Hash: hashOf("f"), CreatedAt: now}, store.ErrInvalid},
		{"a missing owner", store.Token{ID: "tok_g", UserID: 999, Hash: hashOf("g"), CreatedAt: now}, store.ErrConstraint},
	} {
		if err := tokens.Create(ctx, c.tok); !errors.Is(err, c.want) {
			t.Errorf("%s: error = %v, want %v", c.name, err, c.want)
		}
	}

	if err := tokens.Delete(ctx, f.user.ID, "tok_bob"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking another's token: %v, want ErrNotFound", err)
	}
	if err := tokens.Delete(ctx, f.user.ID, "tok_old"); err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.ByHash(ctx, old.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a revoked token: %v, want ErrNotFound", err)
	}
	if err := tokens.Delete(ctx, f.user.ID, "tok_old"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking twice: %v, want ErrNotFound", err)
	}
	if _, err := tokens.ByHash(ctx, theirs.Hash); err != nil {
		t.Errorf("bob's token was touched: %v", err)
	}
}

// auditLines returns the log, oldest first, as "action subject" lines,
// reading it page by page.
func (e *env) auditLines(t *testing.T) []string {
	t.Helper()
	var lines []string
	p := store.AuditPage{Limit: 2}
	for {
		page, next, err := e.st.Audit().List(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page {
			lines = append(lines, a.Action+" "+a.Subject)
		}
		if next == 0 {
			break
		}
		p.Before = next
	}
	slices.Reverse(lines)
	return lines
}

func testRestrictedList(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	owner := f.user
	users := e.st.Users()
	idle, _ := users.Create(ctx, store.User{Login: "idle"})
	other, _ := users.Create(ctx, store.User{Login: "other"})
	wf := func(name string, by store.User, enabled bool) int64 {
		t.Helper()
		w, err := e.st.Workflows().Create(ctx, store.Workflow{Name: name, OrgID: f.org.ID, OwnerID: by.ID, Enabled: enabled, Document: "version: 1"})
		if err != nil {
			t.Fatal(err)
		}
		return w.ID
	}
	w1, w2, w3, w4 := wf("one", owner, true), wf("two", owner, false), wf("three", owner, true), wf("four", other, true)
	list := e.st.Restricted()
	actor := func(action, subject string) store.AuditEntry {
		return store.AuditEntry{ActorID: idle.ID, Action: action, Subject: subject, Detail: action + " " + subject}
	}

	if l, err := list.Get(ctx); err != nil || l.On || len(l.Members) != 0 {
		t.Fatalf("a new list = %+v, %v; want off and empty", l, err)
	}
	added, err := list.SetOn(ctx, true, actor("restricted.toggle", "on"))
	if want := []int64{owner.ID, other.ID}; err != nil || !slices.Equal(added, want) {
		t.Errorf("turning on added %v, %v; want the owners of workflows %v", added, err, want)
	}
	if added, err := list.SetOn(ctx, true, actor("restricted.toggle", "on again")); err != nil || added != nil {
		t.Errorf("turning on twice added %v, %v; want nothing", added, err)
	}
	page, _, err := e.st.Audit().List(ctx, store.AuditPage{Limit: 1})
	if err != nil || len(page) != 1 || string(page[0].Before) != `{"on":false}` ||
		string(page[0].After) != fmt.Sprintf(`{"on":true,"added":[%d,%d]}`, owner.ID, other.ID) || !page[0].At.Equal(e.clock.Now()) {
		t.Errorf("the toggle's audit entry: %+v, %v", page, err)
	}

	if err := list.Add(ctx, idle.ID, actor("restricted.add", "idle")); err != nil {
		t.Fatal(err)
	}
	if err := list.Add(ctx, idle.ID, actor("restricted.add", "idle again")); err != nil {
		t.Errorf("adding a member twice: %v", err)
	}
	if err := list.Add(ctx, 999, actor("restricted.add", "ghost")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("adding an unknown user: %v, want ErrNotFound", err)
	}

	disabled, err := list.Remove(ctx, owner.ID, actor("restricted.remove", "owner"))
	if want := []int64{w1, w3}; err != nil || !slices.Equal(disabled, want) {
		t.Errorf("Remove disabled %v, %v; want the owner's enabled workflows %v", disabled, err, want)
	}
	for id, want := range map[int64]bool{w1: false, w2: false, w3: false, w4: true} {
		if w, err := e.st.Workflows().Get(ctx, id); err != nil || w.Enabled != want {
			t.Errorf("workflow %d: enabled %v, %v; want %v", id, w.Enabled, err, want)
		}
	}
	if _, err := list.Remove(ctx, owner.ID, actor("restricted.remove", "owner again")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removing a non-member: %v, want ErrNotFound", err)
	}
	if _, err := list.SetOn(ctx, false, actor("restricted.toggle", "off")); err != nil {
		t.Fatal(err)
	}
	if l, _ := list.Get(ctx); l.On || !slices.Equal(l.Members, []int64{idle.ID, other.ID}) {
		t.Errorf("after turning off: %+v; want off, members kept", l)
	}

	want := []string{
		"restricted.toggle on", "restricted.add idle", "restricted.remove owner",
		fmt.Sprintf("workflow.disable workflow %d", w1), fmt.Sprintf("workflow.disable workflow %d", w3),
		"restricted.toggle off",
	}
	if got := e.auditLines(t); !slices.Equal(got, want) {
		t.Errorf("audit log:\n got %q\nwant %q", got, want)
	}

	t.Run("a failure leaves the list and the workflows as they were", func(t *testing.T) {
		before := e.auditLines(t)
		if _, err := list.SetOn(ctx, true, store.AuditEntry{}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("an entry without an action: %v, want ErrInvalid", err)
		}
		if l, _ := list.Get(ctx); l.On {
			t.Error("the list was turned on although its audit entry failed")
		}
		if _, err := list.Remove(ctx, other.ID, store.AuditEntry{}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("removing with an invalid entry: %v, want ErrInvalid", err)
		}
		if w, _ := e.st.Workflows().Get(ctx, w4); !w.Enabled {
			t.Error("a workflow was disabled although the removal failed")
		}
		if got := e.auditLines(t); !slices.Equal(got, before) {
			t.Errorf("failed changes wrote to the log: %q", got[len(before):])
		}
	})
}

func testAudit(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	log := e.st.Audit()
	at := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.FixedZone("CET", 3600))
	first, err := log.Append(ctx, store.AuditEntry{Action: "setup", Subject: "user root", Detail: "first-run setup",
		After: json.RawMessage(`{"roles":["system_admin"]}`), At: at})
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == 0 || !first.At.Equal(at.Truncate(time.Microsecond)) || first.At.Location() != time.UTC {
		t.Errorf("Append = %+v", first)
	}
	e.clock.Advance(time.Minute)
	for i := range 4 {
		if _, err := log.Append(ctx, store.AuditEntry{ActorID: int64(1 + i%2), Action: "roles.set", Subject: fmt.Sprintf("user %d", i),
			Before: json.RawMessage(`[]`), After: json.RawMessage(`["connector_user"]`)}); err != nil {
			t.Fatal(err)
		}
	}

	page, next, err := log.List(ctx, store.AuditPage{})
	if err != nil || len(page) != 5 || next != 0 {
		t.Fatalf("the default page: %d entries, next %d, %v; want all 5 and no next", len(page), next, err)
	}
	last := page[0]
	if last.Subject != "user 3" || !last.At.Equal(e.clock.Now()) || string(last.Before) != `[]` || string(last.After) != `["connector_user"]` || last.ActorID != 2 {
		t.Errorf("the newest entry = %+v", last)
	}
	if got := page[4]; got.ID != first.ID || got.Before != nil || string(got.After) != `{"roles":["system_admin"]}` || got.Detail != "first-run setup" {
		t.Errorf("the oldest entry = %+v, want %+v", got, first)
	}

	t.Run("pages", func(t *testing.T) {
		p1, next, err := log.List(ctx, store.AuditPage{Limit: 3})
		if err != nil || len(p1) != 3 || next != p1[2].ID {
			t.Fatalf("page 1: %d entries, next %d, %v", len(p1), next, err)
		}
		p2, next2, err := log.List(ctx, store.AuditPage{Limit: 3, Before: next})
		if err != nil || len(p2) != 2 || next2 != 0 || p2[1].ID != first.ID {
			t.Fatalf("page 2: %+v, next %d, %v", p2, next2, err)
		}
		mine, _, err := log.List(ctx, store.AuditPage{ActorID: 2})
		if err != nil || len(mine) != 2 || mine[0].ActorID != 2 || mine[1].ActorID != 2 {
			t.Errorf("by actor 2: %+v, %v", mine, err)
		}
		for _, tc := range []struct {
			action string
			want   int
		}{{"roles.set", 4}, {"roles", 4}, {"role", 0}, {"setup", 1}, {"roles.set.more", 0}} {
			got, _, err := log.List(ctx, store.AuditPage{Action: tc.action})
			if err != nil || len(got) != tc.want {
				t.Errorf("by action %q: %d entries, %v; want %d", tc.action, len(got), err, tc.want)
			}
		}
		if got, _, err := log.List(ctx, store.AuditPage{Action: "roles", ActorID: 1}); err != nil || len(got) != 2 {
			t.Errorf("by action roles and actor 1: %d entries, %v; want 2", len(got), err)
		}
		for _, limit := range []int{-1, store.MaxAuditPage + 1} {
			if _, _, err := log.List(ctx, store.AuditPage{Limit: limit}); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("limit %d: %v, want ErrInvalid", limit, err)
			}
		}
	})

	t.Run("invalid entries", func(t *testing.T) {
		for _, bad := range []store.AuditEntry{
			{Action: " "},
			{Action: "x", ActorID: -1},
			{Action: "x", Before: json.RawMessage(`{"unterminated"`)},
			{Action: "x", After: json.RawMessage(`nope`)},
		} {
			if _, err := log.Append(ctx, bad); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("Append(%+v) = %v, want ErrInvalid", bad, err)
			}
		}
	})

	t.Run("append-only", func(t *testing.T) {
		for _, stmt := range []string{
			`UPDATE audit_log SET detail = 'nothing happened' WHERE id = $1`,
			`DELETE FROM audit_log WHERE id = $1`,
		} {
			err := e.st.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, stmt, first.ID)
				return err
			})
			if !errors.Is(err, store.ErrConstraint) {
				t.Errorf("%s: error = %v, want ErrConstraint", stmt, err)
			}
		}
		if page, _, _ := log.List(ctx, store.AuditPage{}); len(page) != 5 || page[4].Detail != "first-run setup" {
			t.Errorf("the log changed: %+v", page)
		}
	})
}

// testAccessMigration upgrades a database made before the access migration:
// its users keep working, with no role and no password, and the list starts
// off.
func testAccessMigration(t *testing.T, h *harness) {
	ctx := t.Context()
	drv := h.newDriver(t)
	keys := keyring(t, newKey(t, "k1"))
	before := shippedMigrations(t, drv)
	accessFile := ""
	for name := range before {
		if strings.Contains(name, "_access.sql") {
			accessFile = name
		}
	}
	if accessFile == "" {
		t.Fatal("the driver ships no NNNN_access.sql migration")
	}
	for name := range before {
		if name >= accessFile {
			delete(before, name)
		}
	}
	old, err := store.Open(ctx, borrowed{Driver: drv, migrations: before}, store.Options{Keyring: keys})
	if err != nil {
		t.Fatal(err)
	}
	var ownerID int64
	err = old.Write(ctx, func(tx *store.Tx) error { // the SQL of that time
		var orgID int64
		if err := tx.QueryRow(ctx, `INSERT INTO orgs (name, login_url, client_id, poll_interval_ms, created_at, updated_at)
			VALUES ('o', 'https://login.salesforce.com', 'x', 60000, $1, $1) RETURNING id`, tx.Now()).Scan(&orgID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO users (login, created_at, updated_at) VALUES ('Owner', $1, $1) RETURNING id`, tx.Now()).Scan(&ownerID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO workflows (name, org_id, owner_id, enabled, version, document, created_at, updated_at)
			VALUES ('w', $1, $2, 1, 1, 'version: 1', $3, $3)`, orgID, ownerID, tx.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	st, err := store.Open(ctx, drv, store.Options{Keyring: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if u, err := st.Users().ByLogin(ctx, "owner"); err != nil || u.Roles != 0 || u.PasswordHash != "" {
		t.Errorf("a user from before the migration: %+v, %v; want no role, no password", u, err)
	}
	if l, err := st.Restricted().Get(ctx); err != nil || l.On || len(l.Members) != 0 {
		t.Errorf("the list after the migration: %+v, %v; want off and empty", l, err)
	}
	if added, err := st.Restricted().SetOn(ctx, true, store.AuditEntry{Action: "restricted.toggle"}); err != nil || !slices.Equal(added, []int64{ownerID}) {
		t.Errorf("turning the list on added %v, %v; want the owner of the older workflow", added, err)
	}
}
