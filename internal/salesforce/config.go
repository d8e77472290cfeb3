package salesforce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Login hosts. Any other https URL (an org's My Domain, an Experience Cloud
// site) and any http URL on a loopback address (the emulator) are accepted
// too.
const (
	ProductionLoginURL = "https://login.salesforce.com"
	SandboxLoginURL    = "https://test.salesforce.com"
)

// DefaultAPIVersion is the REST API version used when Config.APIVersion is
// empty (Winter '25).
const DefaultAPIVersion = "62.0"

// DefaultDescribeTTL is how long a describe result is served from the cache
// before it is revalidated with If-Modified-Since.
const DefaultDescribeTTL = 15 * time.Minute

// Config configures OAuth and the REST client for one org. Only LoginURL's
// defaulting and ClientID are needed for most flows; the rest has defaults.
type Config struct {
	// LoginURL is where OAuth requests go: ProductionLoginURL (the default),
	// SandboxLoginURL, the org's My Domain (see MyDomainLoginURL; required for
	// the client-credentials flow), or a custom URL such as the emulator's.
	LoginURL string
	// ClientID and ClientSecret are the connected app's consumer key and
	// secret. The secret may be empty for PKCE-only and JWT flows.
	ClientID, ClientSecret string
	// RedirectURL is the connected app's callback URL (web-server flow).
	RedirectURL string
	// Scopes requested by the web-server flow, e.g. "api", "refresh_token".
	Scopes []string
	// JWTAudience is the "aud" claim of JWT bearer assertions. Default:
	// https://test.salesforce.com for sandbox login hosts,
	// https://login.salesforce.com for production and My Domain hosts, and
	// LoginURL itself for any other URL.
	JWTAudience string

	// APIVersion is the REST API version without the "v", e.g. "62.0".
	// Default DefaultAPIVersion.
	APIVersion string
	// HTTPClient sends every request (OAuth and REST). Default: a client with
	// a 10-minute timeout, Salesforce's own limit for one call. It is not
	// modified; the client wraps its transport to count calls.
	HTTPClient *http.Client
	// Retry is the retry policy; zero fields take DefaultRetryPolicy's values.
	Retry RetryPolicy
	// DescribeTTL is how long describe results are fresh. Default
	// DefaultDescribeTTL; negative disables caching.
	DescribeTTL time.Duration
	// CallClient, if set, is sent as "Sforce-Call-Options: client=<CallClient>"
	// so that change events caused by our own writes can be recognised.
	CallClient string

	// Budget receives every Sforce-Limit-Info report. Share one per org.
	// Default: a Budget of the client's own.
	Budget *Budget
	// Calls counts the requests sent. Default: a counter of the client's own.
	Calls *CallCounter
	// OnToken is called with every token the client obtains (on Connect and on
	// each session renewal) so that the caller can store it encrypted. An
	// error is logged and does not fail the call that caused the renewal.
	OnToken func(context.Context, *Token) error
	// OnRefused, if set, is called once per refused session renewal (an
	// error matching ErrNeedsReauth: the grant was revoked or expired), so
	// that the caller can record that the connection must be authorized
	// again; the call fails with the error it returns, which must still
	// match ErrNeedsReauth.
	OnRefused func(context.Context, error) error
	// Logger receives retries and renewals at debug level. Default: discard.
	Logger *slog.Logger
}

// withDefaults returns cfg with every unset field defaulted. Pointers that
// are shared state (Budget, Calls) are allocated here so that the OAuth
// helper and the client of one Config share them.
func (cfg Config) withDefaults() Config {
	if cfg.LoginURL == "" {
		cfg.LoginURL = ProductionLoginURL
	}
	cfg.LoginURL = strings.TrimSuffix(cfg.LoginURL, "/")
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Minute}
	}
	cfg.Retry = cfg.Retry.withDefaults()
	if cfg.DescribeTTL == 0 {
		cfg.DescribeTTL = DefaultDescribeTTL
	}
	if cfg.Budget == nil {
		cfg.Budget = new(Budget)
	}
	if cfg.Calls == nil {
		cfg.Calls = new(CallCounter)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.JWTAudience == "" {
		cfg.JWTAudience = jwtAudience(cfg.LoginURL)
	}
	return cfg
}

var apiVersionRE = regexp.MustCompile(`^[1-9][0-9]*\.0$`)

// validate reports every problem of a defaulted Config.
func (cfg Config) validate() error {
	var errs []error
	if err := checkBaseURL(cfg.LoginURL); err != nil {
		errs = append(errs, fmt.Errorf("login URL: %w", err))
	}
	if cfg.ClientID == "" {
		errs = append(errs, errors.New("client ID is empty: set the connected app's consumer key"))
	}
	if !apiVersionRE.MatchString(cfg.APIVersion) {
		errs = append(errs, fmt.Errorf("API version %q is not of the form 62.0 (no leading v)", cfg.APIVersion))
	}
	if err := cfg.Retry.validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// checkBaseURL accepts https URLs and http URLs on loopback hosts, with no
// path, query or fragment.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host: use e.g. %s", raw, ProductionLoginURL)
	}
	if u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q has a path or query: give only scheme and host, e.g. %s", raw, ProductionLoginURL)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q uses http: Salesforce needs https (http is only allowed on localhost, for the emulator)", raw)
	}
	return fmt.Errorf("%q: scheme must be https", raw)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var myDomainRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(--[A-Za-z0-9]+\.sandbox)?$`)

// MyDomainLoginURL returns the login URL of an org's My Domain. domain is the
// My Domain name ("acme"), a sandbox's "acme--uat.sandbox", or the full host
// ("acme.my.salesforce.com").
func MyDomainLoginURL(domain string) (string, error) {
	name := strings.TrimSuffix(strings.ToLower(domain), ".my.salesforce.com")
	if !myDomainRE.MatchString(name) {
		return "", fmt.Errorf("my domain %q is not a My Domain name: expected e.g. \"acme\", \"acme--uat.sandbox\" or \"acme.my.salesforce.com\"", domain)
	}
	return "https://" + name + ".my.salesforce.com", nil
}

// jwtAudience derives the JWT bearer "aud" claim from the login URL.
func jwtAudience(loginURL string) string {
	u, err := url.Parse(loginURL)
	if err != nil {
		return loginURL
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "test.salesforce.com" || strings.HasSuffix(host, ".sandbox.my.salesforce.com"):
		return SandboxLoginURL
	case host == "login.salesforce.com" || strings.HasSuffix(host, ".my.salesforce.com"):
		return ProductionLoginURL
	}
	return loginURL
}

// isGenericLoginHost reports whether loginURL is login.salesforce.com or
// test.salesforce.com, which refuse the client-credentials flow.
func isGenericLoginHost(loginURL string) bool {
	u, err := url.Parse(loginURL)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	return host == "login.salesforce.com" || host == "test.salesforce.com"
}
