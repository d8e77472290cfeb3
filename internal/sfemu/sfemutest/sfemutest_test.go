package sfemutest_test

import (
	"context"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
)

func TestStartAndConnect(t *testing.T) {
	org := sfemutest.Start(t, sfemu.Options{Seed: "demo"})
	admin, user := org.Connect(t, sfemutest.Admin), org.Connect(t, sfemutest.User)
	adminTok, userTok := admin.Token(), user.Token()
	if adminTok.InstanceURL != org.URL || adminTok.OrgID() != org.Emu.OrgID() || userTok.OrgID() != org.Emu.OrgID() {
		t.Errorf("admin token %s on %s org %s, want %s org %s", adminTok.UserID(), adminTok.InstanceURL, adminTok.OrgID(), org.URL, org.Emu.OrgID())
	}
	if adminTok.UserID() == "" || adminTok.UserID() == userTok.UserID() {
		t.Errorf("admin %q and user %q are not two users", adminTok.UserID(), userTok.UserID())
	}
	n, err := admin.Count(context.Background(), "SELECT COUNT() FROM Account")
	if err != nil || n == 0 {
		t.Errorf("demo accounts: %d, %v", n, err)
	}
	cfg := org.Config()
	cfg.APIVersion = "50.0"
	old := org.ConnectWith(t, cfg, sfemutest.User)
	if oldTok := old.Token(); oldTok.UserID() != userTok.UserID() {
		t.Error("ConnectWith logged in someone else")
	}
	// Each Start is its own org.
	if other := sfemutest.Start(t, sfemu.Options{Seed: "empty"}); other.URL == org.URL {
		t.Error("two orgs share a URL")
	}
}
