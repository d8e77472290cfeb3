package salesforce

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestDescribeFixturesGolden decodes recorded describes and renders what
// sfbridge reads of each field.
func TestDescribeFixturesGolden(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"account", "event", "lead"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var d SObjectDescribe
			if err := json.Unmarshal(readFile(t, "fixtures/"+name+"-describe.json"), &d); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			fmt.Fprintf(&b, "%s %q prefix=%s custom=%t createable=%t updateable=%t queryable=%t replicateable=%t fields=%d children=%d\n",
				d.Name, d.Label, d.KeyPrefix, d.Custom, d.Createable, d.Updateable, d.Queryable, d.Replicateable, len(d.Fields), len(d.ChildRelationships))
			for _, f := range d.Fields {
				flags := ""
				for flag, on := range map[string]bool{"required": f.Required(), "externalId": f.ExternalID, "idLookup": f.IDLookup,
					"calculated": f.Calculated, "nillable": f.Nillable, "createable": f.Createable, "updateable": f.Updateable} {
					if on {
						flags += " " + flag
					}
				}
				fmt.Fprintf(&b, "  %s %s(%d)%s", f.Name, f.Type, f.Length, sortedFlags(flags))
				if len(f.ReferenceTo) > 0 {
					fmt.Fprintf(&b, " -> %s", strings.Join(f.ReferenceTo, "|"))
					if f.RelationshipName != nil {
						fmt.Fprintf(&b, " as %s", *f.RelationshipName)
					}
				}
				if len(f.PicklistValues) > 0 {
					fmt.Fprintf(&b, " picklist=%d", len(f.PicklistValues))
				}
				b.WriteString("\n")
			}
			golden(t, "describe/"+name+".golden", b.String())
			if f := d.Field("NAME"); name != "event" && (f == nil || f.Name != "Name") {
				t.Errorf("Field(NAME) = %+v, want the Name field (case-insensitive lookup)", f)
			}
			if d.Field("NoSuchField__c") != nil {
				t.Error("Field found a field that does not exist")
			}
		})
	}
}

// sortedFlags orders the space-separated flags so the golden output is stable.
func sortedFlags(s string) string {
	fs := strings.Fields(s)
	if len(fs) == 0 {
		return ""
	}
	slices.Sort(fs)
	return " [" + strings.Join(fs, " ") + "]"
}

func TestDescribeCache(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	account := readFile(t, "fixtures/account-describe.json")
	const lastModified = "Wed, 01 Jan 2025 10:00:00 GMT"
	var gets, conditional atomic.Int64
	release := make(chan struct{})
	o.HandleFunc("GET "+restPath+"/sobjects/Account/describe/", func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		if ims := r.Header.Get("If-Modified-Since"); ims != "" {
			conditional.Add(1)
			if ims != lastModified {
				t.Errorf("If-Modified-Since = %q, want the Last-Modified sent before", ims)
			}
			w.WriteHeader(http.StatusNotModified)
			return
		}
		<-release // hold the first fetch until every concurrent caller asked
		w.Header().Set("Last-Modified", lastModified)
		writeJSON(w, 200, string(account))
	})
	c := o.client(t, o.config(), nil)
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	var clock sync.Mutex
	c.now = func() time.Time { clock.Lock(); defer clock.Unlock(); return now }

	// Concurrent first calls share one request.
	const callers = 8
	results := make([]*SObjectDescribe, callers)
	var wg sync.WaitGroup
	var started sync.WaitGroup
	started.Add(callers)
	for i := range callers {
		wg.Go(func() {
			started.Done()
			d, err := c.Describe(t.Context(), "Account")
			if err != nil {
				t.Error(err)
			}
			results[i] = d
		})
	}
	started.Wait()
	close(release)
	wg.Wait()
	if gets.Load() != 1 {
		t.Fatalf("%d concurrent describes sent %d requests, want 1", callers, gets.Load())
	}
	first := results[0]
	for _, d := range results {
		if d != first {
			t.Fatalf("callers got different describes")
		}
	}
	if first.Name != "Account" || first.Field("Name") == nil {
		t.Fatalf("describe = %s with %d fields", first.Name, len(first.Fields))
	}
	fetched := gets.Load()

	// Fresh: served from the cache, also under another spelling.
	if d, err := c.Describe(t.Context(), "account"); err != nil || d != first {
		t.Fatalf("cached Describe = %p, %v", d, err)
	}
	if gets.Load() != fetched {
		t.Errorf("a fresh describe was fetched again")
	}

	// Stale: revalidated with If-Modified-Since; 304 keeps the value.
	clock.Lock()
	now = now.Add(DefaultDescribeTTL + time.Second)
	clock.Unlock()
	d, err := c.Describe(t.Context(), "Account")
	if err != nil || d != first {
		t.Fatalf("revalidated Describe = %p, %v", d, err)
	}
	if conditional.Load() != 1 {
		t.Errorf("conditional requests = %d, want 1", conditional.Load())
	}
	// And fresh again after the 304.
	if _, err := c.Describe(t.Context(), "Account"); err != nil || conditional.Load() != 1 || gets.Load() != fetched+1 {
		t.Errorf("after 304: gets=%d conditional=%d err=%v", gets.Load(), conditional.Load(), err)
	}

	if _, err := c.Describe(t.Context(), "Account/../x"); err == nil {
		t.Error("a path in the object name was accepted")
	}
}

func TestDescribeGlobal(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	// restforce spec/fixtures/sobject/describe_sobjects_success_response.json shape.
	o.HandleFunc("GET "+restPath+"/sobjects/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"encoding":"UTF-8","maxBatchSize":200,"sobjects":[{"name":"Account","label":"Account","labelPlural":"Accounts",
		 "keyPrefix":"001","custom":false,"customSetting":false,"createable":true,"updateable":true,"deletable":true,
		 "queryable":true,"retrieveable":true,"replicateable":true,"searchable":true,"triggerable":true,"undeletable":true,
		 "mergeable":true,"layoutable":true,"activateable":false,"feedEnabled":true,"deprecatedAndHidden":false,
		 "urls":{"sobject":"/services/data/v23.0/sobjects/Account"}}]}`)
	})
	cfg := o.config()
	cfg.DescribeTTL = -1 // no caching: every call fetches
	c := o.client(t, cfg, nil)
	for range 2 {
		g, err := c.DescribeGlobal(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if g.MaxBatchSize != 200 || len(g.SObjects) != 1 || g.SObject("account") == nil || g.SObject("account").KeyPrefix != "001" {
			t.Errorf("DescribeGlobal = %+v", g)
		}
	}
	if got := c.Calls().API(); got != 2 {
		t.Errorf("API calls = %d, want 2 with caching off", got)
	}
}

func TestDescribeNotFound(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	o.HandleFunc("GET "+restPath+"/sobjects/Nope__c/describe/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]`)
	})
	c := o.client(t, o.config(), nil)
	_, err := c.Describe(t.Context(), "Nope__c")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "describing Nope__c") {
		t.Errorf("Describe(Nope__c) = %v, want ErrNotFound saying what was described", err)
	}
}
