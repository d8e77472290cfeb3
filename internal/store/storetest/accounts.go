package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
)

func testUsers(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	users := e.st.Users()

	u, err := users.Create(ctx, store.User{Login: "  Ada@Example.com ", DisplayName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Login != "Ada@Example.com" || !u.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("created %+v", u)
	}
	got, err := users.Get(ctx, u.ID)
	if err != nil || got != u {
		t.Errorf("Get = %+v, %v; want %+v", got, err, u)
	}
	if got, err := users.ByLogin(ctx, "ada@example.COM"); err != nil || got.ID != u.ID {
		t.Errorf("ByLogin ignores case: got %+v, %v", got, err)
	}
	if _, err := users.Create(ctx, store.User{Login: "ADA@example.com"}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a login differing in case only: error = %v, want ErrConflict", err)
	}
	if _, err := users.Create(ctx, store.User{Login: " "}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("an empty login: error = %v, want ErrInvalid", err)
	}
	if _, err := users.Get(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(999) = %v, want ErrNotFound", err)
	}
}

// fixture is an org with an owner, ready for connections and workflows.
type fixture struct {
	user store.User
	org  store.Org
}

func (e *env) fixture(t *testing.T) fixture {
	t.Helper()
	ctx := t.Context()
	u, err := e.st.Users().Create(ctx, store.User{Login: "owner"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := e.st.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "3MVG9", ClientSecret: secret.New("consumer-secret")})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{user: u, org: o}
}

// raw returns the bytes stored in a column, bypassing the repositories.
func (e *env) raw(t *testing.T, query string, id int64) []byte {
	t.Helper()
	var b []byte
	if err := e.st.Read(t.Context(), func(tx *store.Tx) error { return tx.QueryRow(t.Context(), query, id).Scan(&b) }); err != nil {
		t.Fatal(err)
	}
	return b
}

func testOrgs(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	orgs := e.st.Orgs()

	o, err := orgs.Create(ctx, store.Org{Name: "Acme Prod", LoginURL: "https://acme.my.salesforce.com", ClientID: "3MVG9key", ClientSecret: secret.New("s3cr3t-consumer")})
	if err != nil {
		t.Fatal(err)
	}
	if o.State != store.StateConnected || o.PollInterval != store.DefaultPollInterval {
		t.Errorf("defaults: state %q, poll %v", o.State, o.PollInterval)
	}
	got, err := orgs.Get(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.ClientSecret.Equal(secret.New("s3cr3t-consumer")) || got.Name != "Acme Prod" || !got.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("Get = %+v", got)
	}
	if sealed := e.raw(t, `SELECT client_secret FROM orgs WHERE id = $1`, o.ID); bytes.Contains(sealed, []byte("s3cr3t-consumer")) || len(sealed) == 0 {
		t.Errorf("the client secret is not sealed at rest: %q", sealed)
	}

	t.Run("names are unique ignoring case", func(t *testing.T) {
		if _, err := orgs.Create(ctx, store.Org{Name: "ACME prod", LoginURL: "https://login.salesforce.com", ClientID: "x"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("error = %v, want ErrConflict", err)
		}
		if got, err := orgs.ByName(ctx, "acme PROD"); err != nil || got.ID != o.ID {
			t.Fatalf("ByName = %+v, %v", got, err)
		}
	})

	t.Run("invalid registrations", func(t *testing.T) {
		for _, bad := range []store.Org{
			{Name: "", LoginURL: "https://login.salesforce.com", ClientID: "x"},
			{Name: "n", LoginURL: "http://login.salesforce.com", ClientID: "x"},
			{Name: "n", LoginURL: "login.salesforce.com", ClientID: "x"},
			{Name: "n", LoginURL: "https://login.salesforce.com", ClientID: " "},
			{Name: "n", LoginURL: "https://login.salesforce.com", ClientID: "x", PollInterval: -time.Second},
		} {
			if _, err := orgs.Create(ctx, bad); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("Create(%+v) = %v, want ErrInvalid", bad, err)
			}
		}
	})

	t.Run("update, state and usage", func(t *testing.T) {
		e.clock.Advance(time.Minute)
		o2 := got
		o2.InstanceURL, o2.SalesforceOrgID, o2.PollInterval = "https://acme.my.salesforce.com", "00D000000000001EAA", 90*time.Second
		o2.ClientSecret = secret.New("rotated")
		up, err := orgs.Update(ctx, o2)
		if err != nil {
			t.Fatal(err)
		}
		if up.InstanceURL != o2.InstanceURL || up.PollInterval != 90*time.Second || !up.ClientSecret.Equal(secret.New("rotated")) ||
			!up.UpdatedAt.Equal(e.clock.Now()) || !up.CreatedAt.Equal(o.CreatedAt) {
			t.Errorf("Update = %+v", up)
		}
		if err := orgs.SetState(ctx, o.ID, store.StatePausedLimit, "daily API limit reached"); err != nil {
			t.Fatal(err)
		}
		if err := orgs.RecordAPIUsage(ctx, o.ID, 14990, 15000); err != nil {
			t.Fatal(err)
		}
		o3 := up
		o3.ClientSecret, o3.Name = secret.Value{}, "Acme Production"
		if up, err := orgs.Update(ctx, o3); err != nil || up.Name != "Acme Production" || !up.ClientSecret.Equal(secret.New("rotated")) {
			t.Errorf("an update without a secret must keep it: %+v, %v", up, err)
		}
		if _, err := orgs.Update(ctx, store.Org{ID: 999, Name: "x", LoginURL: "https://login.salesforce.com", ClientID: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("updating a missing org: error = %v, want ErrNotFound", err)
		}
		got, _ = orgs.Get(ctx, o.ID)
		if got.State != store.StatePausedLimit || got.StateReason != "daily API limit reached" ||
			got.APIUsage != (store.APIUsage{Used: 14990, Limit: 15000, SeenAt: e.clock.Now().UTC()}) {
			t.Errorf("after SetState and RecordAPIUsage: %+v", got)
		}
		if err := orgs.SetState(ctx, o.ID, "exploded", ""); !errors.Is(err, store.ErrConstraint) {
			t.Errorf("an unknown state: error = %v, want ErrConstraint", err)
		}
		if err := orgs.SetState(ctx, 999, store.StateConnected, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetState of a missing org = %v, want ErrNotFound", err)
		}
	})

	t.Run("list and delete", func(t *testing.T) {
		b, err := orgs.Create(ctx, store.Org{Name: "Beta", LoginURL: "https://test.salesforce.com", ClientID: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if b.ClientSecret.IsZero() != true {
			t.Error("an org without a client secret got one")
		}
		list, err := orgs.List(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "Acme Production" || list[1].Name != "Beta" {
			t.Fatalf("List = %+v, %v", list, err)
		}
		if err := orgs.Delete(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if err := orgs.Delete(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting twice: error = %v, want ErrNotFound", err)
		}
	})

	t.Run("a keyring without the key cannot read it", func(t *testing.T) {
		other := e.reopen(t, keyring(t, newKey(t, "k9")))
		if _, err := other.Orgs().Get(ctx, o.ID); !errors.Is(err, secret.ErrUnknownKey) {
			t.Fatalf("error = %v, want secret.ErrUnknownKey", err)
		}
	})
}

func testConnections(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	conns := e.st.Connections()

	c, err := conns.Save(ctx, store.Connection{OrgID: f.org.ID, UserID: f.user.ID, SalesforceUserID: "005000000000001AAA",
		Username: "owner@acme.com", InstanceURL: "https://acme.my.salesforce.com",
		AccessToken: secret.New("00D!access-1"), RefreshToken: secret.New("5Aep-refresh-1")})
	if err != nil {
		t.Fatal(err)
	}
	if c.State != store.StateConnected || !c.TokenIssuedAt.Equal(e.clock.Now()) || c.AccessToken.Reveal() != "00D!access-1" {
		t.Errorf("Save = %+v", c)
	}
	for _, col := range []string{"access_token", "refresh_token"} {
		if sealed := e.raw(t, `SELECT `+col+` FROM connections WHERE id = $1`, c.ID); bytes.Contains(sealed, []byte("-1")) {
			t.Errorf("%s is not sealed at rest", col)
		}
	}

	t.Run("refresh keeps the refresh token unless a new one comes", func(t *testing.T) {
		e.clock.Advance(time.Hour)
		if err := conns.SetState(ctx, c.ID, store.StateNeedsReauth, "invalid_grant"); err != nil {
			t.Fatal(err)
		}
		if err := conns.UpdateTokens(ctx, c.ID, secret.New("00D!access-2"), secret.Value{}); err != nil {
			t.Fatal(err)
		}
		got, err := conns.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.AccessToken.Reveal() != "00D!access-2" || got.RefreshToken.Reveal() != "5Aep-refresh-1" ||
			got.State != store.StateConnected || got.StateReason != "" || !got.TokenIssuedAt.Equal(e.clock.Now()) {
			t.Errorf("after a refresh without a new refresh token: %+v", got)
		}
		if err := conns.UpdateTokens(ctx, c.ID, secret.New("00D!access-3"), secret.New("5Aep-refresh-2")); err != nil {
			t.Fatal(err)
		}
		if got, _ := conns.Get(ctx, c.ID); got.RefreshToken.Reveal() != "5Aep-refresh-2" {
			t.Errorf("a rotated refresh token was not stored: %s", got.RefreshToken.Reveal())
		}
	})

	t.Run("saving again relinks the same connection", func(t *testing.T) {
		_ = conns.SetState(ctx, c.ID, store.StateNeedsReauth, "invalid_grant")
		again, err := conns.Save(ctx, store.Connection{OrgID: f.org.ID, UserID: f.user.ID, SalesforceUserID: "005000000000002AAA",
			Username: "other@acme.com", AccessToken: secret.New("a"), RefreshToken: secret.New("r")})
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != c.ID || again.Username != "other@acme.com" || again.State != store.StateConnected || !again.CreatedAt.Equal(c.CreatedAt) {
			t.Errorf("relinked: %+v (first was %+v)", again, c)
		}
		if got, err := conns.ForUser(ctx, f.org.ID, f.user.ID); err != nil || got.ID != c.ID {
			t.Errorf("ForUser = %+v, %v", got, err)
		}
		if list, err := conns.List(ctx, f.org.ID); err != nil || len(list) != 1 {
			t.Errorf("List = %+v, %v", list, err)
		}
	})

	t.Run("references and states are checked", func(t *testing.T) {
		if _, err := conns.Save(ctx, store.Connection{OrgID: 999, UserID: f.user.ID}); !errors.Is(err, store.ErrConstraint) {
			t.Errorf("a connection to a missing org: error = %v, want ErrConstraint", err)
		}
		if err := conns.SetState(ctx, c.ID, store.StatePausedLimit, ""); !errors.Is(err, store.ErrConstraint) {
			t.Errorf("paused_limit on a connection: error = %v, want ErrConstraint", err)
		}
	})

	t.Run("deleting the org deletes its connections", func(t *testing.T) {
		if err := e.st.Orgs().Delete(ctx, f.org.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := conns.Get(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the connection outlived its org: %v", err)
		}
	})
}

func testSecretRotation(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	k1, k2 := newKey(t, "k1"), newKey(t, "k2")
	drv := e.drv
	st1, err := store.Open(ctx, borrowed{Driver: drv}, store.Options{Keyring: keyring(t, k1), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := st1.Users().Create(ctx, store.User{Login: "u"})
	o, err := st1.Orgs().Create(ctx, store.Org{Name: "o", LoginURL: "https://login.salesforce.com", ClientID: "x", ClientSecret: secret.New("client")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st1.Orgs().Create(ctx, store.Org{Name: "no secret", LoginURL: "https://login.salesforce.com", ClientID: "x"}); err != nil {
		t.Fatal(err)
	}
	c, err := st1.Connections().Save(ctx, store.Connection{OrgID: o.ID, UserID: u.ID, AccessToken: secret.New("access"), RefreshToken: secret.New("refresh")})
	if err != nil {
		t.Fatal(err)
	}
	u2, _ := st1.Users().Create(ctx, store.User{Login: "u2"})
	pw, err := st1.Connections().Save(ctx, store.Connection{OrgID: o.ID, UserID: u2.ID, Username: "dev@acme.com",
		Grant: store.Grant{Type: store.GrantPassword, Secret: secret.New("password")}})
	if err != nil {
		t.Fatal(err)
	}

	st2, err := store.Open(ctx, borrowed{Driver: drv}, store.Options{Keyring: keyring(t, k2, k1), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	n, err := st2.RotateSecrets(ctx)
	if err != nil || n != 4 {
		t.Fatalf("RotateSecrets = %d, %v; want the 4 stored secrets", n, err)
	}
	if n, err := st2.RotateSecrets(ctx); err != nil || n != 0 {
		t.Errorf("a second RotateSecrets = %d, %v; want 0", n, err)
	}
	for _, q := range []struct {
		query string
		id    int64
	}{
		{`SELECT client_secret FROM orgs WHERE id = $1`, o.ID},
		{`SELECT access_token FROM connections WHERE id = $1`, c.ID},
		{`SELECT refresh_token FROM connections WHERE id = $1`, c.ID},
		{`SELECT grant_secret FROM connections WHERE id = $1`, pw.ID},
	} {
		if id, err := secret.KeyID(e.raw(t, q.query, q.id)); err != nil || id != "k2" {
			t.Errorf("%s: sealed with %q (%v), want k2", q.query, id, err)
		}
	}

	st3, err := store.Open(ctx, borrowed{Driver: drv}, store.Options{Keyring: keyring(t, k2), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	gotOrg, err := st3.Orgs().Get(ctx, o.ID)
	if err != nil || gotOrg.ClientSecret.Reveal() != "client" {
		t.Fatalf("after retiring k1: %v, %v", gotOrg.ClientSecret.Reveal(), err)
	}
	gotConn, err := st3.Connections().Get(ctx, c.ID)
	if err != nil || gotConn.AccessToken.Reveal() != "access" || gotConn.RefreshToken.Reveal() != "refresh" {
		t.Fatalf("after retiring k1: %v", err)
	}

	t.Run("a secret sealed with a missing key stops the rotation", func(t *testing.T) {
		st4, err := store.Open(ctx, borrowed{Driver: drv}, store.Options{Keyring: keyring(t, newKey(t, "k3")), Now: e.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st4.RotateSecrets(ctx); !errors.Is(err, secret.ErrUnknownKey) {
			t.Fatalf("error = %v, want secret.ErrUnknownKey", err)
		}
		if id, _ := secret.KeyID(e.raw(t, `SELECT client_secret FROM orgs WHERE id = $1`, o.ID)); id != "k2" {
			t.Errorf("a failed rotation changed stored secrets (now sealed with %q)", id)
		}
	})
}
