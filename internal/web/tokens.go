package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/sfbridge/sfbridge/internal/api"
)

// tokenExpiries are the lifetimes offered for a new token, in days (0:
// never).
var tokenExpiries = []int{30, 90, 365, 0}

// tokensData is the "My API tokens" page.
type tokensData struct {
	Tokens   []api.TokenInfo
	New      *api.NewToken // the token just created, shown once
	Expiries []int
	Name     string // the form's name, shown back after an error
}

// tokens lists the signed-in person's tokens (GET /api/v1/me/tokens).
func (c *console) tokens(w http.ResponseWriter, r *http.Request, v *view) {
	c.renderTokens(w, r, v, http.StatusOK, tokensData{})
}

func (c *console) renderTokens(w http.ResponseWriter, r *http.Request, v *view, status int, d tokensData) {
	var list api.TokenList
	if err := c.api.do(nil, r, http.MethodGet, "/api/v1/me/tokens", nil, &list); err != nil {
		c.fail(w, r, v, err)
		return
	}
	d.Tokens, d.Expiries = list.Tokens, tokenExpiries
	v.Data = d
	c.render(w, v, status, "tokens")
}

// createToken creates a token (POST /api/v1/me/tokens) and shows its
// secret in this answer only: there is no redirect, and the page is not
// cached.
func (c *console) createToken(w http.ResponseWriter, r *http.Request, v *view) {
	days, err := strconv.Atoi(r.PostFormValue("expires_in_days"))
	if err != nil {
		days = -1 // not a number: let the API refuse it with its field error
	}
	in := api.TokenRequest{Name: r.PostFormValue("name"), ExpiresInDays: days}
	var tok api.NewToken
	if err = c.api.do(w, r, http.MethodPost, "/api/v1/me/tokens", in, &tok); err != nil {
		c.renderTokens(w, r, v, c.explain(r, v, err), tokensData{Name: in.Name})
		return
	}
	v.Notice = v.T("notice.token_created")
	c.renderTokens(w, r, v, http.StatusCreated, tokensData{New: &tok})
}

// revokeToken revokes one of the person's tokens (DELETE
// /api/v1/me/tokens/{token}).
func (c *console) revokeToken(w http.ResponseWriter, r *http.Request, v *view) {
	path := "/api/v1/me/tokens/" + url.PathEscape(r.PathValue("token"))
	if err := c.api.do(w, r, http.MethodDelete, path, nil, nil); err != nil {
		c.renderTokens(w, r, v, c.explain(r, v, err), tokensData{})
		return
	}
	http.Redirect(w, r, "/tokens?done=token_revoked", http.StatusSeeOther)
}
