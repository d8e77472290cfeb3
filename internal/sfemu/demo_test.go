package sfemu

import (
	"net/http"
	"net/url"
	"testing"
)

// TestDemoSeed drives the demo org over HTTP: it has the records the seed
// promises, and they query.
func TestDemoSeed(t *testing.T) {
	t.Parallel()
	f := setup(t, withOptions(func(o *Options) { o.Seed = "demo" }))
	counts := f.e.world().org.RecordCounts()
	for _, obj := range []string{"Account", "Contact", "Lead", "Opportunity"} {
		if counts[obj] == 0 {
			t.Errorf("the demo seed has no %s records: %v", obj, counts)
		}
	}
	r := f.do(t, http.MethodGet, "/services/data/v60.0/query?q="+url.QueryEscape("SELECT COUNT() FROM Account"), nil)
	var page queryPage
	r.decode(t, &page)
	if r.status != http.StatusOK || page.TotalSize != counts["Account"] {
		t.Errorf("COUNT(): %d %s, want %d", r.status, r.body, counts["Account"])
	}
}
