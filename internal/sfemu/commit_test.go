package sfemu

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// accountsByStamp lists the Accounts a query sees, in SystemModstamp order,
// with their stamps.
func (f *fixture) accountsByStamp(t *testing.T) (names []string, stamps map[string]string) {
	t.Helper()
	q := url.QueryEscape("SELECT Name, SystemModstamp FROM Account ORDER BY SystemModstamp, Id")
	r := f.do(t, http.MethodGet, "/services/data/v60.0/query?q="+q, nil)
	if r.status != http.StatusOK {
		t.Fatalf("query: %d %s", r.status, r.body)
	}
	var res struct {
		Records []struct{ Name, SystemModstamp string }
	}
	r.decode(t, &res)
	stamps = map[string]string{}
	for _, rec := range res.Records {
		names = append(names, rec.Name)
		stamps[rec.Name] = rec.SystemModstamp
	}
	return names, stamps
}

func TestSlowCommit(t *testing.T) {
	t.Parallel()
	f := setup(t)
	start := f.e.Clock().Now()
	f.create(t, "Account", `{"Name":"Before"}`)
	if err := f.e.SetFaults(FaultPlan{Faults: []Fault{{Kind: FaultSlowCommit, Rate: 1,
		Path: "/services/data/**", Latency: Duration(time.Minute), Limit: 1}}}); err != nil {
		t.Fatal(err)
	}

	// A read does not draw the fault; the write does, and its response
	// waits for the commit.
	f.accountsByStamp(t)
	type answer struct {
		status int
		body   string
		err    error
	}
	done := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/services/data/v60.0/sobjects/Account", strings.NewReader(`{"Name":"Late"}`))
		req.Header.Set("Authorization", "Bearer "+f.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := f.srv.Client().Do(req)
		if err != nil {
			done <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- answer{resp.StatusCode, string(b), err}
	}()
	for f.e.Org().Pending() == 0 {
		select {
		case a := <-done:
			t.Fatalf("the slow write answered before its transaction was under way: %+v", a)
		case <-time.After(time.Millisecond):
		}
	}

	// While it is in flight, queries do not see it and other writes go on.
	if names, _ := f.accountsByStamp(t); !slices.Equal(names, []string{"Before"}) {
		t.Fatalf("in flight, a query sees %v; want [Before]", names)
	}
	f.e.Clock().Advance(5 * time.Second)
	f.create(t, "Account", `{"Name":"Other"}`)
	select {
	case a := <-done:
		t.Fatalf("the slow write answered before the clock reached its commit: %+v", a)
	default:
	}

	// The clock reaches the commit: the write answers, and its record shows
	// with the stamp of its start, before the record written meanwhile.
	f.e.Clock().Advance(time.Minute)
	a := <-done
	if a.err != nil || a.status != http.StatusCreated {
		t.Fatalf("the slow write: %+v", a)
	}
	names, stamps := f.accountsByStamp(t)
	if !slices.Equal(names, []string{"Before", "Late", "Other"}) {
		t.Fatalf("after the commit, a query sees %v in SystemModstamp order; want [Before Late Other]", names)
	}
	late, err := time.Parse("2006-01-02T15:04:05.000-0700", stamps["Late"])
	if err != nil {
		t.Fatal(err)
	}
	if d := late.Sub(start); d < 0 || d >= 5*time.Second { // the clock moved 5s before "Other"
		t.Errorf("the slow write is stamped %v; want when it started, %v (+ the test's own time)", late, start)
	}
	if f.e.Org().Pending() != 0 {
		t.Error("a transaction is still pending after the answer")
	}
}

func TestSlowCommitNeedsLatency(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, l := range []time.Duration{0, 2 * time.Minute} {
		err := f.e.SetFaults(FaultPlan{Faults: []Fault{{Kind: FaultSlowCommit, Rate: 1, Latency: Duration(l)}}})
		if err == nil || !strings.Contains(err.Error(), "latency must be between 0 and 1m for a slowCommit fault") {
			t.Errorf("latency %v: %v; want the latency error", l, err)
		}
	}
}
