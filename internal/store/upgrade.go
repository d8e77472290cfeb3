package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// An upgrade brings data that SQL migrations cannot reach up to date: the
// tables a package creates at run time (sheets), whose DDL is code.
type upgrade struct {
	name string
	fn   func(ctx context.Context, tx *Tx) error
}

var (
	upgradesMu sync.Mutex
	upgrades   []upgrade
)

// RegisterUpgrade adds fn to what [Open] runs after the SQL migrations, in
// the same transaction: either the migrations and every upgrade apply, or
// nothing does. Upgrades run in the order they were registered, on every
// Open, so fn must find out itself what is left to do, and do nothing
// quickly when nothing is. Packages register from init, the way database/sql
// drivers do; name (unique) appears in errors.
//
// It panics when name is empty or already registered: both are programming
// errors.
func RegisterUpgrade(name string, fn func(ctx context.Context, tx *Tx) error) {
	upgradesMu.Lock()
	defer upgradesMu.Unlock()
	if strings.TrimSpace(name) == "" || fn == nil {
		panic("store: RegisterUpgrade needs a name and a function")
	}
	for _, u := range upgrades {
		if u.name == name {
			panic(fmt.Sprintf("store: upgrade %q registered twice", name))
		}
	}
	upgrades = append(upgrades, upgrade{name: name, fn: fn})
}

// runUpgrades runs the registered upgrades inside tx.
func runUpgrades(ctx context.Context, tx *Tx) error {
	upgradesMu.Lock()
	us := append([]upgrade(nil), upgrades...)
	upgradesMu.Unlock()
	for _, u := range us {
		if err := u.fn(ctx, tx); err != nil {
			return fmt.Errorf("running upgrade %q: %w", u.name, err)
		}
	}
	return nil
}
