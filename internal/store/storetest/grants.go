package storetest

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
)

// testConnectionGrants pins what each grant type stores, what it refuses,
// and that its secret is sealed (testSecretRotation rotates it).
func testConnectionGrants(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	conns := e.st.Connections()
	const key = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n"

	for _, tc := range []struct {
		name string
		in   store.Connection
		want store.Grant
	}{
		{"a refresh token defaults to the refresh_token grant",
			store.Connection{RefreshToken: secret.New("5Aep")},
			store.Grant{Type: store.GrantRefreshToken}},
		{"nothing defaults to none",
			store.Connection{},
			store.Grant{Type: store.GrantNone}},
		{"jwt keeps the key and the audience",
			store.Connection{Username: "bot@acme.com", Grant: store.Grant{Type: store.GrantJWTBearer, Secret: secret.New(key), Audience: "https://test.salesforce.com"}},
			store.Grant{Type: store.GrantJWTBearer, Secret: secret.New(key), Audience: "https://test.salesforce.com"}},
		{"jwt without an audience follows the login URL",
			store.Connection{Username: "bot@acme.com", Grant: store.Grant{Type: store.GrantJWTBearer, Secret: secret.New(key)}},
			store.Grant{Type: store.GrantJWTBearer, Secret: secret.New(key)}},
		{"client credentials keep nothing",
			store.Connection{Grant: store.Grant{Type: store.GrantClientCredentials}},
			store.Grant{Type: store.GrantClientCredentials}},
		{"password keeps the password",
			store.Connection{Username: "dev@acme.com", Grant: store.Grant{Type: store.GrantPassword, Secret: secret.New("pw+token")}},
			store.Grant{Type: store.GrantPassword, Secret: secret.New("pw+token")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.OrgID, in.UserID, in.AccessToken = f.org.ID, f.user.ID, secret.New("00D!access")
			c, err := conns.Save(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := conns.Get(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Grant.Type != tc.want.Type || got.Grant.Secret.Reveal() != tc.want.Secret.Reveal() || got.Grant.Audience != tc.want.Audience {
				t.Errorf("stored grant = %s %q %q; want %s %q %q", got.Grant.Type, got.Grant.Secret.Reveal(), got.Grant.Audience,
					tc.want.Type, tc.want.Secret.Reveal(), tc.want.Audience)
			}
			if s := tc.want.Secret.Reveal(); s != "" {
				sealed := e.raw(t, `SELECT grant_secret FROM connections WHERE id = $1`, c.ID)
				if len(sealed) == 0 || bytes.Contains(sealed, []byte(s[len(s)/2:])) {
					t.Errorf("the grant secret is not sealed at rest: %q", sealed)
				}
			} else if sealed := e.raw(t, `SELECT grant_secret FROM connections WHERE id = $1`, c.ID); sealed != nil {
				t.Errorf("an empty grant secret is stored as %q, not NULL", sealed)
			}
		})
	}

	t.Run("a renewal keeps the grant", func(t *testing.T) {
		c, err := conns.Save(ctx, store.Connection{OrgID: f.org.ID, UserID: f.user.ID, Username: "dev@acme.com",
			AccessToken: secret.New("a1"), Grant: store.Grant{Type: store.GrantPassword, Secret: secret.New("pw")}})
		if err != nil {
			t.Fatal(err)
		}
		if err := conns.UpdateTokens(ctx, c.ID, secret.New("a2"), secret.Value{}); err != nil {
			t.Fatal(err)
		}
		got, err := conns.Get(ctx, c.ID)
		if err != nil || got.AccessToken.Reveal() != "a2" || got.Grant.Type != store.GrantPassword || got.Grant.Secret.Reveal() != "pw" {
			t.Errorf("after a renewal: %+v, %v", got, err)
		}
	})

	t.Run("grants that cannot renew are refused", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			c    store.Connection
			want string
		}{
			{"refresh_token without a refresh token", store.Connection{Grant: store.Grant{Type: store.GrantRefreshToken}}, "needs a refresh token"},
			{"jwt without a username", store.Connection{Grant: store.Grant{Type: store.GrantJWTBearer, Secret: secret.New(key)}}, "needs the Salesforce username"},
			{"jwt without a key", store.Connection{Username: "u", Grant: store.Grant{Type: store.GrantJWTBearer}}, "needs the PEM private key"},
			{"password without a password", store.Connection{Username: "u", Grant: store.Grant{Type: store.GrantPassword}}, "needs the password"},
			{"client credentials with a secret", store.Connection{Grant: store.Grant{Type: store.GrantClientCredentials, Secret: secret.New("x")}}, "keeps no secret"},
			{"an audience on a password grant", store.Connection{Username: "u", Grant: store.Grant{Type: store.GrantPassword, Secret: secret.New("x"), Audience: "https://login.salesforce.com"}}, "only for the jwt_bearer grant"},
			{"an unknown type", store.Connection{Grant: store.Grant{Type: "saml"}}, `unknown grant type "saml"`},
		} {
			c := tc.c
			c.OrgID, c.UserID = f.org.ID, f.user.ID
			_, err := conns.Save(ctx, c)
			if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error = %v, want ErrInvalid saying %q", tc.name, err, tc.want)
			}
		}
	})

}

// testConnectionGrantsMigration opens a database made before connections
// stored their grant: those with a refresh token renew with it, the others
// with nothing.
func testConnectionGrantsMigration(t *testing.T, h *harness) {
	ctx := t.Context()
	drv := h.newDriver(t)
	keys := keyring(t, newKey(t, "k1"))
	before := shippedMigrations(t, drv)
	grants := ""
	for name := range before {
		if strings.Contains(name, "_connection_grants") {
			grants = name
		}
	}
	if grants == "" {
		t.Fatal("the driver ships no NNNN_connection_grants.sql migration")
	}
	for name := range before {
		if name >= grants { // the grants migration and any after it
			delete(before, name)
		}
	}
	old, err := store.Open(ctx, borrowed{Driver: drv, migrations: before}, store.Options{Keyring: keys})
	if err != nil {
		t.Fatal(err)
	}
	// Rows written with the SQL of that time: today's repositories may
	// write columns later migrations add.
	ids := map[string]int64{}
	err = old.Write(ctx, func(tx *store.Tx) error {
		var orgID int64
		if err := tx.QueryRow(ctx, `INSERT INTO orgs (name, login_url, client_id, poll_interval_ms, created_at, updated_at)
			VALUES ('o', 'https://login.salesforce.com', 'x', 60000, $1, $1) RETURNING id`, tx.Now()).Scan(&orgID); err != nil {
			return err
		}
		for login, refresh := range map[string][]byte{"web": []byte("sealed refresh token"), "jwt": nil} {
			var userID, id int64
			if err := tx.QueryRow(ctx, `INSERT INTO users (login, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`,
				login, tx.Now()).Scan(&userID); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO connections (org_id, user_id, refresh_token, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $4) RETURNING id`, orgID, userID, refresh, tx.Now()).Scan(&id); err != nil {
				return err
			}
			ids[login] = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	st, err := store.Open(ctx, drv, store.Options{Keyring: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for login, want := range map[string]store.GrantType{"web": store.GrantRefreshToken, "jwt": store.GrantNone} {
		var got string
		err := st.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, `SELECT grant_type FROM connections WHERE id = $1`, ids[login]).Scan(&got)
		})
		if err != nil || store.GrantType(got) != want {
			t.Errorf("the %s connection's grant after the migration: %q, %v; want %s", login, got, err, want)
		}
	}
}

// testConnectionCount counts an org's connections and those needing
// re-authorisation, as the org list shows them.
func testConnectionCount(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	conns := e.st.Connections()
	if n, err := conns.Count(ctx, f.org.ID); err != nil || n != (store.ConnectionCount{}) {
		t.Fatalf("Count of an org nobody connected to = %+v, %v; want zeros", n, err)
	}
	var ids []int64
	for _, login := range []string{"a", "b", "c"} {
		u, err := e.st.Users().Create(ctx, store.User{Login: login})
		if err != nil {
			t.Fatal(err)
		}
		c, err := conns.Save(ctx, store.Connection{OrgID: f.org.ID, UserID: u.ID, RefreshToken: secret.New("r-" + login)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	if err := conns.SetState(ctx, ids[1], store.StateNeedsReauth, "revoked"); err != nil {
		t.Fatal(err)
	}
	if n, err := conns.Count(ctx, f.org.ID); err != nil || n != (store.ConnectionCount{Total: 3, NeedsReauth: 1}) {
		t.Errorf("Count = %+v, %v; want 3 connections, 1 needing re-authorisation", n, err)
	}
}
