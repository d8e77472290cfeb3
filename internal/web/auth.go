package web

import (
	"net/http"

	"github.com/sfbridge/sfbridge/internal/api"
)

// setupForm is what the setup and sign-in forms show back after an error
// (never the password).
type setupForm struct {
	Login       string
	DisplayName string
	Next        string
}

// setupPage shows the first-run form while no user exists, else sends the
// browser to sign in.
func (c *console) setupPage(w http.ResponseWriter, r *http.Request) {
	v := c.newView(r)
	needed, err := c.api.setupNeeded(r)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	if !needed {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	v.Data = setupForm{}
	c.render(w, v, http.StatusOK, "setup")
}

// setup creates the first system admin through POST /api/v1/setup, which
// signs them in.
func (c *console) setup(w http.ResponseWriter, r *http.Request) {
	v := c.newView(r)
	form := setupForm{Login: r.PostFormValue("login"), DisplayName: r.PostFormValue("display_name")}
	v.Data = form
	if r.PostFormValue("password") != r.PostFormValue("password_confirm") {
		v.Error = v.T("error.invalid_input")
		v.Fields["password_confirm"] = v.T("field.password_confirm")
		c.render(w, v, http.StatusBadRequest, "setup")
		return
	}
	in := api.SetupRequest{Login: form.Login, DisplayName: form.DisplayName, Password: r.PostFormValue("password")}
	if err := c.api.do(w, r, http.MethodPost, "/api/v1/setup", in, nil); err != nil {
		if apiCode(err) == api.CodeSetupDone {
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		c.render(w, v, c.explain(r, v, err), "setup")
		return
	}
	http.Redirect(w, r, "/?done=welcome", http.StatusSeeOther)
}

// signInPage shows the sign-in form, or sends the browser on if it needs
// no sign-in: to setup on a fresh server, home if already signed in.
func (c *console) signInPage(w http.ResponseWriter, r *http.Request) {
	v := c.newView(r)
	if _, err := c.api.me(r); err == nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next"), "/"), http.StatusSeeOther)
		return
	}
	if needed, err := c.api.setupNeeded(r); err != nil {
		c.fail(w, r, v, err)
		return
	} else if needed {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	v.Data = setupForm{Next: localPath(r.URL.Query().Get("next"), "")}
	c.render(w, v, http.StatusOK, "signin")
}

// signIn signs in through POST /api/v1/session, whose session cookie goes
// to the browser.
func (c *console) signIn(w http.ResponseWriter, r *http.Request) {
	v := c.newView(r)
	form := setupForm{Login: r.PostFormValue("login"), Next: localPath(r.PostFormValue("next"), "")}
	v.Data = form
	in := api.LoginRequest{Login: form.Login, Password: r.PostFormValue("password")}
	if err := c.api.do(w, r, http.MethodPost, "/api/v1/session", in, nil); err != nil {
		c.render(w, v, c.explain(r, v, err), "signin")
		return
	}
	http.Redirect(w, r, localPath(form.Next, "/"), http.StatusSeeOther)
}

// signOut ends the session through DELETE /api/v1/session.
func (c *console) signOut(w http.ResponseWriter, r *http.Request, v *view) {
	if err := c.api.do(w, r, http.MethodDelete, "/api/v1/session", nil, nil); err != nil {
		c.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/signin?done=signed_out", http.StatusSeeOther)
}
