package config

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/secret"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	if c.Level() != slog.LevelInfo {
		t.Errorf("Level() = %v, want info", c.Level())
	}
}

func TestValidate(t *testing.T) {
	org := func(mod func(*Org)) func(*Config) {
		return func(c *Config) {
			o := Org{Name: "acme", ClientID: "3MVG9"}
			mod(&o)
			c.Orgs = append(c.Orgs, o)
		}
	}
	tests := []struct {
		name string
		mod  func(*Config)
		want []string // problems, "key: message prefix"; none when valid
	}{
		{"empty data dir", func(c *Config) { c.DataDir = " " }, []string{"data_dir: the data directory is empty"}},
		{"listen on every interface", func(c *Config) { c.Listen = ":8080" }, []string{`listen: ":8080" is reachable from other machines`}},
		{"listen on every interface, allowed", func(c *Config) { c.Listen, c.AllowRemote = ":8080", true }, nil},
		{"listen on localhost", func(c *Config) { c.Listen = "localhost:0" }, nil},
		{"listen on IPv6 loopback", func(c *Config) { c.Listen = "[::1]:8080" }, nil},
		{"listen without port", func(c *Config) { c.Listen = "127.0.0.1" }, []string{`listen: "127.0.0.1" is not a host:port address`}},
		{"listen on a bad port", func(c *Config) { c.Listen = "127.0.0.1:99999" }, []string{`listen: "127.0.0.1:99999": the port "99999"`}},
		{"log level", func(c *Config) { c.LogLevel = "trace" }, []string{`log_level: log level "trace" is not one of`}},
		{"log level in capitals", func(c *Config) { c.LogLevel = "WARN" }, nil},
		{"postgres", func(c *Config) { c.Database.Driver = "postgres" }, []string{"database.driver: the PostgreSQL driver is not available"}},
		{"empty driver", func(c *Config) { c.Database.Driver = "" }, []string{`database.driver: unknown database driver ""`}},
		{"web org", org(func(o *Org) {}), nil},
		{"org without name", org(func(o *Org) { o.Name = "" }), []string{"orgs[0].name: the org has no name"}},
		{"org without client id", org(func(o *Org) { o.ClientID = "" }), []string{"orgs[0].client_id: the connected app's consumer key is missing"}},
		{"org with a bad login", org(func(o *Org) { o.Login = "login.salesforce.com" }), []string{`orgs[0].login: login "login.salesforce.com" is not production, sandbox or a URL`}},
		{"org with an unset secret", org(func(o *Org) { o.ClientSecretEnv = "NOPE" }), nil}, // CheckSecrets' business
		{"org polling backwards", org(func(o *Org) { o.PollInterval = -1 }), []string{"orgs[0].poll_interval: the polling interval -1ns is negative"}},
		{"unknown flow", org(func(o *Org) { o.Flow = "saml" }), []string{`orgs[0].flow: unknown flow "saml": use one of web, jwt, password`}},
		{"jwt without user nor key", org(func(o *Org) { o.Flow = FlowJWT }), []string{"orgs[0].username: the jwt flow needs", "orgs[0].key_file: the jwt flow needs key_file"}},
		{"jwt", org(func(o *Org) { o.Flow, o.Username, o.KeyFile = FlowJWT, "a@b.c", "k.pem" }), nil},
		{"password without password", org(func(o *Org) { o.Flow, o.Username = FlowPassword, "a@b.c" }), []string{"orgs[0].password_env: the password flow needs password_env"}},
		{"password", org(func(o *Org) { o.Flow, o.Username, o.PasswordEnv = FlowPassword, "a@b.c", "PW" }), nil}, // the variable is CheckSecrets' business
		{"duplicate org names", func(c *Config) {
			c.Orgs = []Org{{Name: "Acme", ClientID: "x"}, {Name: "beta", ClientID: "x"}, {Name: " ACME ", ClientID: "x"}}
		}, []string{`orgs[2].name: org " ACME " is already defined as orgs[0]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.mod(c)
			err := c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate() = %v, want an *Error matching ErrInvalid", err)
			}
			if len(ce.Problems) != len(tt.want) {
				t.Fatalf("Validate() found %d problems, want %d:\n%v", len(ce.Problems), len(tt.want), err)
			}
			for i, p := range ce.Problems {
				if got := p.Error(); !strings.HasPrefix(got, tt.want[i]) {
					t.Errorf("problem %d = %q, want it to start with %q", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestCheckSecrets(t *testing.T) {
	c := Default()
	c.Orgs = []Org{
		{Name: "set", ClientID: "x", ClientSecretEnv: "A", ClientSecret: secret.New("a"), Flow: FlowPassword, Username: "u", PasswordEnv: "B", Password: secret.New("b")},
		{Name: "none", ClientID: "x"},
		{Name: "unset", ClientID: "x", ClientSecretEnv: "A", Flow: FlowPassword, Username: "u@x", PasswordEnv: "B"},
		{Name: "web ignores password_env", ClientID: "x", PasswordEnv: "B"},
	}
	c.where = map[string]string{"orgs[2]": "f.yaml:9:5", "orgs[2].password_env": "f.yaml:14:19"}
	err := c.CheckSecrets()
	var ce *Error
	if !errors.As(err, &ce) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("CheckSecrets() = %v, want an *Error", err)
	}
	want := []string{
		"f.yaml:9:5: orgs[2].client_secret_env: the environment variable $A is not set",
		"f.yaml:14:19: orgs[2].password_env: the environment variable $B is not set: export it with u@x's password",
	}
	if len(ce.Problems) != len(want) {
		t.Fatalf("CheckSecrets() = %v, want %d problems", err, len(want))
	}
	for i, p := range ce.Problems {
		if !strings.HasPrefix(p.Error(), want[i]) {
			t.Errorf("problem %d = %q, want %q", i, p.Error(), want[i])
		}
	}
	c.Orgs = c.Orgs[:2]
	if err := c.CheckSecrets(); err != nil {
		t.Errorf("CheckSecrets() with every secret set = %v", err)
	}
}

func TestLoginURL(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"", "https://login.salesforce.com", ""},
		{"production", "https://login.salesforce.com", ""},
		{"Sandbox", "https://test.salesforce.com", ""},
		{"https://acme.my.salesforce.com/", "https://acme.my.salesforce.com", ""},
		{"http://127.0.0.1:8383", "http://127.0.0.1:8383", ""},
		{"http://localhost:8383", "http://localhost:8383", ""},
		{"http://[::1]:8383", "http://[::1]:8383", ""},
		{"http://acme.my.salesforce.com", "", "uses http"},
		{"https://acme.my.salesforce.com/services", "", "has a path or query: give only the scheme and host, e.g. https://acme.my.salesforce.com"},
		{"acme.my.salesforce.com", "", "is not production, sandbox or a URL"},
		{"ftp://acme.example", "", "is not production, sandbox or a URL"},
	}
	for _, tt := range tests {
		got, err := LoginURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("LoginURL(%q) = %q, %v; want an error containing %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("LoginURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
