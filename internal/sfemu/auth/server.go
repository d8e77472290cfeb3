package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
)

// DefaultSessionTimeout is how long an access token lives without use,
// Salesforce's default org session timeout.
const DefaultSessionTimeout = 2 * time.Hour

// codeLifetime is how long an authorization code may wait to be exchanged.
const codeLifetime = 15 * time.Minute

// Config configures a Server.
type Config struct {
	// OrgID is the org's 18-character ID (00D...). Required. Access tokens
	// start with its first 15 characters.
	OrgID string
	// Users authenticates and looks up the org's users. Required.
	Users Directory
	// Clock tells the time; nil means a real-time clock.
	Clock *clock.Clock
	// SessionTimeout is how long an access token stays valid after its last
	// use; 0 means DefaultSessionTimeout.
	SessionTimeout time.Duration
	// BaseURL is the URL the emulator is served at (instance_url and the
	// identity URLs), e.g. "http://127.0.0.1:8383". Empty means derive it
	// from each request (see RequestBaseURL).
	BaseURL string
	// LoginNotice is shown under the login form, e.g. the development
	// credentials. Empty shows nothing.
	LoginNotice string
}

// Session is an access token's grant: who, through which app, with which
// scopes.
type Session struct {
	UserID   string
	Username string
	AppKey   string // consumer key of the connected app
	Scopes   []string
	IssuedAt time.Time
}

// HasScope reports whether the session was granted scope ("full" covers
// every scope but refresh_token and offline_access).
func (s Session) HasScope(scope string) bool { return hasScope(s.Scopes, scope) }

// Stats counts the server's live state, for the admin API.
type Stats struct {
	Apps            int `json:"apps"`
	Sessions        int `json:"sessions"`
	RefreshTokens   int `json:"refreshTokens"`
	BrowserSessions int `json:"browserSessions"`
}

// Server is the org's OAuth 2.0 authorization server and token checker. It
// serves /services/oauth2/* and /id/* (see ServeHTTP) and answers
// Authenticate for the REST front. It is safe for concurrent use.
type Server struct {
	cfg     Config
	orgID15 string
	mux     *http.ServeMux
	csrf    *http.CrossOriginProtection

	mu        sync.Mutex
	apps      map[string]*ConnectedApp // by consumer key
	sessions  map[string]*session      // by access token
	refresh   map[string]*refreshGrant // by sha256 hex of the refresh token
	codes     map[string]*authCode     // by code
	browsers  map[string]*browserSession
	approvals map[approvalKey][]string // scopes a user approved for an app
}

type session struct {
	Session
	lastUsed   time.Time
	refreshKey string // refresh grant that minted it; "" if none
}

type refreshGrant struct {
	Hash     string    `json:"hash"` // sha256 hex of the token; the token itself is never stored
	AppKey   string    `json:"appKey"`
	UserID   string    `json:"userId"`
	Scopes   []string  `json:"scopes"`
	IssuedAt time.Time `json:"issuedAt"`
}

type authCode struct {
	appKey, userID, redirectURI string
	scopes                      []string
	challenge, method           string
	expires                     time.Time
}

type browserSession struct {
	userID   string
	lastUsed time.Time
}

type approvalKey struct{ AppKey, UserID string }

// NewServer returns a Server with no connected apps; register them with
// RegisterApp.
func NewServer(cfg Config) (*Server, error) {
	if len(cfg.OrgID) != 18 || !strings.HasPrefix(cfg.OrgID, "00D") {
		return nil, fmt.Errorf("configuring OAuth server: org ID %q must be an 18-character 00D... ID", cfg.OrgID)
	}
	if cfg.Users == nil {
		return nil, errors.New("configuring OAuth server: a user directory is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.New()
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = DefaultSessionTimeout
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	s := &Server{
		cfg:       cfg,
		orgID15:   cfg.OrgID[:15],
		apps:      map[string]*ConnectedApp{},
		sessions:  map[string]*session{},
		refresh:   map[string]*refreshGrant{},
		codes:     map[string]*authCode{},
		browsers:  map[string]*browserSession{},
		approvals: map[approvalKey][]string{},
	}
	s.csrf = http.NewCrossOriginProtection()
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/services/oauth2/authorize", s.handleAuthorize)
	s.mux.HandleFunc("/services/oauth2/token", s.handleToken)
	s.mux.HandleFunc("/services/oauth2/revoke", s.handleRevoke)
	s.mux.HandleFunc("/services/oauth2/userinfo", s.handleUserinfo)
	s.mux.HandleFunc("/id/{org}/{user}", s.handleIdentity)
	return s, nil
}

// ServeHTTP serves /services/oauth2/authorize, /token, /revoke, /userinfo
// and the identity URLs /id/{orgId}/{userId}; anything else is 404.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// OrgID returns the org's 18-character ID.
func (s *Server) OrgID() string { return s.cfg.OrgID }

// RegisterApp adds the connected app, or replaces the one with the same
// consumer key.
func (s *Server) RegisterApp(app ConnectedApp) error {
	app.CallbackURLs = slices.Clone(app.CallbackURLs)
	app.Scopes = slices.Clone(app.Scopes)
	app.PreAuthorizedProfiles = slices.Clone(app.PreAuthorizedProfiles)
	if err := app.validate(); err != nil {
		return fmt.Errorf("registering connected app: %w", err)
	}
	s.mu.Lock()
	s.apps[app.ConsumerKey] = &app
	s.mu.Unlock()
	return nil
}

// RemoveApp deletes the connected app and every token issued through it.
func (s *Server) RemoveApp(consumerKey string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[consumerKey]; !ok {
		return fmt.Errorf("removing connected app %q: %w", consumerKey, ErrUnknownApp)
	}
	delete(s.apps, consumerKey)
	s.revokeWhereLocked(func(appKey, _ string) bool { return appKey == consumerKey })
	return nil
}

// Apps returns the registered connected apps, sorted by consumer key.
func (s *Server) Apps() []ConnectedApp {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ConnectedApp, 0, len(s.apps))
	for _, a := range s.apps {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b ConnectedApp) int { return strings.Compare(a.ConsumerKey, b.ConsumerKey) })
	return out
}

// App returns the connected app with the consumer key.
func (s *Server) App(key string) (ConnectedApp, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[key]
	if !ok {
		return ConnectedApp{}, false
	}
	return *a, true
}

// Authenticate checks the request's "Authorization: Bearer <token>" (or the
// legacy "OAuth <token>") header and returns the session. A missing header
// or a dead token gives ErrInvalidSession; a header of another type gives
// ErrInvalidAuthHeader. A successful call keeps the session alive.
func (s *Server) Authenticate(r *http.Request) (Session, error) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return Session{}, ErrInvalidSession
	}
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "OAuth") {
		return Session{}, ErrInvalidAuthHeader
	}
	return s.Lookup(strings.TrimSpace(token))
}

// Lookup returns the live session of an access token and keeps it alive,
// or ErrInvalidSession.
func (s *Server) Lookup(accessToken string) (Session, error) {
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessions[accessToken]
	if !ok {
		return Session{}, ErrInvalidSession
	}
	if now.Sub(ss.lastUsed) >= s.cfg.SessionTimeout {
		delete(s.sessions, accessToken)
		return Session{}, ErrInvalidSession
	}
	ss.lastUsed = now
	out := ss.Session
	out.Scopes = slices.Clone(ss.Scopes)
	return out, nil
}

// Login issues an access token for the user through the app without any
// OAuth exchange, for tests and the admin API. The session has the app's
// scopes, minus refresh_token/offline_access.
func (s *Server) Login(consumerKey, username string) (string, Session, error) {
	app, ok := s.App(consumerKey)
	if !ok {
		return "", Session{}, fmt.Errorf("logging in %q: %w", username, ErrUnknownApp)
	}
	u, ok := s.cfg.Users.UserByUsername(username)
	if !ok {
		return "", Session{}, fmt.Errorf("logging in %q: no such user", username)
	}
	if !u.Active {
		return "", Session{}, fmt.Errorf("logging in %q: user is inactive", username)
	}
	token, sess := s.newSession(&app, u, withoutRefresh(canonicalScopes(app.Scopes)), "")
	return token, sess, nil
}

// ExpireSession ends one access token as if its session had timed out
// (its refresh token, if any, stays valid). It reports whether the token
// was live.
func (s *Server) ExpireSession(accessToken string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.sessions[accessToken]
	delete(s.sessions, accessToken)
	return ok
}

// ExpireSessions ends every access token (refresh tokens stay valid, so
// clients can get new ones) and returns how many there were.
func (s *Server) ExpireSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.sessions)
	clear(s.sessions)
	return n
}

// Revoke revokes an access token, or a refresh token together with the
// access tokens issued from it, as /services/oauth2/revoke does.
func (s *Server) Revoke(token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[token]; ok {
		delete(s.sessions, token)
		return nil
	}
	key := hashToken(token)
	if _, ok := s.refresh[key]; !ok {
		return ErrUnknownToken
	}
	delete(s.refresh, key)
	for tok, ss := range s.sessions {
		if ss.refreshKey == key {
			delete(s.sessions, tok)
		}
	}
	return nil
}

// RevokeUser revokes every access and refresh token of the user (all users
// when userID is empty) and returns how many tokens went.
func (s *Server) RevokeUser(userID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.revokeWhereLocked(func(_, uid string) bool { return userID == "" || uid == userID })
}

// revokeWhereLocked deletes sessions, refresh tokens, pending codes and
// browser logins matching (appKey, userID); browser logins match on the
// user alone. s.mu must be held.
func (s *Server) revokeWhereLocked(match func(appKey, userID string) bool) int {
	n := 0
	for tok, ss := range s.sessions {
		if match(ss.AppKey, ss.UserID) {
			delete(s.sessions, tok)
			n++
		}
	}
	for key, g := range s.refresh {
		if match(g.AppKey, g.UserID) {
			delete(s.refresh, key)
			n++
		}
	}
	for c, ac := range s.codes {
		if match(ac.appKey, ac.userID) {
			delete(s.codes, c)
		}
	}
	for sid, b := range s.browsers {
		if match("", b.userID) {
			delete(s.browsers, sid)
		}
	}
	return n
}

// Stats counts the live apps and tokens.
func (s *Server) Stats() Stats {
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Apps: len(s.apps), RefreshTokens: len(s.refresh)}
	for _, ss := range s.sessions {
		if now.Sub(ss.lastUsed) < s.cfg.SessionTimeout {
			st.Sessions++
		}
	}
	for _, b := range s.browsers {
		if now.Sub(b.lastUsed) < s.cfg.SessionTimeout {
			st.BrowserSessions++
		}
	}
	return st
}

// newSession stores and returns a new access token.
func (s *Server) newSession(app *ConnectedApp, u User, scopes []string, refreshKey string) (string, Session) {
	now := s.cfg.Clock.Now()
	token := s.orgID15 + "!AQ" + randomToken(94)
	ss := &session{
		Session:    Session{UserID: u.ID, Username: u.Username, AppKey: app.ConsumerKey, Scopes: scopes, IssuedAt: now},
		lastUsed:   now,
		refreshKey: refreshKey,
	}
	s.mu.Lock()
	s.sessions[token] = ss
	s.mu.Unlock()
	return token, ss.Session
}

// newRefreshToken stores and returns a new refresh token, and records the
// user's approval of the app (which the JWT bearer flow relies on).
func (s *Server) newRefreshToken(app *ConnectedApp, u User, scopes []string) (token, key string) {
	token = "5Aep861" + randomToken(80)
	key = hashToken(token)
	s.mu.Lock()
	s.refresh[key] = &refreshGrant{Hash: key, AppKey: app.ConsumerKey, UserID: u.ID, Scopes: scopes, IssuedAt: s.cfg.Clock.Now()}
	s.mu.Unlock()
	s.approve(app.ConsumerKey, u.ID, scopes)
	return token, key
}

// approve records that the user approved the scopes for the app.
func (s *Server) approve(appKey, userID string, scopes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := approvalKey{appKey, userID}
	s.approvals[k] = canonicalScopes(append(slices.Clone(s.approvals[k]), scopes...))
}

// approved returns the scopes the user approved for the app.
func (s *Server) approved(appKey, userID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.approvals[approvalKey{appKey, userID}])
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// tokenAlphabet has 64 characters, so a random byte masked to 6 bits picks
// one without bias. Salesforce's tokens use the same characters (plus the
// '!' that ends the org ID prefix).
const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"

// randomToken returns n random characters from tokenAlphabet.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = tokenAlphabet[b[i]&63]
	}
	return string(b)
}

// RequestBaseURL returns configured (without a trailing slash) or, when it
// is empty, the URL the request was sent to: scheme (https under TLS or
// X-Forwarded-Proto: https) and Host.
func RequestBaseURL(r *http.Request, configured string) string {
	if configured != "" {
		return strings.TrimSuffix(configured, "/")
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) baseURL(r *http.Request) string { return RequestBaseURL(r, s.cfg.BaseURL) }

// identityURL is the user's identity URL, the token response's "id".
func (s *Server) identityURL(r *http.Request, userID string) string {
	return s.baseURL(r) + "/id/" + s.cfg.OrgID + "/" + userID
}
