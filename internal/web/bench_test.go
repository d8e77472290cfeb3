package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/access"
)

// BenchmarkPeoplePage measures a signed-in page end to end in-process: the
// console's GET /api/v1/me and GET /api/v1/users calls over SQLite, the
// access decisions, and the template.
func BenchmarkPeoplePage(b *testing.B) {
	f := setup(b)
	f.user("root@example.com", access.SystemAdmin)
	for _, login := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"} {
		f.user(login+"@example.com", access.ConnectorUser)
	}
	form := url.Values{"login": {"root@example.com"}, "password": {password}}
	req := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	cookies := rec.Result().Cookies()
	if len(cookies) == 0 {
		b.Fatalf("signing in set no cookie: %d %s", rec.Code, rec.Body)
	}
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/people", nil)
		req.AddCookie(cookies[0])
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET /people: %d", rec.Code)
		}
	}
}
