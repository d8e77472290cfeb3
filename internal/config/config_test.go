package config

import (
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

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
		{"postgres without a dsn", func(c *Config) { c.Database.Driver = "postgres" }, []string{"database.dsn: the PostgreSQL driver needs the database's address"}},
		{"postgres url", func(c *Config) {
			c.Database.Driver, c.Database.DSN = "postgres", "postgres://sf:pw@db:5432/sfbridge?sslmode=require"
		}, nil},
		{"postgresql url", func(c *Config) { c.Database.Driver, c.Database.DSN = "postgres", "postgresql://db/sfbridge" }, nil},
		{"postgres keywords", func(c *Config) {
			c.Database.Driver, c.Database.DSN = "postgres", "host=db dbname=sfbridge password=s3cret"
		}, nil},
		{"postgres other scheme", func(c *Config) { c.Database.Driver, c.Database.DSN = "postgres", "mysql://root:s3cret@db/x" }, []string{"database.dsn: the PostgreSQL address is a mysql:// URL"}},
		{"postgres neither form", func(c *Config) { c.Database.Driver, c.Database.DSN = "postgres", "db.example.com" }, []string{"database.dsn: the PostgreSQL address is neither a URL nor keyword=value pairs"}},
		{"postgres bad url", func(c *Config) { c.Database.Driver, c.Database.DSN = "postgres", "postgres://sf:s3cret@db:port/x" }, []string{"database.dsn: the PostgreSQL address is not a valid URL"}},
		{"empty driver", func(c *Config) { c.Database.Driver = "" }, []string{`database.driver: unknown database driver "": use "sqlite" or "postgres"`}},
		{"web org", org(func(o *Org) {}), nil},
		{"org without name", org(func(o *Org) { o.Name = "" }), []string{"orgs[0].name: the org has no name"}},
		{"org without client id", org(func(o *Org) { o.ClientID = "" }), []string{"orgs[0].client_id: the connected app's consumer key is missing"}},
		{"org with a bad login", org(func(o *Org) { o.Login = "login.salesforce.com" }), []string{`orgs[0].login: login "login.salesforce.com" is not production, sandbox or a URL`}},
		{"org with an unset secret", org(func(o *Org) { o.ClientSecretEnv = "NOPE" }), nil}, // CheckSecrets' business
		{"org polling backwards", org(func(o *Org) { o.PollInterval = -1 }), []string{"orgs[0].poll_interval: the polling interval -1ns is not positive: poll every 1m to 24h"}},
		{"org polling too often", org(func(o *Org) { o.PollInterval = Duration(30 * time.Second) }), []string{"orgs[0].poll_interval: polling every 30s is too often"}},
		{"org polling too rarely", org(func(o *Org) { o.PollInterval = Duration(25 * time.Hour) }), []string{"orgs[0].poll_interval: polling every 25h is too rare"}},
		{"org polling every minute", org(func(o *Org) { o.PollInterval = Duration(MinPollInterval) }), nil},
		{"org polling daily", org(func(o *Org) { o.PollInterval = Duration(MaxPollInterval) }), nil},
		{"public url", func(c *Config) { c.PublicURL = "https://sfbridge.example.com" }, nil},
		{"public url with a port and a slash", func(c *Config) { c.PublicURL = "https://sfbridge.example.com:8443/" }, nil},
		{"public url in http on loopback", func(c *Config) { c.PublicURL = "http://localhost:8080" }, nil},
		{"public url in http off loopback", func(c *Config) { c.PublicURL = "http://sfbridge.example.com" }, []string{`public_url: "http://sfbridge.example.com" uses http on a host other machines reach`}},
		{"public url with a path", func(c *Config) { c.PublicURL = "https://example.com/sfbridge" }, []string{`public_url: "https://example.com/sfbridge" has more than a scheme and a host`}},
		{"public url without scheme", func(c *Config) { c.PublicURL = "sfbridge.example.com" }, []string{`public_url: "sfbridge.example.com" is not an http(s) URL`}},
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
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("Validate() = %q shows the database password", err)
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

func TestCheckPublicURL(t *testing.T) {
	tests := []struct {
		in, err string // err: a part of the error; empty when valid
	}{
		{"https://sfbridge.example.com", ""},
		{"https://sfbridge.example.com/", ""},
		{"https://10.0.0.5:8443", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://[::1]:8080/", ""},
		{"http://localhost", ""},
		{"http://sfbridge.example.com", "uses http on a host other machines reach"},
		{"http://0.0.0.0:8080", "uses http on a host other machines reach"},
		{"https://example.com/sfbridge", "the console is served at the root"},
		{"https://example.com/?next=1", "has more than a scheme and a host"},
		{"https://example.com/#top", "has more than a scheme and a host"},
		{"https://admin:pw@example.com", "has more than a scheme and a host"},
		{"ftp://example.com", "is not an http(s) URL"},
		{"https://", "is not an http(s) URL"},
		{"https:example.com", "is not an http(s) URL"},
		{"example.com", "is not an http(s) URL"},
		{"https://exa mple.com", "is not an http(s) URL"},
	}
	for _, tt := range tests {
		err := CheckPublicURL(tt.in)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("CheckPublicURL(%q) = %v, want nil", tt.in, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("CheckPublicURL(%q) = %v, want an error containing %q", tt.in, err, tt.err)
		}
	}
}

func TestCheckPollInterval(t *testing.T) {
	tests := []struct {
		in  time.Duration
		err string // the whole message; empty when valid
	}{
		{time.Minute, ""},
		{5 * time.Minute, ""},
		{24 * time.Hour, ""},
		{0, "the polling interval 0s is not positive: poll every 1m to 24h, e.g. 5m"},
		{-5 * time.Minute, "the polling interval -5m is not positive: poll every 1m to 24h, e.g. 5m"},
		{59 * time.Second, "polling every 59s is too often: poll every 1m at the most (from 1m to 24h); for changes within seconds, use Change Data Capture"},
		{24*time.Hour + time.Second, "polling every 24h0m1s is too rare: poll every 24h at the least (from 1m to 24h); to stop polling, disable the org's workflows"},
		{48 * time.Hour, "polling every 48h is too rare: poll every 24h at the least (from 1m to 24h); to stop polling, disable the org's workflows"},
	}
	for _, tt := range tests {
		err := CheckPollInterval(tt.in)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("CheckPollInterval(%s) = %q, want %q", tt.in, got, tt.err)
		}
	}
}

func TestOrigins(t *testing.T) {
	tests := []struct {
		trusted   []string
		publicURL string
		want      []string
	}{
		{nil, "", nil},
		{[]string{"https://a.example.com"}, "", []string{"https://a.example.com"}},
		{nil, "https://sfbridge.example.com/", []string{"https://sfbridge.example.com"}},
		{[]string{"https://a.example.com"}, "https://sfbridge.example.com:8443", []string{"https://a.example.com", "https://sfbridge.example.com:8443"}},
	}
	for _, tt := range tests {
		c := Default()
		c.TrustedOrigins, c.PublicURL = tt.trusted, tt.publicURL
		got := c.Origins()
		if !slices.Equal(got, tt.want) {
			t.Errorf("Origins() with trusted %v and public URL %q = %v, want %v", tt.trusted, tt.publicURL, got, tt.want)
		}
		if len(tt.trusted) > 0 && !slices.Equal(c.TrustedOrigins, tt.trusted) {
			t.Errorf("Origins() changed TrustedOrigins to %v", c.TrustedOrigins)
		}
	}
}
