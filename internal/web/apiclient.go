package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
)

// apiClient calls the /api/v1 handler in-process on behalf of a browser
// request, so that the console and the API share one implementation of
// sign-in, sessions, validation, access checks and audit (ADR 0200).
type apiClient struct {
	h http.Handler
}

// forwarded are the browser's headers an API call carries: the session
// cookie, and what http.CrossOriginProtection judges (the API checks CSRF
// again, as for any browser request).
var forwarded = []string{"Cookie", "Origin", "Sec-Fetch-Site", "Referer", "User-Agent"}

// do calls method path with in as the JSON body (nil: none) and decodes a
// success into out (nil: ignore it). The API's Set-Cookie headers (sign-in,
// sign-out) are copied onto w. An API error is returned as *api.Error.
func (c apiClient) do(w http.ResponseWriter, r *http.Request, method, path string, in, out any) error {
	if in == nil {
		return c.send(w, r, method, path, "", http.NoBody, out)
	}
	raw, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encoding the request to %s %s: %w", method, path, err)
	}
	return c.send(w, r, method, path, "application/json", bytes.NewReader(raw), out)
}

// send is do with a body of any type (contentType "": none), such as a CSV
// import.
func (c apiClient) send(w http.ResponseWriter, r *http.Request, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(r.Context(), method, path, body)
	if err != nil {
		return fmt.Errorf("building the request to %s %s: %w", method, path, err)
	}
	req.Host, req.RemoteAddr, req.TLS = r.Host, r.RemoteAddr, r.TLS
	for _, h := range forwarded {
		if v := r.Header.Values(h); len(v) > 0 {
			req.Header[h] = v
		}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	c.h.ServeHTTP(rec, req)
	if w != nil {
		for _, ck := range rec.header.Values("Set-Cookie") {
			w.Header().Add("Set-Cookie", ck)
		}
	}
	if rec.status >= 400 {
		var e api.Error
		if err := json.Unmarshal(rec.body.Bytes(), &e); err != nil || e.Code == "" {
			return fmt.Errorf("%w: %s %s answered %d: %s", ErrAPI, method, path, rec.status, rec.body.String())
		}
		return &e
	}
	if out == nil || rec.status == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
		return fmt.Errorf("%w: decoding the answer of %s %s: %v", ErrAPI, method, path, err)
	}
	return nil
}

// me returns the signed-in person, or an *api.Error with code
// auth.required when the browser has no valid session.
func (c apiClient) me(r *http.Request) (api.Me, error) {
	var me api.Me
	err := c.do(nil, r, http.MethodGet, "/api/v1/me", nil, &me)
	return me, err
}

// setupNeeded reports whether no user exists yet.
func (c apiClient) setupNeeded(r *http.Request) (bool, error) {
	var st api.SetupStatus
	if err := c.do(nil, r, http.MethodGet, "/api/v1/setup", nil, &st); err != nil {
		return false, err
	}
	return st.Needed, nil
}

// actorOf builds the access.Actor of the signed-in person from what the API
// says of them, for the console's own access.Decide calls (which links and
// controls to show); the API decides again on every change.
func actorOf(me api.Me) access.Actor {
	var features access.Feature
	for _, name := range me.Features {
		if f, err := access.ParseFeature(name); err == nil {
			features |= f
		}
	}
	return access.Actor{ID: me.ID, Roles: access.RolesOf(me.Roles...), ListOn: me.RestrictedListOn, OnList: me.OnRestrictedList,
		Features: features}
}

// apiCode returns the code of an API error, or "" for any other error.
func apiCode(err error) api.Code {
	var e *api.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// recorder is the in-process response of an API call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}
