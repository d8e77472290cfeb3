package auth

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// browserCookie names the cookie that holds a browser login, as Salesforce's does.
const browserCookie = "sid"

// authzParams are the authorize parameters the login and consent forms
// carry along, in this order.
var authzParams = []string{
	"response_type", "client_id", "redirect_uri", "scope", "state", "prompt", "immediate",
	"display", "login_hint", "nonce", "code_challenge", "code_challenge_method",
}

// authzRequest is a validated authorize request.
type authzRequest struct {
	params      url.Values // the authzParams as received
	app         ConnectedApp
	redirectURI string
	scopes      []string
	challenge   string
	method      string
}

func (a *authzRequest) prompts(p string) bool {
	return slices.Contains(strings.Fields(a.params.Get("prompt")), p)
}

// parseAuthorize validates an authorize request. A *Error with redirect
// false is shown on a page (the client cannot be trusted with it); with
// redirect true it goes back to the client's redirect_uri.
func (s *Server) parseAuthorize(form url.Values) (req authzRequest, oerr *Error, redirect bool) {
	req.params = url.Values{}
	for _, k := range authzParams {
		if v := form.Get(k); v != "" {
			req.params.Set(k, v)
		}
	}
	app, ok := s.App(form.Get("client_id"))
	if !ok {
		return req, errClientID, false
	}
	req.app = app
	req.redirectURI = form.Get("redirect_uri")
	switch {
	case req.redirectURI == "":
		return req, errRedirectMissing, false
	case !app.callbackAllowed(req.redirectURI):
		return req, errRedirectMismatch, false
	}
	if form.Get("response_type") != "code" {
		return req, errResponseType, true
	}
	req.scopes, oerr = app.grantScopes(form.Get("scope"))
	if oerr != nil {
		return req, oerr, true
	}
	req.challenge = form.Get("code_challenge")
	req.method = form.Get("code_challenge_method")
	if req.challenge != "" && req.method != "" && req.method != "S256" && req.method != "plain" {
		return req, errChallengeMethod, true
	}
	return req, nil, false
}

// handleAuthorize serves /services/oauth2/authorize: GET starts the
// web-server flow (login page, consent page or straight back with a code);
// POST receives the login and consent forms.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.Method == http.MethodPost {
		if err := s.csrf.Check(r); err != nil {
			s.renderError(w, http.StatusForbidden, oauthErr("invalid_request", "cross-origin form submission refused"))
			return
		}
	}
	if err := r.ParseForm(); err != nil {
		s.renderError(w, http.StatusBadRequest, oauthErr("invalid_request", "malformed request"))
		return
	}
	req, oerr, redirect := s.parseAuthorize(r.Form)
	switch {
	case oerr != nil && redirect:
		s.redirectError(w, r, &req, oerr)
		return
	case oerr != nil:
		s.renderError(w, http.StatusBadRequest, oerr)
		return
	}
	if r.Method == http.MethodGet {
		s.authorizeStep(w, r, &req)
		return
	}
	switch r.PostForm.Get("action") {
	case "login":
		s.loginSubmit(w, r, &req)
	case "allow":
		if u, ok := s.browserUser(r); ok {
			s.approve(req.app.ConsumerKey, u.ID, req.scopes)
			s.redirectCode(w, r, &req, u)
			return
		}
		s.authorizeStep(w, r, &req) // the login went away: log in again
	case "deny":
		s.redirectError(w, r, &req, errAccessDenied)
	default:
		s.renderError(w, http.StatusBadRequest, oauthErr("invalid_request", "unknown form action"))
	}
}

// authorizeStep shows what the user must do next: log in, approve the app,
// or nothing (straight back to the client with a code).
func (s *Server) authorizeStep(w http.ResponseWriter, r *http.Request, req *authzRequest) {
	immediate := req.params.Get("immediate") == "true"
	u, loggedIn := s.browserUser(r)
	if !loggedIn || req.prompts("login") {
		if immediate {
			s.redirectError(w, r, req, errImmediate)
			return
		}
		s.renderLogin(w, req, "")
		return
	}
	if oerr := adminApproval(&req.app, u); oerr != nil {
		s.redirectError(w, r, req, oerr)
		return
	}
	approved := s.approved(req.app.ConsumerKey, u.ID)
	covered := !slices.ContainsFunc(req.scopes, func(sc string) bool { return !slices.Contains(approved, sc) })
	if req.prompts("consent") || (!req.app.preAuthorized(u.Profile) && !covered) {
		if immediate {
			s.redirectError(w, r, req, errImmediate)
			return
		}
		s.renderConsent(w, req, u)
		return
	}
	s.redirectCode(w, r, req, u)
}

// loginSubmit checks the login form and, on success, starts a browser
// session and goes back to the authorize step (without prompt=login).
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request, req *authzRequest) {
	u, ok := s.cfg.Users.Authenticate(r.PostForm.Get("username"), r.PostForm.Get("password"))
	if !ok || !u.Active {
		s.renderLogin(w, req, "Please check your username and password. If you still can't log in, contact your Salesforce administrator.")
		return
	}
	sid := randomToken(48)
	s.mu.Lock()
	s.browsers[sid] = &browserSession{userID: u.ID, lastUsed: s.cfg.Clock.Now()}
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: browserCookie, Value: sid, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
	next := url.Values{}
	for k, v := range req.params {
		next[k] = v
	}
	prompt := slices.DeleteFunc(strings.Fields(next.Get("prompt")), func(p string) bool { return p == "login" })
	next.Del("prompt")
	if len(prompt) > 0 {
		next.Set("prompt", strings.Join(prompt, " "))
	}
	http.Redirect(w, r, "/services/oauth2/authorize?"+next.Encode(), http.StatusFound)
}

// browserUser returns the user logged in through the sid cookie.
func (s *Server) browserUser(r *http.Request) (User, bool) {
	c, err := r.Cookie(browserCookie)
	if err != nil {
		return User{}, false
	}
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	b, ok := s.browsers[c.Value]
	if ok && now.Sub(b.lastUsed) >= s.cfg.SessionTimeout {
		delete(s.browsers, c.Value)
		ok = false
	}
	var userID string
	if ok {
		b.lastUsed = now
		userID = b.userID
	}
	s.mu.Unlock()
	if !ok {
		return User{}, false
	}
	u, found := s.cfg.Users.UserByID(userID)
	return u, found && u.Active
}

// redirectCode issues an authorization code and sends the browser back to the client.
func (s *Server) redirectCode(w http.ResponseWriter, r *http.Request, req *authzRequest, u User) {
	code := "aPrx" + randomToken(60)
	s.mu.Lock()
	s.codes[code] = &authCode{
		appKey: req.app.ConsumerKey, userID: u.ID, redirectURI: req.redirectURI, scopes: req.scopes,
		challenge: req.challenge, method: req.method, expires: s.cfg.Clock.Now().Add(codeLifetime),
	}
	s.mu.Unlock()
	s.redirectBack(w, r, req, url.Values{"code": {code}})
}

// redirectError sends an authorize error back to the client as
// ?error=...&error_description=...
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, req *authzRequest, oerr *Error) {
	s.redirectBack(w, r, req, url.Values{"error": {oerr.Code}, "error_description": {oerr.Description}})
}

// redirectBack redirects to the client's redirect_uri with extra query
// parameters and the request's state.
func (s *Server) redirectBack(w http.ResponseWriter, r *http.Request, req *authzRequest, extra url.Values) {
	u, err := url.Parse(req.redirectURI)
	if err != nil { // callbackAllowed accepted it, so it parses
		s.renderError(w, http.StatusBadRequest, errRedirectMismatch)
		return
	}
	q := u.Query()
	for k, v := range extra {
		q[k] = v
	}
	if st := req.params.Get("state"); st != "" {
		q.Set("state", st)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// hiddenField is a form input carried through the login and consent pages.
type hiddenField struct{ Name, Value string }

func (req *authzRequest) hidden() []hiddenField {
	var out []hiddenField
	for _, k := range authzParams {
		if v := req.params.Get(k); v != "" {
			out = append(out, hiddenField{k, v})
		}
	}
	return out
}

// scopeLabels are the consent page's descriptions of scopes, as
// Salesforce words them.
var scopeLabels = map[string]string{
	"api":            "Manage user data via APIs (api)",
	"full":           "Full access (full)",
	"id":             "Access the identity URL service (id, profile, email, address, phone)",
	"web":            "Manage user data via Web browsers (web)",
	"refresh_token":  "Perform requests at any time (refresh_token, offline_access)",
	"offline_access": "Perform requests at any time (refresh_token, offline_access)",
	"openid":         "Access unique user identifiers (openid)",
}

func scopeDescriptions(scopes []string) []string {
	var out []string
	for _, sc := range scopes {
		label, ok := scopeLabels[sc]
		if !ok {
			label = sc
		}
		if !slices.Contains(out, label) {
			out = append(out, label)
		}
	}
	return out
}

func (s *Server) renderLogin(w http.ResponseWriter, req *authzRequest, problem string) {
	s.render(w, http.StatusOK, "login.html", map[string]any{
		"App": req.app.Name, "Hidden": req.hidden(), "Error": problem,
		"Username": req.params.Get("login_hint"), "Notice": s.cfg.LoginNotice,
	})
}

func (s *Server) renderConsent(w http.ResponseWriter, req *authzRequest, u User) {
	s.render(w, http.StatusOK, "consent.html", map[string]any{
		"App": req.app.Name, "Hidden": req.hidden(), "Username": u.Username,
		"Scopes": scopeDescriptions(req.scopes),
	})
}

func (s *Server) renderError(w http.ResponseWriter, status int, oerr *Error) {
	s.render(w, status, "error.html", map[string]any{"Code": oerr.Code, "Description": oerr.Description})
}

func (s *Server) render(w http.ResponseWriter, status int, page string, data map[string]any) {
	var b strings.Builder
	if err := pages.ExecuteTemplate(&b, page, data); err != nil {
		http.Error(w, "rendering "+page+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}
