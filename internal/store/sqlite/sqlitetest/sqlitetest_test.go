package sqlitetest

import (
	"context"
	"testing"

	"github.com/sfbridge/sfbridge/internal/store"
)

func TestOpenGivesAWritableStore(t *testing.T) {
	db := Open(t)
	u, err := db.Users().Create(context.Background(), store.User{Login: "ada@example.com", DisplayName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Users().ByLogin(context.Background(), "ADA@example.com")
	if err != nil || got.ID != u.ID {
		t.Fatalf("ByLogin = %+v, %v; want user %d", got, err, u.ID)
	}
}
