package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/activity"
	"github.com/sfbridge/sfbridge/internal/store"
)

// BenchmarkActivityClaim claims new idempotency keys, one write
// transaction each: the store's share of logging one activity.
func BenchmarkActivityClaim(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		e := activity.Entry{Key: "k" + strconv.Itoa(i), OrgID: "00D1", UserID: "0051", Status: activity.StatusPending, Object: "Task",
			Request: activity.Request{Kind: activity.KindEmail, Recipients: []string{"ana@example.com"}, Subject: "Deck"}, CreatedAt: at, UpdatedAt: at}
		if _, ok, err := st.Activities().Claim(ctx, e); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkFeatureGranted reads the features open to one person, which
// every activity and search request does before deciding: granted by name,
// or through a role they hold (the query's last branch).
func BenchmarkFeatureGranted(b *testing.B) {
	for _, tc := range []struct {
		name string
		fa   func(user int64) store.FeatureAccess
	}{
		{"member", func(user int64) store.FeatureAccess {
			return store.FeatureAccess{Feature: access.FeatureSearch, Members: []int64{user}}
		}},
		{"role", func(int64) store.FeatureAccess {
			return store.FeatureAccess{Feature: access.FeatureSearch, Roles: access.RolesOf(access.ConnectorUser)}
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			st := benchStore(b)
			ctx := context.Background()
			u, err := st.Users().Create(ctx, store.User{Login: "ana", Roles: access.RolesOf(access.ConnectorUser)})
			if err != nil {
				b.Fatal(err)
			}
			if err := st.FeatureSettings().Set(ctx, tc.fa(u.ID), store.AuditEntry{Action: "bench"}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if got, err := st.FeatureSettings().Granted(ctx, u.ID); err != nil || got != access.FeatureActivity|access.FeatureSearch {
					b.Fatal(got, err)
				}
			}
		})
	}
}
