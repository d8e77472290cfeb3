package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
)

// orgsRoutes registers the Salesforce org pages and the OAuth callback.
func (c *console) orgsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /orgs", c.guard(access.OrgView, nil, c.orgs))
	mux.HandleFunc("POST /orgs", c.guard(access.OrgRegister, nil, c.registerOrg))
	mux.HandleFunc("GET /orgs/{id}", c.guard(access.OrgView, nil, c.org))
	mux.HandleFunc("POST /orgs/{id}/polling", c.guard(access.OrgSetPolling, nil, c.setPolling))
	mux.HandleFunc("POST /orgs/{id}/app", c.guard(access.OrgRegister, nil, c.setConnectedApp))
	// Connect is a link, not a form: the browser leaves for Salesforce, and
	// the page's form-action 'self' would stop a form that redirects away.
	// The API's cross-origin check still refuses a link from another site.
	mux.HandleFunc("GET /orgs/{id}/connect", c.guard(access.OrgConnect, nil, c.connect))
	mux.HandleFunc("GET "+api.CallbackPath, c.guard(access.OrgConnect, nil, c.oauthCallback))
}

// orgForm is the register form, shown back after an error (never the secret).
type orgForm struct {
	Name     string
	Choice   string // production, sandbox or my_domain
	MyDomain string // the login URL, for my_domain
	ClientID string
	Poll     string
}

// login is the API's login of the form: production, sandbox, or the URL.
func (f orgForm) login() string {
	if f.Choice == "my_domain" {
		return f.MyDomain
	}
	return f.Choice
}

// orgsData is the Salesforce orgs page.
type orgsData struct {
	L           labels
	Orgs        []api.OrgInfo
	CanRegister bool
	Form        orgForm
	// CallbackURL is the callback the connected app must allow, the same
	// for every org.
	CallbackURL string
}

// orgData is an org's page.
type orgData struct {
	L           labels
	Org         api.OrgInfo
	Connections []api.ConnectionInfo
	Mine        *api.ConnectionInfo // the signed-in person's connection, if any
	SeesAll     bool                // the list holds everyone's connections
	CanPoll     bool
	CanApp      bool
	CanConnect  bool
	Poll        string // the polling form's value, shown back after an error
	ClientID    string
}

// labels are the names of the values the API gives in codes (states,
// login kinds, renewals), in the page's language. Each key is written out,
// so that the catalogue test sees it.
type labels struct {
	State, Todo, Login, Renewal map[string]string
}

func orgLabels(v *view) labels {
	return labels{
		State: map[string]string{
			"connected":     v.T("orgs.state.connected"),
			"needs_reauth":  v.T("orgs.state.needs_reauth"),
			"paused_limit":  v.T("orgs.state.paused_limit"),
			"not_connected": v.T("orgs.state.not_connected"),
		},
		Todo: map[string]string{
			"needs_reauth":  v.T("orgs.todo.needs_reauth"),
			"paused_limit":  v.T("orgs.todo.paused_limit"),
			"not_connected": v.T("orgs.todo.not_connected"),
		},
		Login: map[string]string{
			"production": v.T("orgs.login.production"),
			"sandbox":    v.T("orgs.login.sandbox"),
			"my_domain":  v.T("orgs.login.my_domain"),
		},
		Renewal: map[string]string{
			"refresh_token":      v.T("orgs.renewal.refresh_token"),
			"jwt_bearer":         v.T("orgs.renewal.jwt_bearer"),
			"client_credentials": v.T("orgs.renewal.client_credentials"),
			"password":           v.T("orgs.renewal.password"),
			"none":               v.T("orgs.renewal.none"),
		},
	}
}

// explainOrg is explain with the orgs pages' own field messages, since
// "field.name" speaks of tokens.
func (c *console) explainOrg(r *http.Request, v *view, err error) int {
	status := c.explain(r, v, err)
	for f, msg := range map[string]string{
		"name":                      v.T("orgs.field.name"),
		"login":                     v.T("orgs.field.login"),
		"client_id":                 v.T("orgs.field.client_id"),
		"client_secret":             v.T("orgs.field.client_secret"),
		"polling_frequency_seconds": v.T("orgs.field.polling_frequency_seconds"),
	} {
		if _, bad := v.Fields[f]; bad {
			v.Fields[f] = msg
		}
	}
	return status
}

// orgs lists the registered orgs, with the register form for admins.
func (c *console) orgs(w http.ResponseWriter, r *http.Request, v *view) {
	c.renderOrgs(w, r, v, http.StatusOK, orgForm{Choice: "production", Poll: strconv.FormatInt(api.DefaultPollSeconds, 10)})
}

func (c *console) renderOrgs(w http.ResponseWriter, r *http.Request, v *view, status int, form orgForm) {
	var list api.OrgList
	if err := c.api.do(nil, r, http.MethodGet, "/api/v1/orgs", nil, &list); err != nil {
		c.fail(w, r, v, err)
		return
	}
	v.Data = orgsData{L: orgLabels(v), Orgs: list.Orgs, CanRegister: v.Can(string(access.OrgRegister)), Form: form, CallbackURL: list.CallbackURL}
	c.render(w, v, status, "orgs")
}

// registerOrg registers an org through POST /api/v1/orgs.
func (c *console) registerOrg(w http.ResponseWriter, r *http.Request, v *view) {
	form := orgForm{Name: r.PostFormValue("name"), Choice: r.PostFormValue("login"), MyDomain: r.PostFormValue("my_domain"),
		ClientID: r.PostFormValue("client_id"), Poll: r.PostFormValue("polling_frequency_seconds")}
	in := api.RegisterOrgRequest{Name: form.Name, Login: form.login(), ClientID: form.ClientID, ClientSecret: r.PostFormValue("client_secret")}
	poll, ok := formSeconds(form.Poll)
	if !ok {
		v.Fields["polling_frequency_seconds"] = v.T("orgs.field.polling_frequency_seconds")
		v.Error = v.T("error.invalid_input")
		c.renderOrgs(w, r, v, http.StatusBadRequest, form)
		return
	}
	in.PollSeconds = poll
	var out api.OrgInfo
	if err := c.api.do(w, r, http.MethodPost, "/api/v1/orgs", in, &out); err != nil {
		c.renderOrgs(w, r, v, c.explainOrg(r, v, err), form)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/orgs/%d?done=org_registered", out.ID), http.StatusSeeOther)
}

// formSeconds reads a number of seconds typed in a form; empty is 0 (the
// API's default).
func formSeconds(s string) (int64, bool) {
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// org shows one org: its state, what to do, the callback URL, the forms
// the person may use, and the connections they may see.
func (c *console) org(w http.ResponseWriter, r *http.Request, v *view) {
	c.renderOrg(w, r, v, http.StatusOK, "", "")
}

func (c *console) renderOrg(w http.ResponseWriter, r *http.Request, v *view, status int, poll, clientID string) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	d := orgData{L: orgLabels(v), CanPoll: v.Can(string(access.OrgSetPolling)), CanApp: v.Can(string(access.OrgRegister)),
		CanConnect: v.Can(string(access.OrgConnect))}
	d.SeesAll = d.CanApp
	if err := c.api.do(nil, r, http.MethodGet, fmt.Sprintf("/api/v1/orgs/%d", id), nil, &d.Org); err != nil {
		c.fail(w, r, v, err)
		return
	}
	var conns api.ConnectionList
	if err := c.api.do(nil, r, http.MethodGet, fmt.Sprintf("/api/v1/orgs/%d/connections", id), nil, &conns); err != nil {
		c.fail(w, r, v, err)
		return
	}
	d.Connections = conns.Connections
	for i := range d.Connections {
		if d.Connections[i].UserID == v.Me.ID {
			d.Mine = &d.Connections[i]
		}
	}
	d.Poll, d.ClientID = poll, clientID
	if d.Poll == "" {
		d.Poll = strconv.FormatInt(d.Org.PollSeconds, 10)
	}
	if d.ClientID == "" {
		d.ClientID = d.Org.ClientID
	}
	v.Data = d
	c.render(w, v, status, "orgs-detail")
}

// setPolling sets the polling frequency through PUT /api/v1/orgs/{id}/polling.
func (c *console) setPolling(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	raw := r.PostFormValue("polling_frequency_seconds")
	seconds, ok := formSeconds(raw)
	var err error
	if !ok || raw == "" {
		err = &api.Error{Code: api.CodeInvalidInput, Details: &api.ErrorDetails{Fields: []api.FieldError{{Field: "polling_frequency_seconds"}}}}
	} else {
		err = c.api.do(w, r, http.MethodPut, fmt.Sprintf("/api/v1/orgs/%d/polling", id), api.PollingRequest{PollSeconds: seconds}, nil)
	}
	if err != nil {
		c.renderOrg(w, r, v, c.explainOrg(r, v, err), raw, "")
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/orgs/%d?done=polling_saved", id), http.StatusSeeOther)
}

// setConnectedApp replaces the consumer key and secret through PUT
// /api/v1/orgs/{id}/app.
func (c *console) setConnectedApp(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	in := api.ConnectedAppRequest{ClientID: r.PostFormValue("client_id"), ClientSecret: r.PostFormValue("client_secret")}
	if err := c.api.do(w, r, http.MethodPut, fmt.Sprintf("/api/v1/orgs/%d/app", id), in, nil); err != nil {
		c.renderOrg(w, r, v, c.explainOrg(r, v, err), "", in.ClientID)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/orgs/%d?done=app_saved", id), http.StatusSeeOther)
}

// connect starts the browser login through POST /api/v1/orgs/{id}/connect
// and sends the browser to the org's login page.
func (c *console) connect(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	var start api.ConnectStart
	if err := c.api.do(w, r, http.MethodPost, fmt.Sprintf("/api/v1/orgs/%d/connect", id), nil, &start); err != nil {
		c.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, start.AuthorizeURL, http.StatusSeeOther)
}

// oauthCallback is where Salesforce sends the browser back: it finishes the
// login through POST /api/v1/oauth/callback and shows the org.
func (c *console) oauthCallback(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	in := api.OAuthCallback{State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"), ErrorDescription: q.Get("error_description")}
	// The browser comes from Salesforce's site, so the cross-origin check
	// would refuse the API call it makes; the state, single-use and bound
	// to the person who started the login, is what protects this request.
	same := r.Clone(r.Context())
	for _, h := range []string{"Origin", "Sec-Fetch-Site", "Referer"} {
		same.Header.Del(h)
	}
	var conn api.ConnectionInfo
	if err := c.api.do(w, same, http.MethodPost, "/api/v1/oauth/callback", in, &conn); err != nil {
		status := c.explain(r, v, err)
		var e *api.Error
		if errors.As(err, &e) && e.Code == api.CodeLoginRefused {
			v.Error = v.T("error.org.login_refused") + " " + e.Message
		}
		c.render(w, v, status, "error")
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/orgs/%d?done=connected", conn.OrgID), http.StatusSeeOther)
}
