package auth

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// The built-in development connected app. Its users (admin@example.com and
// user@example.com, password "sfbridge") are created by the org package.
const (
	DevConsumerKey    = "sfbridge-dev"
	DevConsumerSecret = "sfbridge-dev-secret"
	DevCallbackURL    = "http://127.0.0.1/callback"
)

// ConnectedApp is an OAuth client registered with the org, as an admin sets
// one up under Setup > App Manager.
type ConnectedApp struct {
	// Name is the label shown on the consent page.
	Name string `json:"name"`
	// ConsumerKey is the OAuth client_id. Required and unique.
	ConsumerKey string `json:"consumerKey"`
	// ConsumerSecret is the OAuth client_secret. Required.
	ConsumerSecret string `json:"consumerSecret"`
	// CallbackURLs are the redirect URIs the web-server flow accepts, matched
	// exactly (see AnyLoopbackPort).
	CallbackURLs []string `json:"callbackUrls,omitempty"`
	// AnyLoopbackPort lets an http callback on 127.0.0.1, localhost or [::1]
	// match with any port, the way desktop tools listen on a free port.
	AnyLoopbackPort bool `json:"anyLoopbackPort,omitempty"`
	// Scopes are the OAuth scopes the app may be granted ("api", "full",
	// "refresh_token", ...). Empty means {"api", "refresh_token"}.
	Scopes []string `json:"scopes,omitempty"`
	// PreAuthorizedProfiles, when set, makes the app "admin approved users
	// are pre-authorized": users of these profiles skip the consent page and
	// may use the JWT bearer flow without approving the app first. Users of
	// other profiles are refused.
	PreAuthorizedProfiles []string `json:"preAuthorizedProfiles,omitempty"`
	// RunAsUsername is the user the client credentials flow runs as. Empty
	// disables that flow.
	RunAsUsername string `json:"runAsUsername,omitempty"`
	// Certificate is the PEM certificate (or PEM public key) that verifies
	// JWT bearer assertions. Empty disables that flow.
	Certificate string `json:"certificate,omitempty"`

	publicKey *rsa.PublicKey // parsed Certificate
}

// DevApp returns the built-in development connected app: consumer key
// sfbridge-dev, secret sfbridge-dev-secret, callbacks
// http://127.0.0.1/callback (the CLI's browser login) and
// http://127.0.0.1/oauth/callback (the console's Connect button) on any port
// (localhost too), all scopes, and the demo profiles pre-authorized.
func DevApp() ConnectedApp {
	return ConnectedApp{
		Name:           "sfbridge development",
		ConsumerKey:    DevConsumerKey,
		ConsumerSecret: DevConsumerSecret,
		CallbackURLs: []string{DevCallbackURL, "http://localhost/callback",
			"http://127.0.0.1/oauth/callback", "http://localhost/oauth/callback"},
		AnyLoopbackPort:       true,
		Scopes:                []string{"full", "refresh_token", "offline_access"},
		PreAuthorizedProfiles: []string{"System Administrator", "Standard User"},
	}
}

// validate checks the app and parses its certificate.
func (a *ConnectedApp) validate() error {
	var errs []error
	if a.ConsumerKey == "" {
		errs = append(errs, errors.New("consumerKey is required"))
	}
	if a.ConsumerSecret == "" {
		errs = append(errs, errors.New("consumerSecret is required"))
	}
	for _, cb := range a.CallbackURLs {
		if u, err := url.Parse(cb); err != nil || u.Scheme == "" || u.Host == "" {
			errs = append(errs, fmt.Errorf("callback URL %q is not an absolute URL", cb))
		}
	}
	for _, s := range a.Scopes {
		if !slices.Contains(scopeOrder, s) {
			errs = append(errs, fmt.Errorf("scope %q is unknown (known: %s)", s, strings.Join(scopeOrder, ", ")))
		}
	}
	a.publicKey = nil
	if a.Certificate != "" {
		key, err := parsePublicKey(a.Certificate)
		if err != nil {
			errs = append(errs, fmt.Errorf("parsing certificate: %w", err))
		}
		a.publicKey = key
	}
	if len(a.Scopes) == 0 {
		a.Scopes = []string{"api", "refresh_token"}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("connected app %q: %w", a.ConsumerKey, err)
	}
	return nil
}

// parsePublicKey reads an RSA public key from a PEM CERTIFICATE or PUBLIC KEY block.
func parsePublicKey(pemText string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, errors.New("no PEM block found; paste the certificate including its BEGIN/END lines")
	}
	var pub any
	switch block.Type {
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		pub = cert.PublicKey
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		pub = k
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		pub = k
	default:
		return nil, fmt.Errorf("PEM block %q is neither a CERTIFICATE nor a PUBLIC KEY", block.Type)
	}
	key, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("key is %T, JWT bearer needs RSA (RS256)", pub)
	}
	return key, nil
}

// callbackAllowed reports whether redirectURI is one of the app's callbacks.
func (a *ConnectedApp) callbackAllowed(redirectURI string) bool {
	if slices.Contains(a.CallbackURLs, redirectURI) {
		return true
	}
	if !a.AnyLoopbackPort {
		return false
	}
	got, err := url.Parse(redirectURI)
	if err != nil || got.Scheme != "http" || !isLoopback(got.Hostname()) {
		return false
	}
	for _, cb := range a.CallbackURLs {
		want, err := url.Parse(cb)
		if err != nil || want.Scheme != "http" || !isLoopback(want.Hostname()) {
			continue
		}
		if got.Path == want.Path && got.RawQuery == want.RawQuery {
			return true
		}
	}
	return false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// preAuthorized reports whether users of profile skip approval.
func (a *ConnectedApp) preAuthorized(profile string) bool {
	return slices.Contains(a.PreAuthorizedProfiles, profile)
}

// scopeOrder lists the scopes the emulator knows, in the order Salesforce
// tends to print them.
var scopeOrder = []string{
	"refresh_token", "offline_access", "full", "web", "openid", "api", "id",
	"chatter_api", "visualforce", "custom_permissions", "address", "email", "phone", "profile",
	"cdp_api", "pardot_api", "lightning", "content", "wave_api", "eclair_api", "sfap_api",
}

// fullImplies reports whether "full" covers scope: it covers everything but
// refresh_token/offline_access.
func fullImplies(scope string) bool { return scope != "refresh_token" && scope != "offline_access" }

// grantScopes returns the scopes to grant for a request: all the app's
// scopes when requested is empty, else the requested ones, each of which the
// app must allow. The result is in canonical order.
func (a *ConnectedApp) grantScopes(requested string) ([]string, *Error) {
	fields := strings.Fields(requested)
	if len(fields) == 0 {
		return canonicalScopes(a.Scopes), nil
	}
	for _, s := range fields {
		if !hasScope(a.Scopes, s) {
			return nil, errInvalidScope
		}
	}
	return canonicalScopes(fields), nil
}

// hasScope reports whether the granted set covers scope.
func hasScope(granted []string, scope string) bool {
	return slices.Contains(granted, scope) || (fullImplies(scope) && slices.Contains(granted, "full"))
}

func canonicalScopes(in []string) []string {
	var out []string
	for _, s := range scopeOrder {
		if slices.Contains(in, s) {
			out = append(out, s)
		}
	}
	return out
}

// wantsRefreshToken reports whether the scopes ask for a refresh token.
func wantsRefreshToken(scopes []string) bool {
	return slices.Contains(scopes, "refresh_token") || slices.Contains(scopes, "offline_access")
}

// withoutRefresh drops refresh_token and offline_access, for flows that
// never issue a refresh token.
func withoutRefresh(scopes []string) []string {
	return slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return !fullImplies(s) })
}

// joinScopes prints scopes the way the token response's "scope" does.
func joinScopes(scopes []string) string { return strings.Join(scopes, " ") }
