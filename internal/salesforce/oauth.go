package salesforce

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// OAuth endpoint paths, relative to the login URL.
const (
	authorizePath = "/services/oauth2/authorize"
	tokenPath     = "/services/oauth2/token"
	revokePath    = "/services/oauth2/revoke"
)

const jwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// jwtLifetime is the assertion's exp, from now. Salesforce rejects
// assertions that expire more than a few minutes ahead.
const jwtLifetime = 3 * time.Minute

// Token is what Salesforce's token endpoint returns. There is no expiry:
// an access token lives as long as the org's session timeout, and the
// client renews it when a call answers 401 INVALID_SESSION_ID.
type Token struct {
	AccessToken string `json:"access_token"`
	// RefreshToken is set by the web-server flow when the connected app
	// grants the refresh_token scope. A refresh keeps it (Salesforce does not
	// rotate it by default).
	RefreshToken string `json:"refresh_token,omitempty"`
	// InstanceURL is where REST calls go, e.g. https://acme.my.salesforce.com.
	InstanceURL string `json:"instance_url"`
	// ID is the identity URL, https://login.salesforce.com/id/<org>/<user>.
	ID        string    `json:"id,omitempty"`
	IssuedAt  time.Time `json:"issued_at,omitzero"`
	Scope     string    `json:"scope,omitempty"`
	TokenType string    `json:"token_type,omitempty"`
	Signature string    `json:"signature,omitempty"`
}

// OrgID returns the organization ID from the identity URL, or "".
func (t *Token) OrgID() string { org, _ := t.identity(); return org }

// UserID returns the user ID from the identity URL, or "".
func (t *Token) UserID() string { _, user := t.identity(); return user }

func (t *Token) identity() (org, user string) {
	u, err := url.Parse(t.ID)
	if err != nil {
		return "", ""
	}
	rest, ok := strings.CutPrefix(u.Path, "/id/")
	if !ok {
		return "", ""
	}
	org, user, _ = strings.Cut(rest, "/")
	return org, user
}

// fromOAuth2 converts an x/oauth2 token, reading Salesforce's extra fields.
func fromOAuth2(t *oauth2.Token) (*Token, error) {
	extra := func(k string) string { s, _ := t.Extra(k).(string); return s }
	tok := &Token{
		AccessToken:  t.AccessToken,
		RefreshToken: t.RefreshToken,
		InstanceURL:  strings.TrimSuffix(extra("instance_url"), "/"),
		ID:           extra("id"),
		Scope:        extra("scope"),
		TokenType:    t.TokenType,
		Signature:    extra("signature"),
	}
	if ms, err := strconv.ParseInt(extra("issued_at"), 10, 64); err == nil {
		tok.IssuedAt = time.UnixMilli(ms).UTC()
	}
	if tok.InstanceURL == "" {
		return nil, errors.New("token response has no instance_url")
	}
	if err := checkBaseURL(tok.InstanceURL); err != nil {
		return nil, fmt.Errorf("token response instance_url: %w", err)
	}
	return tok, nil
}

// OAuth runs Salesforce's OAuth 2.0 flows against Config.LoginURL.
// It is safe for concurrent use.
type OAuth struct {
	cfg  Config
	conf oauth2.Config
	hc   *http.Client
	now  func() time.Time
}

// NewOAuth validates cfg and returns the OAuth helper for it.
func NewOAuth(cfg Config) (*OAuth, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("configuring salesforce OAuth: %w", err)
	}
	return newOAuth(cfg), nil
}

func newOAuth(cfg Config) *OAuth {
	return &OAuth{
		cfg: cfg,
		conf: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			RedirectURL:  cfg.RedirectURL,
			Scopes:       cfg.Scopes,
			Endpoint: oauth2.Endpoint{
				AuthURL:   cfg.LoginURL + authorizePath,
				TokenURL:  cfg.LoginURL + tokenPath,
				AuthStyle: oauth2.AuthStyleInParams, // one request per grant: no style probing
			},
		},
		hc:  countingClient(cfg.HTTPClient, cfg.Calls),
		now: time.Now,
	}
}

// Authorization is the start of a web-server flow.
type Authorization struct {
	// URL is where to send the user's browser.
	URL string
	// State must equal the state query parameter of the callback; compare it
	// before calling Exchange.
	State string
	// Verifier is the PKCE code verifier: keep it server-side (e.g. in the
	// login session) and pass it to Exchange.
	Verifier string
}

// AuthorizeOptions tunes the authorize URL.
type AuthorizeOptions struct {
	Prompt    string // "login", "consent", "select_account" (space-separated)
	LoginHint string // pre-fills the username
}

// Authorize starts the web-server flow with PKCE (S256) and a random state.
func (o *OAuth) Authorize(opts AuthorizeOptions) Authorization {
	a := Authorization{State: rand.Text(), Verifier: oauth2.GenerateVerifier()}
	params := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(a.Verifier)}
	if opts.Prompt != "" {
		params = append(params, oauth2.SetAuthURLParam("prompt", opts.Prompt))
	}
	if opts.LoginHint != "" {
		params = append(params, oauth2.SetAuthURLParam("login_hint", opts.LoginHint))
	}
	a.URL = o.conf.AuthCodeURL(a.State, params...)
	return a
}

// Exchange trades the callback's authorization code for a token. verifier is
// Authorization.Verifier ("" if the flow did not use PKCE).
func (o *OAuth) Exchange(ctx context.Context, code, verifier string) (*Token, error) {
	var opts []oauth2.AuthCodeOption
	if verifier != "" {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	t, err := o.conf.Exchange(o.ctx(ctx), code, opts...)
	return o.token("exchanging authorization code", t, err)
}

// Refresh obtains a new access token with a refresh token. An invalid_grant
// answer (revoked or expired) matches ErrNeedsReauth.
func (o *OAuth) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	if refreshToken == "" {
		return nil, fmt.Errorf("refreshing token: %w: no refresh token", ErrNeedsReauth)
	}
	t, err := o.conf.TokenSource(o.ctx(ctx), &oauth2.Token{RefreshToken: refreshToken}).Token()
	return o.token("refreshing token", t, err)
}

// Password runs the legacy username-password flow. password is the user's
// password followed by their security token. For tests and development only.
func (o *OAuth) Password(ctx context.Context, username, password string) (*Token, error) {
	t, err := o.conf.PasswordCredentialsToken(o.ctx(ctx), username, password)
	return o.token("requesting password grant", t, err)
}

// ClientCredentials runs the client-credentials flow, which acts as the
// connected app's "Run As" user. Salesforce only allows it on the org's My
// Domain login URL.
func (o *OAuth) ClientCredentials(ctx context.Context) (*Token, error) {
	if isGenericLoginHost(o.cfg.LoginURL) {
		return nil, fmt.Errorf("requesting client credentials grant: login URL %s does not support it: use the org's My Domain URL (https://<domain>.my.salesforce.com)", o.cfg.LoginURL)
	}
	cc := clientcredentials.Config{
		ClientID:     o.cfg.ClientID,
		ClientSecret: o.cfg.ClientSecret,
		TokenURL:     o.conf.Endpoint.TokenURL,
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	t, err := cc.Token(o.ctx(ctx))
	return o.token("requesting client credentials grant", t, err)
}

// JWTBearer runs the JWT bearer flow for username, signing the assertion with
// key (the private key of the certificate uploaded to the connected app).
func (o *OAuth) JWTBearer(ctx context.Context, username string, key *rsa.PrivateKey) (*Token, error) {
	assertion, err := o.jwtAssertion(username, key)
	if err != nil {
		return nil, fmt.Errorf("requesting JWT bearer grant: %w", err)
	}
	// x/oauth2's client-credentials request lets grant_type be overridden for
	// other grants; with no client ID or secret it posts exactly
	// grant_type=...jwt-bearer&assertion=..., as RFC 7523 asks.
	cc := clientcredentials.Config{
		TokenURL:  o.conf.Endpoint.TokenURL,
		AuthStyle: oauth2.AuthStyleInParams,
		EndpointParams: url.Values{
			"grant_type": {jwtBearerGrantType},
			"assertion":  {assertion},
		},
	}
	t, err := cc.Token(o.ctx(ctx))
	return o.token("requesting JWT bearer grant", t, err)
}

// jwtAssertion builds the RS256 assertion: iss = consumer key, sub =
// username, aud = login audience, exp = now + 3 minutes.
func (o *OAuth) jwtAssertion(username string, key *rsa.PrivateKey) (string, error) {
	if key == nil {
		return "", errors.New("no private key: load the connected app certificate's key (see ParseRSAPrivateKey)")
	}
	if username == "" {
		return "", errors.New("no username: the JWT subject is the Salesforce username to act as")
	}
	claims := jwt.MapClaims{
		"iss": o.cfg.ClientID,
		"sub": username,
		"aud": o.cfg.JWTAudience, // a string, not a one-element array
		"exp": o.now().Add(jwtLifetime).Unix(),
	}
	return jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
}

// ParseRSAPrivateKey parses a PEM-encoded RSA private key (PKCS #1 or #8),
// as used for the JWT bearer flow.
func ParseRSAPrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	k, err := jwt.ParseRSAPrivateKeyFromPEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("parsing RSA private key: %w", err)
	}
	return k, nil
}

// Revoke revokes an access or refresh token (revoking a refresh token revokes
// the access tokens issued from it).
func (o *OAuth) Revoke(ctx context.Context, token string) error {
	form := url.Values{"token": {token}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.cfg.LoginURL+revokePath, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("revoking token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := o.hc.Do(req)
	if err != nil {
		return fmt.Errorf("revoking token: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if resp.StatusCode != http.StatusOK {
		ae := decodeError(resp.StatusCode, "", "", body)
		return fmt.Errorf("revoking token: %w", &OAuthError{Status: resp.StatusCode, Code: ae.Code(), Description: ae.Errors[0].Message})
	}
	return nil
}

func (o *OAuth) ctx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, o.hc)
}

// token converts an x/oauth2 result, mapping its errors onto *OAuthError.
func (o *OAuth) token(doing string, t *oauth2.Token, err error) (*Token, error) {
	if err != nil {
		if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
			oe := &OAuthError{Code: re.ErrorCode, Description: re.ErrorDescription}
			if re.Response != nil {
				oe.Status = re.Response.StatusCode
			}
			if oe.Code == "" {
				oe.Description = decodeError(oe.Status, "", "", re.Body).Errors[0].Message
			}
			return nil, fmt.Errorf("%s: %w", doing, oe)
		}
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	tok, err := fromOAuth2(t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	return tok, nil
}

// Grant obtains a session without a user present. A client runs its Grant
// when the session expires and the token has no refresh token.
type Grant func(ctx context.Context, o *OAuth) (*Token, error)

// RefreshTokenGrant renews with a stored refresh token.
func RefreshTokenGrant(refreshToken string) Grant {
	return func(ctx context.Context, o *OAuth) (*Token, error) { return o.Refresh(ctx, refreshToken) }
}

// JWTBearerGrant acts as username with a JWT signed by key.
func JWTBearerGrant(username string, key *rsa.PrivateKey) Grant {
	return func(ctx context.Context, o *OAuth) (*Token, error) { return o.JWTBearer(ctx, username, key) }
}

// ClientCredentialsGrant acts as the connected app's Run As user.
func ClientCredentialsGrant() Grant {
	return func(ctx context.Context, o *OAuth) (*Token, error) { return o.ClientCredentials(ctx) }
}

// PasswordGrant logs in with username and password+security token (legacy).
func PasswordGrant(username, password string) Grant {
	return func(ctx context.Context, o *OAuth) (*Token, error) { return o.Password(ctx, username, password) }
}

// countingClient returns a copy of hc whose transport counts requests into
// calls: token-endpoint requests as Auth, everything else as API.
func countingClient(hc *http.Client, calls *CallCounter) *http.Client {
	c := *hc
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = &countingTransport{base: base, calls: calls}
	return &c
}

type countingTransport struct {
	base  http.RoundTripper
	calls *CallCounter
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasPrefix(req.URL.Path, "/services/oauth2/") {
		t.calls.auth.Add(1)
	} else {
		t.calls.api.Add(1)
	}
	return t.base.RoundTrip(req)
}
