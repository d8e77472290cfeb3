package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// JWTBearerGrant is the grant_type of the JWT bearer flow.
const JWTBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// issued describes what a grant produced, for the token response.
type issued struct {
	app          *ConnectedApp
	user         User
	scopes       []string // granted; printed as "scope"
	sessionScope []string // what the access token may do
	refreshKey   string   // refresh grant the access token descends from
	newRefresh   bool     // issue a refresh token with the response
	signed       bool     // include signature and issued_at
}

// handleToken serves POST /services/oauth2/token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, r, errMustPost)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, r, oauthErr("invalid_request", "malformed request body"))
		return
	}
	var (
		out  issued
		oerr *Error
	)
	switch grant := r.PostForm.Get("grant_type"); grant {
	case "":
		oerr = errGrantTypeMissing
	case "authorization_code":
		out, oerr = s.grantAuthorizationCode(r)
	case "refresh_token":
		out, oerr = s.grantRefreshToken(r)
	case "password":
		out, oerr = s.grantPassword(r)
	case "client_credentials":
		out, oerr = s.grantClientCredentials(r)
	case JWTBearerGrant:
		out, oerr = s.grantJWTBearer(r)
	default:
		oerr = errUnsupportedGrant
	}
	if oerr != nil {
		writeError(w, r, oerr)
		return
	}
	writeFields(w, r, http.StatusOK, s.tokenResponse(r, out))
}

// tokenResponse mints the tokens and lays the response out in Salesforce's
// key order: access_token, refresh_token, signature, scope, instance_url,
// id, token_type, issued_at.
func (s *Server) tokenResponse(r *http.Request, out issued) []field {
	refreshKey := out.refreshKey
	var refreshToken string
	if out.newRefresh {
		refreshToken, refreshKey = s.newRefreshToken(out.app, out.user, out.scopes)
	}
	access, sess := s.newSession(out.app, out.user, out.sessionScope, refreshKey)
	id := s.identityURL(r, out.user.ID)
	issuedAt := strconv.FormatInt(sess.IssuedAt.UnixMilli(), 10)

	fields := []field{{"access_token", access}}
	if refreshToken != "" {
		fields = append(fields, field{"refresh_token", refreshToken})
	}
	if out.signed {
		fields = append(fields, field{"signature", Signature(id, issuedAt, out.app.ConsumerSecret)})
	}
	fields = append(fields,
		field{"scope", joinScopes(out.scopes)},
		field{"instance_url", s.baseURL(r)},
		field{"id", id},
		field{"token_type", "Bearer"},
	)
	if out.signed {
		fields = append(fields, field{"issued_at", issuedAt})
	}
	return fields
}

// Signature is the token response's signature: base64 of the HMAC-SHA256 of
// id+issuedAt keyed with the consumer secret, which lets a client check
// that the identity URL came from the server.
func Signature(id, issuedAt, consumerSecret string) string {
	m := hmac.New(sha256.New, []byte(consumerSecret))
	m.Write([]byte(id + issuedAt))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// client identifies the connected app from client_id/client_secret in the
// form or HTTP Basic credentials. The secret is checked when given, and
// required when needSecret is set.
func (s *Server) client(r *http.Request, needSecret bool) (*ConnectedApp, *Error) {
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if bid, bsecret, ok := r.BasicAuth(); ok && id == "" {
		id, secret = bid, bsecret
	}
	app, ok := s.App(id)
	if !ok {
		return nil, errClientID
	}
	if secret == "" && !needSecret {
		return &app, nil
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(app.ConsumerSecret)) != 1 {
		return nil, errClientCredentials
	}
	return &app, nil
}

// activeUser returns the user, or the error for a user who is gone or inactive.
func (s *Server) activeUser(u User, ok bool, missing *Error) (User, *Error) {
	switch {
	case !ok:
		return User{}, missing
	case !u.Active:
		return User{}, errInactiveUser
	}
	return u, nil
}

// adminApproval refuses users outside an admin-approved app's profiles.
func adminApproval(app *ConnectedApp, u User) *Error {
	if len(app.PreAuthorizedProfiles) > 0 && !app.preAuthorized(u.Profile) {
		return errNotAdminApproved
	}
	return nil
}

func (s *Server) grantAuthorizationCode(r *http.Request) (issued, *Error) {
	app, oerr := s.client(r, false)
	if oerr != nil {
		return issued{}, oerr
	}
	code := r.PostForm.Get("code")
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	ac, ok := s.codes[code]
	delete(s.codes, code) // a code is good for one attempt
	s.mu.Unlock()
	switch {
	case !ok || ac.appKey != app.ConsumerKey:
		return issued{}, errInvalidCode
	case !now.Before(ac.expires):
		return issued{}, errExpiredCode
	}
	if ac.challenge == "" { // without PKCE the client must prove it holds the secret
		if _, oerr := s.client(r, true); oerr != nil {
			return issued{}, oerr
		}
	}
	switch redirect := r.PostForm.Get("redirect_uri"); {
	case redirect == "":
		return issued{}, errRedirectMissing
	case redirect != ac.redirectURI:
		return issued{}, errRedirectMismatch
	}
	if ac.challenge != "" {
		verifier := r.PostForm.Get("code_verifier")
		if verifier == "" {
			return issued{}, errCodeVerifierMissing
		}
		if !pkceMatches(ac.challenge, ac.method, verifier) {
			return issued{}, errCodeVerifierMismatch
		}
	}
	u, found := s.cfg.Users.UserByID(ac.userID)
	user, oerr := s.activeUser(u, found, errInvalidCode)
	if oerr != nil {
		return issued{}, oerr
	}
	return issued{
		app: app, user: user, scopes: ac.scopes, sessionScope: withoutRefresh(ac.scopes),
		newRefresh: wantsRefreshToken(ac.scopes), signed: true,
	}, nil
}

// pkceMatches checks a code_verifier against the stored challenge.
func pkceMatches(challenge, method, verifier string) bool {
	want := verifier
	if method != "plain" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimRight(challenge, "=")), []byte(want)) == 1
}

func (s *Server) grantRefreshToken(r *http.Request) (issued, *Error) {
	app, oerr := s.client(r, false)
	if oerr != nil {
		return issued{}, oerr
	}
	key := hashToken(r.PostForm.Get("refresh_token"))
	s.mu.Lock()
	g, ok := s.refresh[key]
	var grant refreshGrant
	if ok {
		grant = *g
	}
	s.mu.Unlock()
	if !ok || grant.AppKey != app.ConsumerKey {
		return issued{}, errExpiredToken
	}
	u, found := s.cfg.Users.UserByID(grant.UserID)
	user, oerr := s.activeUser(u, found, errExpiredToken)
	if oerr != nil {
		return issued{}, oerr
	}
	return issued{
		app: app, user: user, scopes: grant.Scopes, sessionScope: withoutRefresh(grant.Scopes),
		refreshKey: key, signed: true,
	}, nil
}

func (s *Server) grantPassword(r *http.Request) (issued, *Error) {
	app, oerr := s.client(r, true)
	if oerr != nil {
		return issued{}, oerr
	}
	u, ok := s.cfg.Users.Authenticate(r.PostForm.Get("username"), r.PostForm.Get("password"))
	user, oerr := s.activeUser(u, ok, errAuthFailure)
	if oerr != nil {
		return issued{}, oerr
	}
	if oerr := adminApproval(app, user); oerr != nil {
		return issued{}, oerr
	}
	scopes := withoutRefresh(canonicalScopes(app.Scopes))
	return issued{app: app, user: user, scopes: scopes, sessionScope: scopes, signed: true}, nil
}

func (s *Server) grantClientCredentials(r *http.Request) (issued, *Error) {
	app, oerr := s.client(r, true)
	if oerr != nil {
		return issued{}, oerr
	}
	if app.RunAsUsername == "" {
		return issued{}, errNoRunAsUser
	}
	u, ok := s.cfg.Users.UserByUsername(app.RunAsUsername)
	user, oerr := s.activeUser(u, ok, errNoRunAsUser)
	if oerr != nil {
		return issued{}, oerr
	}
	scopes := withoutRefresh(canonicalScopes(app.Scopes))
	return issued{app: app, user: user, scopes: scopes, sessionScope: scopes, signed: true}, nil
}

// jwtAudiences are the aud values a JWT bearer assertion may carry besides
// the emulator's own URL.
var jwtAudiences = []string{"https://login.salesforce.com", "https://test.salesforce.com"}

func (s *Server) grantJWTBearer(r *http.Request) (issued, *Error) {
	assertion := r.PostForm.Get("assertion")
	var unverified jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(assertion, &unverified); err != nil {
		return issued{}, errInvalidAssertion
	}
	app, ok := s.App(unverified.Issuer)
	if !ok {
		return issued{}, errClientID
	}
	if app.publicKey == nil {
		return issued{}, errInvalidAssertion
	}
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(assertion, &claims,
		func(*jwt.Token) (any, error) { return app.publicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithTimeFunc(s.cfg.Clock.Now),
		jwt.WithExpirationRequired(),
		jwt.WithAudience(append([]string{s.baseURL(r)}, jwtAudiences...)...),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return issued{}, errAssertionExpired
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return issued{}, errAudience
	case err != nil:
		return issued{}, errInvalidAssertion
	}
	u, found := s.cfg.Users.UserByUsername(claims.Subject)
	user, oerr := s.activeUser(u, found, errNotApproved)
	if oerr != nil {
		return issued{}, oerr
	}
	var scopes []string
	switch {
	case app.preAuthorized(user.Profile):
		scopes = canonicalScopes(app.Scopes)
	case len(app.PreAuthorizedProfiles) == 0:
		scopes = s.approved(app.ConsumerKey, user.ID)
		if !wantsRefreshToken(scopes) {
			return issued{}, errNotApproved
		}
	default:
		return issued{}, errNotApproved
	}
	scopes = withoutRefresh(scopes)
	return issued{app: &app, user: user, scopes: scopes, sessionScope: scopes}, nil
}

// handleRevoke serves /services/oauth2/revoke: POST with a form token, or
// GET ?token=.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		writeError(w, r, errMustPost)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, r, errRevokeToken)
		return
	}
	if err := s.Revoke(r.Form.Get("token")); err != nil {
		writeError(w, r, errRevokeToken)
		return
	}
	w.WriteHeader(http.StatusOK)
}
