package activity

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkLog logs email shares to three contacts related to an account,
// reporting the API calls each costs once describes are cached.
//
//	go test -run '^$' -bench Log ./internal/activity
func BenchmarkLog(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	svc := newService(b, DefaultSettings())
	account := records(b, f.admin, "SELECT Id FROM Account ORDER BY Name LIMIT 1")[0].ID()
	to := emails(b, f.admin, "SELECT Email FROM Contact WHERE Email != null ORDER BY Id", 3)
	if _, err := svc.RelatedObjects(ctx, f.admin); err != nil {
		b.Fatal(err)
	}
	before := f.admin.Calls().API()
	i := 0
	for b.Loop() {
		i++
		if _, err := svc.Log(ctx, f.admin, Request{Key: fmt.Sprint(i), Kind: KindEmail, Recipients: to, Subject: "Bench", RelatedTo: account}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(f.admin.Calls().API()-before)/float64(i), "api-calls/op")
}
