package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sfbridge/sfbridge/internal/access"
)

// BenchmarkTokenRequest measures one authenticated, access-checked request
// (GET /api/v1/users with a bearer token) through the handler, without the
// network.
func BenchmarkTokenRequest(b *testing.B) {
	store := NewStore(testDB(b))
	api, err := New(Options{Store: store, Password: cheapPasswords})
	if err != nil {
		b.Fatal(err)
	}
	u, err := store.CreateUser(b.Context(), NewUser{Login: "ada", Roles: access.RolesOf(access.ConnectorAdmin)}, AuditEntry{Action: "user.create"})
	if err != nil {
		b.Fatal(err)
	}
	secret, _ := access.NewSecret(access.TokenPrefix)
	if err := store.CreateToken(b.Context(), Token{ID: "tok_1", UserID: u.ID, Hash: access.HashSecret(secret)}, AuditEntry{Action: "token.create"}); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	for b.Loop() {
		w := httptest.NewRecorder()
		api.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
