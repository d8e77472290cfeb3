package syncer

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// BenchmarkOutbound10k edits 10,000 linked rows with one UPDATE each and
// drains them to the emulator: 50 sObject Collections calls of 200.
//
//	go test ./internal/syncer -run '^$' -bench Outbound10k -benchtime 1x
func BenchmarkOutbound10k(b *testing.B) {
	const n = 10_000
	o := newOutEnv(b, OpCreate)
	rows := make([][3]any, n)
	for i := range rows {
		rows[i] = [3]any{fmt.Sprintf("Account %d", i), "Technology", nil}
	}
	ids := o.insert(b, rows...)
	w := o.writer(b)
	if st, err := w.Drain(context.Background()); err != nil || st.Created != n {
		b.Fatalf("initial creates: %+v, %v", st, err)
	}
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		batch := sheet.Batch{Columns: []string{"Industry"}, Origin: sheet.OriginUser}
		for _, id := range ids {
			batch.Rows = append(batch.Rows, sheet.Input{ID: id, Values: []any{fmt.Sprintf("Industry %d", i)}})
		}
		if _, err := o.sh.Update(context.Background(), o.st, batch); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		st, err := w.Drain(context.Background())
		if err != nil || st.Updated != n {
			b.Fatalf("drain: %+v, %v", st, err)
		}
		b.ReportMetric(float64(st.APICalls), "api-calls")
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "edits/s")
}

// BenchmarkSingleEditLatency runs the Sender and measures, edit after
// edit, the time from the commit of one row's change to the record holding
// it in the emulator; it reports the median.
//
//	go test ./internal/syncer -run '^$' -bench SingleEditLatency -benchtime 50x
func BenchmarkSingleEditLatency(b *testing.B) {
	o := newOutEnv(b, OpCreate)
	ids := o.insert(b, [3]any{"Latency", "Technology", nil})
	s := NewSender(SenderOptions{Store: o.st, Connector: &fixedConnector{client: o.client}, Binder: outBinder{o.plan, o.sh}})
	if err := s.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer s.Stop()
	sfid := waitFor(b, func() (string, bool) {
		r, err := o.sh.Get(context.Background(), o.st, ids[0])
		return r.SFID, err == nil && r.SFID != ""
	})
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		want := fmt.Sprintf("Industry %d", i)
		start := time.Now()
		if _, err := o.sh.Update(context.Background(), o.st, sheet.Batch{Columns: []string{"Industry"}, Origin: sheet.OriginUser,
			Rows: []sheet.Input{{ID: ids[0], Values: []any{want}}}}); err != nil {
			b.Fatal(err)
		}
		waitFor(b, func() (string, bool) {
			rec, err := o.client.Retrieve(context.Background(), "Account", sfid, "Industry")
			if err != nil {
				return "", false
			}
			got, _ := rec.String("Industry")
			return got, got == want
		})
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
}

// waitFor polls cond until it holds, for at most ten seconds.
func waitFor[T any](b testing.TB, cond func() (T, bool)) T {
	b.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, ok := cond()
		if ok {
			return v
		}
		if time.Now().After(deadline) {
			b.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

// outBinder binds every workflow to one outbound plan and sheet.
type outBinder struct {
	plan *Outbound
	sh   *sheet.Sheet
}

func (f outBinder) BindOutbound(context.Context, store.Workflow, *salesforce.Client) (*Outbound, *sheet.Sheet, error) {
	return f.plan, f.sh, nil
}
