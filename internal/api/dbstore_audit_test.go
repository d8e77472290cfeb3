package api

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/store"
)

// The adapter records the state before and after each change it audits,
// and never a credential.
func TestStoreAuditStates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testDB(t)
	s := NewStore(db)
	hash := "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$c2VjcmV0LWhhc2g"
	root, err := s.CreateFirstUser(ctx, NewUser{Login: "root", DisplayName: "Root", PasswordHash: hash, Roles: access.RolesOf(access.SystemAdmin)},
		AuditEntry{Action: "setup", Subject: "user root"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetRoles(ctx, root.ID, access.RolesOf(access.SystemAdmin, access.ConnectorUser), AuditEntry{ActorID: root.ID, Action: "roles.set"}); err != nil {
		t.Fatal(err)
	}
	tokenHash := access.HashSecret("sfbp_secret")
	if err := s.CreateToken(ctx, Token{ID: "tok_1", UserID: root.ID, Name: "ci", Hash: tokenHash, Hint: "cret"}, AuditEntry{ActorID: root.ID, Action: "token.create"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteToken(ctx, root.ID, "tok_1", AuditEntry{ActorID: root.ID, Action: "token.revoke"}); err != nil {
		t.Fatal(err)
	}

	page, _, err := db.Audit().List(ctx, store.AuditPage{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(page) - 1; i >= 0; i-- {
		e := page[i]
		got = append(got, e.Action+" "+string(e.Before)+" "+string(e.After))
		for _, doc := range []string{string(e.Before), string(e.After)} {
			if strings.Contains(doc, "argon2id") || strings.Contains(doc, tokenHash) {
				t.Errorf("%s: a credential in the audit log: %s", e.Action, doc)
			}
		}
	}
	want := []string{
		`setup  {"id":1,"login":"root","display_name":"Root","roles":["system_admin"]}`,
		`roles.set {"roles":["system_admin"]} {"roles":["system_admin","connector_user"]}`,
		`token.create  {"hint":"cret","id":"tok_1","name":"ci"}`,
		`token.revoke {"id":"tok_1"} `,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Conflicts come back as ErrConflict with a sentence fit for the API's
// answer, without the database's own message.
func TestStoreConflictMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewStore(testDB(t))
	hash, err := cheapPasswords.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	root, err := s.CreateFirstUser(ctx, NewUser{Login: "root", PasswordHash: hash, Roles: access.RolesOf(access.SystemAdmin)}, AuditEntry{Action: "setup"})
	if err != nil {
		t.Fatal(err)
	}
	_, errFirst := s.CreateFirstUser(ctx, NewUser{Login: "eve", PasswordHash: hash}, AuditEntry{Action: "setup"})
	_, errLogin := s.CreateUser(ctx, NewUser{Login: "ROOT"}, AuditEntry{Action: "user.create"})
	errRoles := s.SetRoles(ctx, root.ID, 0, AuditEntry{Action: "roles.set"})
	for _, c := range []struct {
		err  error
		want string
	}{
		{errFirst, "a system admin with a password exists already, or the login signs in with a password, so the first-run setup is over: api: conflict"},
		{errLogin, `the login "ROOT" is taken (logins are compared ignoring case): api: conflict`},
		{errRoles, "user 1 is the last system admin: api: conflict"},
	} {
		if !errors.Is(c.err, ErrConflict) || c.err.Error() != c.want {
			t.Errorf("error %q, want %q wrapping ErrConflict", c.err, c.want)
		}
	}
}
