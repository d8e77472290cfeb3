package store_test

import (
	"context"
	"testing"

	"github.com/sfbridge/sfbridge/internal/store"
)

// BenchmarkUsageRecord records one org's usage after a run: the hourly
// upsert and the retention delete, in one write transaction.
func BenchmarkUsageRecord(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	o, err := st.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "app"})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		if err := st.Usage().Record(ctx, o.ID, int64(i), 15000, 3); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnreadNotifications counts an admin's unread notifications among
// 10,000 (half for the admins, half for other people, a third read): what
// every console page costs for its header badge.
func BenchmarkUnreadNotifications(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	var users []int64
	for _, login := range []string{"root", "ana", "bob"} {
		u, err := st.Users().Create(ctx, store.User{Login: login})
		if err != nil {
			b.Fatal(err)
		}
		users = append(users, u.ID)
	}
	for i := range 10_000 {
		n := store.Notification{Kind: store.NotifyThreshold, Message: "Acme used 75%", Link: "/orgs/1/usage"}
		if i%2 == 0 {
			n.Admins = true
		} else {
			n.UserID = users[1+i%2]
		}
		added, _, err := st.Notifications().Add(ctx, n)
		if err != nil {
			b.Fatal(err)
		}
		if i%3 == 0 && n.Admins {
			if err := st.Notifications().MarkRead(ctx, added.ID, users[0], true); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := st.Notifications().Unread(ctx, users[0], true); err != nil {
			b.Fatal(err)
		}
	}
}
