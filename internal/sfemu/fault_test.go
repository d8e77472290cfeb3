package sfemu

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
)

// statuses makes n GET /limits calls and returns their statuses.
func (f *fixture) statuses(t *testing.T, n int, path string) []int {
	t.Helper()
	var out []int
	for range n {
		out = append(out, f.do(t, http.MethodGet, path, nil).status)
	}
	return out
}

func TestFaultsAreReproducible(t *testing.T) {
	t.Parallel()
	plan := FaultPlan{Seed: 42, Faults: []Fault{
		{Kind: FaultUnavailable, Rate: 0.3},
		{Kind: FaultUnknownException, Rate: 0.2},
	}}
	run := func() []int {
		f := setup(t)
		if err := f.e.SetFaults(plan); err != nil {
			t.Fatal(err)
		}
		return f.statuses(t, 40, "/services/data/v60.0/limits")
	}
	first, second := run(), run()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("same seed, different failures (-first +second):\n%s", diff)
	}
	seen := map[int]int{}
	for _, s := range first {
		seen[s]++
	}
	if seen[200] == 0 || seen[503] == 0 || seen[500] == 0 {
		t.Errorf("expected a mix of 200, 503 and 500 over 40 calls: %v", seen)
	}
}

func TestFaultShapes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	must := func(p FaultPlan) {
		t.Helper()
		if err := f.e.SetFaults(p); err != nil {
			t.Fatal(err)
		}
	}
	must(FaultPlan{Faults: []Fault{{Kind: FaultUnavailable, Rate: 1, Limit: 1}}})
	r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil)
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("503 fault: %d", r.status)
	}
	golden.Check(t, "testdata/golden/error-server-unavailable.json", append(r.body, '\n'))
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusOK {
		t.Errorf("a fault with limit 1 fired twice: %d", r.status)
	}

	must(FaultPlan{Faults: []Fault{{Kind: FaultUnknownException, Rate: 1}}})
	r = f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil)
	var body []restError
	r.decode(t, &body)
	if r.status != http.StatusInternalServerError || body[0].ErrorCode != "UNKNOWN_EXCEPTION" ||
		!strings.HasPrefix(body[0].Message, "An unexpected error occurred. Please include this ErrorId if you contact support: ") {
		t.Errorf("500 fault: %d %s", r.status, r.body)
	}

	must(FaultPlan{Faults: []Fault{{Kind: FaultExpireSession, Rate: 1, Limit: 1}}})
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusUnauthorized {
		t.Errorf("expire fault: %d", r.status)
	}
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusUnauthorized {
		t.Errorf("the expired session must stay expired: %d", r.status)
	}
	f.token = f.login(t, "admin@example.com")

	must(FaultPlan{Faults: []Fault{{Kind: FaultLatency, Rate: 1, Latency: Duration(time.Millisecond)}}})
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusOK {
		t.Errorf("latency fault must still answer: %d", r.status)
	}

	// No limit: Go's transport retries a GET whose connection was dropped.
	must(FaultPlan{Faults: []Fault{{Kind: FaultDrop, Rate: 1}}})
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/services/data/v60.0/limits", nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	if resp, err := f.srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("drop fault: got a response %d, want a closed connection", resp.StatusCode)
	}
}

func TestFaultScope(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if err := f.e.SetFaults(FaultPlan{Faults: []Fault{
		{Kind: FaultUnavailable, Rate: 1, Path: "/services/data/*/limits", Method: "GET"},
	}}); err != nil {
		t.Fatal(err)
	}
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("matching path: %d", r.status)
	}
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/", nil); r.status != http.StatusOK {
		t.Errorf("other path: %d", r.status)
	}
	if err := f.e.SetFaults(FaultPlan{Faults: []Fault{{Kind: FaultUnavailable, Rate: 1, Path: "/services/data/v60.0/**"}}}); err != nil {
		t.Fatal(err)
	}
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("prefix pattern: %d", r.status)
	}
	if r := f.do(t, http.MethodGet, "/services/data/v61.0/limits", nil); r.status != http.StatusOK {
		t.Errorf("outside the prefix: %d", r.status)
	}
}

func TestFaultPlanValidation(t *testing.T) {
	t.Parallel()
	bad := []string{
		`{"faults":[{"kind":"explode","rate":1}]}`,
		`{"faults":[{"kind":"unavailable","rate":1.5}]}`,
		`{"faults":[{"kind":"unavailable","rate":1,"path":"[" }]}`,
		`{"faults":[{"kind":"latency","rate":1}]}`,
		`{"faults":[{"kind":"unavailable","rate":1,"limit":-1}]}`,
	}
	for _, b := range bad {
		var p FaultPlan
		if err := json.Unmarshal([]byte(b), &p); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if err := p.validate(); err == nil {
			t.Errorf("%s: accepted", b)
		}
	}
	var p FaultPlan
	if err := json.Unmarshal([]byte(`{"seed":7,"faults":[{"kind":"latency","rate":0.5,"latency":"250ms"},{"kind":"latency","rate":1,"latency":100}]}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Faults[0].Latency != Duration(250*time.Millisecond) || p.Faults[1].Latency != Duration(100*time.Millisecond) {
		t.Errorf("latencies = %v, %v", p.Faults[0].Latency, p.Faults[1].Latency)
	}
	if err := p.validate(); err != nil {
		t.Error(err)
	}
}
