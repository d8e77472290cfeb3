package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/secret"
)

// Defaults.
const (
	// DefaultDataDir is the data directory when neither the file, nor
	// $SFBRIDGE_DATA, nor --data names one.
	DefaultDataDir = ".sfbridge"
	// DefaultListen is the server's address: loopback only.
	DefaultListen = "127.0.0.1:8080"
	// DefaultLogLevel is the level of the server's log.
	DefaultLogLevel = "info"
	// DriverSQLite is the embedded database driver, the default.
	DriverSQLite = "sqlite"
	// DriverPostgres is the PostgreSQL driver, for a database shared by
	// several sfbridge workers.
	DriverPostgres = "postgres"
)

// Config is the configuration of an sfbridge server, and of every command
// that opens its data directory. Build one with Default or Load; check it
// with Validate. The zero value is not valid: start from Default.
type Config struct {
	// DataDir holds what the server keeps on disk: the SQLite database, the
	// job database and the generated key file. Default DefaultDataDir
	// ("./.sfbridge"). Key data_dir; $SFBRIDGE_DATA; --data.
	DataDir string `yaml:"data_dir"`

	// Listen is the host:port the HTTP server listens on. Default
	// DefaultListen (127.0.0.1:8080): loopback, unreachable from other
	// machines. Port 0 picks a free port. A host that is not loopback
	// ("0.0.0.0", "", a LAN address) also needs AllowRemote. Key listen;
	// $SFBRIDGE_LISTEN; --listen.
	Listen string `yaml:"listen"`

	// AllowRemote allows a Listen address reachable from other machines.
	// Default false. Key allow_remote; --allow-remote.
	AllowRemote bool `yaml:"allow_remote"`

	// TrustedOrigins are origins ("https://sfbridge.example.com") allowed
	// to post the console's forms and cookie-authenticated API changes
	// besides the server's own: the address people use when a proxy in
	// front of the server changes the Host header. Each is
	// scheme://host[:port], without a path. Default none. Key
	// trusted_origins.
	TrustedOrigins []string `yaml:"trusted_origins"`

	// PublicURL is the console's address as browsers reach it
	// ("https://sfbridge.example.com"), when it is not the one the server
	// listens on: behind a TLS-terminating proxy, the server sees plain
	// http. The OAuth callback URL that connected apps must allow is
	// PublicURL + "/oauth/callback". It is an http(s) URL with a host and
	// no path (the console is served at the root), query or credentials;
	// https unless the host is loopback (Salesforce allows a plain http
	// callback only there). Default empty: the scheme and host each request
	// came to. Key public_url; $SFBRIDGE_PUBLIC_URL; --public-url.
	PublicURL string `yaml:"public_url"`

	// LogLevel is the least severe level logged: debug, info, warn or
	// error. Default DefaultLogLevel (info). Key log_level;
	// $SFBRIDGE_LOG_LEVEL; --log-level.
	LogLevel string `yaml:"log_level"`

	// KeyFile is the key file that seals stored secrets (tokens, client
	// secrets), "id=base64" per line, primary first. Default empty:
	// DataDir/secret.key, generated with mode 0600 on the first start. A
	// KeyFile that is set must exist. Key key_file.
	KeyFile string `yaml:"key_file"`

	// SecretKeys, when set, is the keyring itself, "id=base64" entries
	// separated by commas, and KeyFile is not read. It is only ever read
	// from $SFBRIDGE_SECRET_KEYS, never from the file.
	SecretKeys secret.Value `yaml:"-"`

	// Database is where the server's data lives.
	Database Database `yaml:"database"`

	// Orgs are registered, or updated, when the server starts; orgs
	// registered with "sfbridge org add" are kept too. Default none.
	Orgs []Org `yaml:"orgs"`

	// where maps a key ("listen", "orgs[0].login") to the source of its
	// value, for Validate's messages. Keys set by Default have none.
	where map[string]string
}

// Database says which database driver to use and where.
type Database struct {
	// Driver is the database driver: "sqlite" or "postgres". Default
	// DriverSQLite. Key database.driver; $SFBRIDGE_DATABASE_DRIVER.
	Driver string `yaml:"driver"`
	// DSN is the database's address. For SQLite, the database file;
	// default empty: DataDir/sfbridge.db. For PostgreSQL, required: a URL
	// (postgres://user:password@host:5432/dbname?sslmode=require) or a
	// keyword/value string (host=... dbname=...); the database must exist,
	// and its user may create tables. Messages never show its password.
	// Key database.dsn; $SFBRIDGE_DATABASE_DSN.
	DSN string `yaml:"dsn"`
}

// Flow is how sfbridge obtains an org's tokens.
type Flow string

// Flows.
const (
	// FlowWeb is the OAuth web-server flow with PKCE: a person logs in in a
	// browser ("sfbridge org connect"), and sfbridge keeps the refresh
	// token.
	FlowWeb Flow = "web"
	// FlowJWT is the JWT bearer flow: sfbridge signs an assertion for
	// Username with the private key in KeyFile, whose certificate is
	// uploaded to the connected app. No person involved.
	FlowJWT Flow = "jwt"
	// FlowPassword is the username-password flow, for the emulator and
	// development orgs only: Salesforce discourages it and blocks it in new
	// orgs.
	FlowPassword Flow = "password"
)

// Flows lists every flow, in the order documentation shows them.
var Flows = []Flow{FlowWeb, FlowJWT, FlowPassword}

func flowNames() string {
	names := make([]string, len(Flows))
	for i, f := range Flows {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// Org is a Salesforce org the server registers at start.
type Org struct {
	// Name identifies the org in sfbridge, unique ignoring case. Required.
	Name string `yaml:"name"`
	// Login is where its users log in: "production" (the default),
	// "sandbox", an org's My Domain URL (https://acme.my.salesforce.com),
	// or any https URL; http only on loopback, for the emulator
	// (http://127.0.0.1:8383). See LoginURL.
	Login string `yaml:"login"`
	// ClientID is the connected app's consumer key. Required.
	ClientID string `yaml:"client_id"`
	// ClientSecretEnv names the environment variable holding the connected
	// app's consumer secret; secrets are never written in the file.
	// Default empty: no secret (PKCE and JWT flows can do without).
	ClientSecretEnv string `yaml:"client_secret_env"`
	// ClientSecret is the consumer secret, read by Load from
	// ClientSecretEnv.
	ClientSecret secret.Value `yaml:"-"`
	// Flow is how the server connects to the org: web (default; run
	// "sfbridge org connect NAME" once), jwt or password.
	Flow Flow `yaml:"flow"`
	// Username is the Salesforce user the jwt and password flows log in
	// as. Required by those flows.
	Username string `yaml:"username"`
	// KeyFile is the PEM private key of the jwt flow. Required by it.
	KeyFile string `yaml:"key_file"`
	// PasswordEnv names the environment variable holding Username's
	// password for the password flow. Required by it.
	PasswordEnv string `yaml:"password_env"`
	// Password is the password, read by Load from PasswordEnv.
	Password secret.Value `yaml:"-"`
	// PollInterval is how often the org's workflows poll Salesforce, e.g.
	// "5m", from MinPollInterval (1m) to MaxPollInterval (24h). Default 0:
	// the store's default, 5 minutes.
	PollInterval Duration `yaml:"poll_interval"`
}

// Default returns the default configuration: data in ./.sfbridge, a SQLite
// database in it, the server on 127.0.0.1:8080, info logs, no orgs.
func Default() *Config {
	return &Config{
		DataDir:  DefaultDataDir,
		Listen:   DefaultListen,
		LogLevel: DefaultLogLevel,
		Database: Database{Driver: DriverSQLite},
	}
}

// Level returns LogLevel as a slog.Level (info when it is not valid).
func (c *Config) Level() slog.Level {
	l, _ := parseLevel(c.LogLevel)
	return l
}

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return slog.LevelInfo, fmt.Errorf("log level %q is not one of debug, info, warn, error", s)
}

// Validate checks the whole configuration and returns an *Error listing
// every problem, each naming its key and where the value came from, or nil.
func (c *Config) Validate() error {
	var probs []Problem
	add := func(key, format string, args ...any) {
		probs = append(probs, Problem{Key: key, Where: c.locate(key), Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(c.DataDir) == "" {
		add("data_dir", "the data directory is empty: name a directory, e.g. %s", DefaultDataDir)
	}
	if err := CheckListen(c.Listen, c.AllowRemote); err != nil {
		add("listen", "%v", err)
	}
	if c.PublicURL != "" {
		if err := CheckPublicURL(c.PublicURL); err != nil {
			add("public_url", "%v", err)
		}
	}
	for i, o := range c.TrustedOrigins {
		if err := checkOrigin(o); err != nil {
			add(fmt.Sprintf("trusted_origins[%d]", i), "%v", err)
		}
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		add("log_level", "%v", err)
	}
	switch c.Database.Driver {
	case DriverSQLite:
	case DriverPostgres:
		if problem := checkPostgresDSN(c.Database.DSN); problem != "" {
			add("database.dsn", "%s", problem)
		}
	default:
		add("database.driver", "unknown database driver %q: use %q or %q", c.Database.Driver, DriverSQLite, DriverPostgres)
	}
	seen := map[string]int{}
	for i, o := range c.Orgs {
		key := func(k string) string { return fmt.Sprintf("orgs[%d].%s", i, k) }
		name := strings.ToLower(strings.TrimSpace(o.Name))
		switch j, dup := seen[name]; {
		case name == "":
			add(key("name"), "the org has no name: add e.g. name: production")
		case dup:
			add(key("name"), "org %q is already defined as orgs[%d]: org names must be unique, ignoring case", o.Name, j)
		default:
			seen[name] = i
		}
		if _, err := LoginURL(o.Login); err != nil {
			add(key("login"), "%v", err)
		}
		if strings.TrimSpace(o.ClientID) == "" {
			add(key("client_id"), "the connected app's consumer key is missing: copy it from Setup > App Manager > your app > View")
		}
		if o.PollInterval != 0 {
			if err := CheckPollInterval(o.PollInterval.Std()); err != nil {
				add(key("poll_interval"), "%v", err)
			}
		}
		c.validateFlow(o, key, add)
	}
	if len(probs) == 0 {
		return nil
	}
	return &Error{Problems: probs}
}

// CheckSecrets checks that the environment holds the secrets the orgs name
// (client_secret_env, password_env): what registering and connecting them
// needs. Commands that do not register orgs need not call it.
func (c *Config) CheckSecrets() error {
	var probs []Problem
	add := func(key, format string, args ...any) {
		probs = append(probs, Problem{Key: key, Where: c.locate(key), Message: fmt.Sprintf(format, args...)})
	}
	for i, o := range c.Orgs {
		if o.ClientSecretEnv != "" && o.ClientSecret.IsZero() {
			add(fmt.Sprintf("orgs[%d].client_secret_env", i), "the environment variable $%s is not set: export it with the connected app's consumer secret", o.ClientSecretEnv)
		}
		if o.Flow == FlowPassword && o.PasswordEnv != "" && o.Password.IsZero() {
			add(fmt.Sprintf("orgs[%d].password_env", i), "the environment variable $%s is not set: export it with %s's password", o.PasswordEnv, o.Username)
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return &Error{Problems: probs}
}

// locate returns where key's value came from or, for a key missing from the
// file, where its parent is ("orgs[0]" for "orgs[0].client_id").
func (c *Config) locate(key string) string {
	for key != "" {
		if w, ok := c.where[key]; ok {
			return w
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return ""
}

// validateFlow checks what the org's flow needs.
func (c *Config) validateFlow(o Org, key func(string) string, add func(string, string, ...any)) {
	flow := o.Flow
	if flow == "" {
		flow = FlowWeb
	}
	switch flow {
	case FlowWeb:
	case FlowJWT:
		if o.Username == "" {
			add(key("username"), "the jwt flow needs the Salesforce username to log in as")
		}
		if o.KeyFile == "" {
			add(key("key_file"), "the jwt flow needs key_file: the PEM private key whose certificate is uploaded to the connected app")
		}
	case FlowPassword:
		if o.Username == "" {
			add(key("username"), "the password flow needs the Salesforce username to log in as")
		}
		if o.PasswordEnv == "" {
			add(key("password_env"), "the password flow needs password_env: the environment variable holding the password")
		}
	default:
		add(key("flow"), "unknown flow %q: use one of %s", o.Flow, flowNames())
	}
}

// CheckListen checks a host:port listen address, which must be on loopback
// unless allowRemote is set.
func CheckListen(addr string, allowRemote bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not a host:port address: use e.g. %s", addr, DefaultListen)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: the port %q is not a number from 0 to 65535", addr, port)
	}
	if !allowRemote && !IsLoopback(host) {
		return fmt.Errorf("%q is reachable from other machines: listen on 127.0.0.1, or allow it explicitly (allow_remote: true, --allow-remote)", addr)
	}
	return nil
}

// checkOrigin checks a web origin: http or https, a host, an optional
// port, nothing more.
func checkOrigin(origin string) error {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an origin: write scheme://host[:port], e.g. https://sfbridge.example.com", origin)
	}
	return nil
}

// Origins returns the origins the console trusts besides the one each
// request names in its Host header: TrustedOrigins and, when set, the
// origin of PublicURL, which is the console's own.
func (c *Config) Origins() []string {
	if c.PublicURL == "" {
		return c.TrustedOrigins
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil { // Validate refuses it
		return c.TrustedOrigins
	}
	return append(slices.Clip(c.TrustedOrigins), u.Scheme+"://"+u.Host)
}

// CheckPublicURL checks the console's public address (Config.PublicURL):
// an absolute http or https URL with a host, nothing after it but an
// optional "/", and https unless the host is loopback.
func CheckPublicURL(raw string) error {
	const how = "write the address people open the console at, e.g. https://sfbridge.example.com"
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL: %s", raw, how)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return fmt.Errorf("%q has more than a scheme and a host: the console is served at the root of its address; %s", raw, how)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return fmt.Errorf("%q uses http on a host other machines reach: Salesforce sends the login's authorization code to it, and accepts a plain http callback only on localhost; put the console behind an HTTPS proxy and write https://%s", raw, u.Host)
	}
	return nil
}

// IsLoopback reports whether host (a name or an IP address, without port)
// is only reachable from this machine. The empty host means every
// interface, which is not loopback.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LoginURL resolves an org's login host: "" and "production" are
// salesforce.ProductionLoginURL, "sandbox" is salesforce.SandboxLoginURL,
// and a URL is kept (without a trailing slash) when it is https, or http on
// a loopback host (the emulator), with no path.
func LoginURL(login string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(login)) {
	case "", "production":
		return salesforce.ProductionLoginURL, nil
	case "sandbox":
		return salesforce.SandboxLoginURL, nil
	}
	raw := strings.TrimSuffix(strings.TrimSpace(login), "/")
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("login %q is not production, sandbox or a URL: use e.g. https://acme.my.salesforce.com", login)
	}
	if u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("login %q has a path or query: give only the scheme and host, e.g. %s://%s", login, u.Scheme, u.Host)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return "", fmt.Errorf("login %q uses http: Salesforce needs https (http is only for the emulator on 127.0.0.1)", login)
	}
	return raw, nil
}

// checkPostgresDSN returns what is wrong with a PostgreSQL DSN, or "". The
// message never quotes the DSN, which may hold a password.
func checkPostgresDSN(dsn string) string {
	const how = "write it as postgres://user:password@host:5432/dbname?sslmode=require, or as keywords: host=db.example.com dbname=sfbridge user=sfbridge"
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		return "the PostgreSQL driver needs the database's address: " + how
	}
	scheme, _, isURL := strings.Cut(dsn, "://")
	if !isURL {
		if !strings.Contains(dsn, "=") {
			return "the PostgreSQL address is neither a URL nor keyword=value pairs: " + how
		}
		return ""
	}
	if scheme != "postgres" && scheme != "postgresql" {
		return fmt.Sprintf("the PostgreSQL address is a %s:// URL: %s", scheme, how)
	}
	if _, err := url.Parse(dsn); err != nil {
		return "the PostgreSQL address is not a valid URL (a password with '@', '/' or '?' must be percent-encoded): " + how
	}
	return ""
}
