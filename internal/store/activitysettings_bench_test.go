package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/activity"
	"github.com/sfbridge/sfbridge/internal/store"
)

// BenchmarkActivityFind lists one person's 50 latest activities among
// 10,000 of 100 people, as GET /api/v1/activities?limit=50 does: filtered
// and limited in SQL on the activities_user index; "list all" reads every
// entry, as the route did before.
func BenchmarkActivityFind(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 10000 {
		e := activity.Entry{Key: fmt.Sprint("k", i), OrgID: "00D1", UserID: fmt.Sprint("005", i%100), Status: activity.StatusLogged,
			Object: "Task", Request: activity.Request{Kind: activity.KindEmail, Recipients: []string{"ana@example.com"}, Subject: "Deck"},
			CreatedAt: at.Add(time.Duration(i) * time.Second), UpdatedAt: at}
		if _, _, err := st.Activities().Claim(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("find", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			got, err := st.Activities().Find(ctx, activity.Filter{OrgID: "00D1", UserID: "0057", Limit: 50})
			if err != nil || len(got) != 50 {
				b.Fatal(len(got), err)
			}
		}
	})
	// What the route did before: read every entry, keep the person's.
	b.Run("list all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if got, err := st.Activities().List(ctx, ""); err != nil || len(got) != 10000 {
				b.Fatal(len(got), err)
			}
		}
	})
}

// BenchmarkActivitySettingsGet reads the saved activity settings, which
// the activity service does at every log.
func BenchmarkActivitySettingsGet(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	if err := st.ActivitySettings().Set(ctx, activity.DefaultSettings(), store.AuditEntry{Action: "bench"}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.ActivitySettings().Get(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
