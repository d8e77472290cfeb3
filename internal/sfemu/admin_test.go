package sfemu

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestAdminNeedsTokenOffLoopback(t *testing.T) {
	t.Parallel()
	f := setup(t, withOptions(func(o *Options) { o.AdminToken = "s3cret" }))
	tests := []struct {
		remote, header string
		want           int
	}{
		{"127.0.0.1:5000", "", http.StatusOK},
		{"[::1]:5000", "", http.StatusOK},
		{"10.1.2.3:5000", "", http.StatusUnauthorized},
		{"10.1.2.3:5000", "Bearer wrong", http.StatusUnauthorized},
		{"10.1.2.3:5000", "Bearer s3cret", http.StatusOK},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "/_emulator/state", nil)
		req.RemoteAddr = tt.remote
		if tt.header != "" {
			req.Header.Set("Authorization", tt.header)
		}
		rec := httptest.NewRecorder()
		f.e.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s %q: %d, want %d: %s", tt.remote, tt.header, rec.Code, tt.want, rec.Body)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/_emulator/state", nil)
	req.RemoteAddr = "10.1.2.3:5000"
	req.Header.Set("X-Emulator-Admin-Token", "s3cret")
	rec := httptest.NewRecorder()
	f.e.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("X-Emulator-Admin-Token: %d", rec.Code)
	}
}

func TestAdminAPI(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := func(method, path, body string) reply {
		t.Helper()
		var b any
		if body != "" {
			b = body
		}
		return f.do(t, method, "/_emulator/"+path, b, "Authorization", "")
	}

	t.Run("limits", func(t *testing.T) {
		r := admin(http.MethodPut, "limits", `{"dailyApiRequests":2,"used":2}`)
		if r.status != http.StatusOK || string(r.body) != `{"dailyApiRequests":2,"used":2,"dailyBulkApiBatches":15000,"bulkApiBatchesUsed":0,"dailyBulkV2QueryJobs":10000,"bulkV2QueryJobsUsed":0}` {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusForbidden {
			t.Errorf("limit spent: %d", r.status)
		}
		admin(http.MethodPut, "limits", `{"dailyApiRequests":100,"used":0}`)
		if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.header.Get("Sforce-Limit-Info") != "api-usage=1/100" {
			t.Errorf("after raising the limit: %d %q", r.status, r.header.Get("Sforce-Limit-Info"))
		}
		if r := admin(http.MethodPut, "limits", `{"dailyApiRequests":-1}`); r.status != http.StatusBadRequest {
			t.Errorf("negative limit: %d %s", r.status, r.body)
		}
		if r := admin(http.MethodPut, "limits", `{"daily":1}`); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "admin.invalid_body") {
			t.Errorf("unknown key: %d %s", r.status, r.body)
		}
	})

	t.Run("faults", func(t *testing.T) {
		r := admin(http.MethodPut, "faults", `{"seed":1,"faults":[{"kind":"unavailable","rate":1,"path":"/services/data/*/limits"}]}`)
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusServiceUnavailable {
			t.Errorf("fault not injected: %d", r.status)
		}
		r = admin(http.MethodGet, "faults", "")
		if !strings.Contains(string(r.body), `"fired":1`) {
			t.Errorf("status: %s", r.body)
		}
		admin(http.MethodDelete, "faults", "")
		if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusOK {
			t.Errorf("after clearing: %d", r.status)
		}
		if r := admin(http.MethodPut, "faults", `{"faults":[{"kind":"boom","rate":1}]}`); r.status != http.StatusBadRequest {
			t.Errorf("bad plan: %d %s", r.status, r.body)
		}
	})

	t.Run("clock", func(t *testing.T) {
		before := f.e.Clock().Now()
		r := admin(http.MethodPost, "clock", `{"advance":"3h"}`)
		if r.status != http.StatusOK || f.e.Clock().Now().Sub(before) < 3*time.Hour {
			t.Errorf("advance: %d %s", r.status, r.body)
		}
		r = admin(http.MethodPost, "clock", `{"set":"2030-01-02T03:04:05Z"}`)
		if r.status != http.StatusOK || f.e.Clock().Now().Year() != 2030 {
			t.Errorf("set: %d %s", r.status, r.body)
		}
		for _, bad := range []string{`{}`, `{"advance":"-1h"}`, `{"set":"tomorrow"}`, `{"advance":"1h","set":"2030-01-01T00:00:00Z"}`} {
			if r := admin(http.MethodPost, "clock", bad); r.status != http.StatusBadRequest {
				t.Errorf("%s: %d", bad, r.status)
			}
		}
		f.token = f.login(t, "admin@example.com")
	})

	t.Run("sessions and tokens", func(t *testing.T) {
		r := admin(http.MethodPost, "login", `{"username":"user@example.com"}`)
		var login map[string]string
		r.decode(t, &login)
		if r.status != http.StatusOK || login["accessToken"] == "" {
			t.Fatalf("login: %d %s", r.status, r.body)
		}
		userToken := login["accessToken"]
		get := func(token string) int {
			return f.do(t, http.MethodGet, "/services/data/v60.0/", nil, "Authorization", "Bearer "+token).status
		}
		if s := get(userToken); s != http.StatusOK {
			t.Fatalf("minted token: %d", s)
		}
		if r := admin(http.MethodPost, "sessions/expire", `{"accessToken":"`+userToken+`"}`); r.status != http.StatusOK {
			t.Errorf("expire one: %d %s", r.status, r.body)
		}
		if s := get(userToken); s != http.StatusUnauthorized {
			t.Errorf("expired token still works: %d", s)
		}
		admin(http.MethodPost, "sessions/expire", ``)
		if s := get(f.token); s != http.StatusUnauthorized {
			t.Errorf("expire all left the admin's session: %d", s)
		}
		f.token = f.login(t, "admin@example.com")
		r = admin(http.MethodPost, "revoke", `{"userId":"`+login["userId"]+`"}`)
		if r.status != http.StatusOK {
			t.Errorf("revoke: %d %s", r.status, r.body)
		}
		if s := get(f.token); s != http.StatusOK {
			t.Errorf("revoking another user's tokens hit the admin: %d", s)
		}
		if r := admin(http.MethodPost, "login", `{"username":"nobody@example.com"}`); r.status != http.StatusBadRequest {
			t.Errorf("login unknown user: %d", r.status)
		}
	})

	t.Run("apps", func(t *testing.T) {
		r := admin(http.MethodPost, "apps", `{"name":"CI","consumerKey":"ci","consumerSecret":"ci-secret","runAsUsername":"admin@example.com"}`)
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.body)
		}
		resp, err := http.PostForm(f.srv.URL+"/services/oauth2/token", map[string][]string{
			"grant_type": {"client_credentials"}, "client_id": {"ci"}, "client_secret": {"ci-secret"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("client credentials through the registered app: %d", resp.StatusCode)
		}
		if r := admin(http.MethodPost, "apps", `{"consumerKey":"x"}`); r.status != http.StatusBadRequest {
			t.Errorf("invalid app: %d %s", r.status, r.body)
		}
	})

	t.Run("state", func(t *testing.T) {
		r := admin(http.MethodGet, "state", "")
		var st State
		r.decode(t, &st)
		if st.OrgID != f.e.OrgID() || st.Records["User"] < 2 || st.APIUsage.DailyAPIRequests == 0 || st.Auth.Apps < 2 {
			t.Errorf("state: %s", r.body)
		}
	})

	t.Run("unknown resource", func(t *testing.T) {
		if r := admin(http.MethodGet, "nope", ""); r.status != http.StatusNotFound {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
}
