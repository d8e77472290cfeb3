package salesforce_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
)

// emuOrg is a demo org with the admin logged in, retrying fast.
type emuOrg struct {
	*sfemutest.Org
	admin   *salesforce.Client
	retries int // retries the admin's client made
}

func startOrg(t *testing.T) *emuOrg {
	t.Helper()
	o := &emuOrg{Org: sfemutest.Start(t, sfemu.Options{Seed: "demo"})}
	cfg := o.Config()
	cfg.Retry = salesforce.RetryPolicy{MaxAttempts: 3, Base: time.Millisecond, Cap: time.Millisecond,
		OnRetry: func(salesforce.RetryEvent) { o.retries++ }}
	o.admin = o.ConnectWith(t, cfg, sfemutest.Admin)
	return o
}

// types returns the distinct Record.Type of recs, in order of appearance.
func types(recs []*salesforce.Record) []string {
	var out []string
	for _, r := range recs {
		if !slices.Contains(out, r.Type) {
			out = append(out, r.Type)
		}
	}
	return out
}

// firstRecord returns the first record soql selects.
func firstRecord(t *testing.T, c *salesforce.Client, soql string) *salesforce.Record {
	t.Helper()
	for r, err := range c.Query(context.Background(), soql) {
		if err != nil {
			t.Fatalf("%s: %v", soql, err)
		}
		return r
	}
	t.Fatalf("%s: no record", soql)
	return nil
}

func TestSearch(t *testing.T) {
	o := startOrg(t)
	ctx := context.Background()
	acct := firstRecord(t, o.admin, "SELECT Id, Name FROM Account ORDER BY Id")
	name, _ := acct.String("Name")
	word := strings.Fields(name)[0]

	tests := []struct {
		name       string
		apiVersion string // "" for the default
		sosl       string
		allowTypes []string // of the records found; empty: none may be found
		wantID     string   // a record that must be found
		wantCode   string   // Salesforce's error code, when it refuses
	}{
		{"returning fields", "", "FIND {" + word + "} IN NAME FIELDS RETURNING Account(Id, Name ORDER BY Id LIMIT 5)", []string{"Account"}, acct.ID(), ""},
		{"several objects", "", "FIND {" + word + "} RETURNING Contact(Id), Account(Id, Name)", []string{"Contact", "Account"}, acct.ID(), ""},
		{"bare array before v36", "35.0", "FIND {" + word + "} RETURNING Account(Id, Name)", []string{"Account"}, acct.ID(), ""},
		{"nothing found", "", "FIND {zzqqxxnothing} RETURNING Account(Id)", []string{}, "", ""},
		{"no braces", "", "FIND Acme RETURNING Account", nil, "", "MALFORMED_SEARCH"},
		{"unknown object", "", "FIND {" + word + "} RETURNING Nope__c(Id)", nil, "", "INVALID_TYPE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := o.admin
			if tt.apiVersion != "" {
				cfg := o.Config()
				cfg.APIVersion = tt.apiVersion
				c = o.ConnectWith(t, cfg, sfemutest.Admin)
			}
			before := c.Calls().API()
			recs, err := c.Search(ctx, tt.sosl)
			if n := c.Calls().API() - before; n != 1 {
				t.Errorf("%d API calls, want 1", n)
			}
			if tt.wantCode != "" {
				ae, ok := errors.AsType[*salesforce.APIError](err)
				if !ok || ae.Code() != tt.wantCode || ae.Status != 400 {
					t.Fatalf("Search = %v, want a 400 %s *APIError", err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if !slices.Contains(tt.allowTypes, r.Type) {
					t.Errorf("found a record of %q (attributes.type), want only %v", r.Type, tt.allowTypes)
				}
			}
			if tt.wantID != "" && !slices.ContainsFunc(recs, func(r *salesforce.Record) bool { return r.ID() == tt.wantID }) {
				t.Errorf("%s not found among %d records", tt.wantID, len(recs))
			}
		})
	}
	if o.admin.Budget().LastSeen().IsZero() {
		t.Error("searches did not report the API usage to the budget")
	}
}

func TestSearchRefusedBeforeSending(t *testing.T) {
	o := startOrg(t)
	for _, sosl := range []string{"", "  ", "FIND {x} RETURNING " + strings.Repeat("Account(Id), ", 1000) + "Contact"} {
		before := o.admin.Calls().API()
		if _, err := o.admin.Search(context.Background(), sosl); err == nil {
			t.Errorf("Search(%.40q): no error", sosl)
		}
		if n := o.admin.Calls().API() - before; n != 0 {
			t.Errorf("Search(%.40q) sent %d calls", sosl, n)
		}
	}
}

func TestParameterizedSearch(t *testing.T) {
	o := startOrg(t)
	ctx := context.Background()
	contact := firstRecord(t, o.admin, "SELECT Id, LastName, Email FROM Contact WHERE Email != null ORDER BY Id")
	last, _ := contact.String("LastName")
	email, _ := contact.String("Email")
	var quokkas []json.RawMessage
	for i := range 5 {
		quokkas = append(quokkas, json.RawMessage(fmt.Sprintf(`{"Name":"Quokka Holdings %d"}`, i)))
	}
	if _, err := o.Emu.Insert(ctx, "Account", quokkas); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		req        salesforce.SearchRequest
		wantTypes  []string
		wantFields []string // of the first record
		maxRecords int      // 0: no bound checked
		wantFound  bool     // contact is among the records
	}{
		{"object fields", salesforce.SearchRequest{Q: last, SObjects: []salesforce.SearchObject{{Name: "Contact", Fields: []string{"Id", "LastName", "Email"}}}},
			[]string{"Contact"}, []string{"Id", "LastName", "Email"}, 0, true},
		{"global fields", salesforce.SearchRequest{Q: last, Fields: []string{"Id", "Name"}, SObjects: []salesforce.SearchObject{{Name: "Contact"}}},
			[]string{"Contact"}, []string{"Id", "Name"}, 0, true},
		{"in email fields", salesforce.SearchRequest{Q: email, In: "EMAIL", SObjects: []salesforce.SearchObject{{Name: "Contact", Fields: []string{"Id"}}, {Name: "Account", Fields: []string{"Id"}}}},
			[]string{"Contact"}, []string{"Id"}, 0, true},
		{"where", salesforce.SearchRequest{Q: last, SObjects: []salesforce.SearchObject{{Name: "Contact", Fields: []string{"Id"}, Where: "Id != '" + contact.ID() + "'"}}},
			nil, nil, 0, false},
		{"object limit", salesforce.SearchRequest{Q: "quokka", SObjects: []salesforce.SearchObject{{Name: "Account", Fields: []string{"Id"}, Limit: 2}}},
			[]string{"Account"}, []string{"Id"}, 2, false},
		{"overall limit", salesforce.SearchRequest{Q: "quokka", OverallLimit: 3, SObjects: []salesforce.SearchObject{{Name: "Account", Fields: []string{"Id"}}, {Name: "Contact", Fields: []string{"Id"}}}},
			nil, []string{"Id"}, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := o.admin.Calls().API()
			recs, err := o.admin.ParameterizedSearch(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if n := o.admin.Calls().API() - before; n != 1 {
				t.Errorf("%d API calls, want 1", n)
			}
			if tt.wantTypes != nil && !slices.Equal(types(recs), tt.wantTypes) {
				t.Errorf("types %v, want %v", types(recs), tt.wantTypes)
			}
			if tt.maxRecords > 0 && (len(recs) == 0 || len(recs) > tt.maxRecords) {
				t.Errorf("%d records, want 1 to %d", len(recs), tt.maxRecords)
			}
			if found := slices.ContainsFunc(recs, func(r *salesforce.Record) bool { return r.ID() == contact.ID() }); found != tt.wantFound {
				t.Errorf("contact found = %t, want %t", found, tt.wantFound)
			}
			if tt.wantFields != nil && len(recs) > 0 && !slices.Equal(recs[0].Names(), tt.wantFields) {
				t.Errorf("fields %v, want %v", recs[0].Names(), tt.wantFields)
			}
		})
	}
}

func TestParameterizedSearchRefusedBeforeSending(t *testing.T) {
	o := startOrg(t)
	one := []salesforce.SearchObject{{Name: "Account"}}
	for _, tc := range []struct {
		name string
		req  salesforce.SearchRequest
		want string // in the message
	}{
		{"no term", salesforce.SearchRequest{Q: " ", SObjects: one}, "q is empty"},
		{"bad scope", salesforce.SearchRequest{Q: "acme", In: "BODY"}, `in "BODY"`},
		{"bad object", salesforce.SearchRequest{Q: "acme", SObjects: []salesforce.SearchObject{{Name: "Account/../x"}}}, "sobjects[0]"},
		{"object limit", salesforce.SearchRequest{Q: "acme", SObjects: []salesforce.SearchObject{{Name: "Account", Limit: 2001}}}, "limit 2001"},
		{"overall limit", salesforce.SearchRequest{Q: "acme", OverallLimit: -1}, "overallLimit -1"},
	} {
		before := o.admin.Calls().API()
		_, err := o.admin.ParameterizedSearch(context.Background(), tc.req)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
		if n := o.admin.Calls().API() - before; n != 0 {
			t.Errorf("%s: sent %d calls", tc.name, n)
		}
	}
}

// TestSearchAndListViewsThroughRequestLoop checks that every new call goes
// through the client's request loop: a 503 is retried, an expired session
// renewed, and each attempt counted.
func TestSearchAndListViewsThroughRequestLoop(t *testing.T) {
	o := startOrg(t)
	ctx := context.Background()
	var viewID string
	for v, err := range o.admin.ListViews(ctx, "Contact") {
		if err != nil {
			t.Fatal(err)
		}
		viewID = v.ID
		break
	}
	calls := []struct {
		name, path string
		run        func() error
	}{
		{"Search", "/services/data/*/search/", func() error {
			_, err := o.admin.Search(ctx, "FIND {Acme} RETURNING Account(Id)")
			return err
		}},
		{"ParameterizedSearch", "/services/data/*/parameterizedSearch/", func() error {
			_, err := o.admin.ParameterizedSearch(ctx, salesforce.SearchRequest{Q: "Acme"})
			return err
		}},
		{"ListViews", "/services/data/*/sobjects/Contact/listviews", func() error {
			for _, err := range o.admin.ListViews(ctx, "Contact") {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{"ListViewDescribe", "/services/data/*/sobjects/Contact/listviews/*/describe", func() error {
			_, err := o.admin.ListViewDescribe(ctx, "Contact", viewID)
			return err
		}},
		{"ListViewResults", "/services/data/*/sobjects/Contact/listviews/*/results", func() error {
			_, err := o.admin.ListViewResults(ctx, "Contact", viewID, 3, 0)
			return err
		}},
	}
	for _, kind := range []sfemu.FaultKind{sfemu.FaultUnavailable, sfemu.FaultExpireSession} {
		for _, c := range calls {
			t.Run(string(kind)+"/"+c.name, func(t *testing.T) {
				if err := o.Emu.SetFaults(sfemu.FaultPlan{Seed: 1, Faults: []sfemu.Fault{{Kind: kind, Rate: 1, Path: c.path, Limit: 1}}}); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = o.Emu.SetFaults(sfemu.FaultPlan{}) })
				retries, calls, auths := o.retries, o.admin.Calls().API(), o.admin.Calls().Auth()
				if err := c.run(); err != nil {
					t.Fatalf("after one %s: %v", kind, err)
				}
				if n := o.admin.Calls().API() - calls; n != 2 {
					t.Errorf("%d API calls, want 2 (the failed one and its repeat)", n)
				}
				wantRetries, wantAuths := 1, int64(0)
				if kind == sfemu.FaultExpireSession {
					wantRetries, wantAuths = 0, 1
				}
				if o.retries-retries != wantRetries || o.admin.Calls().Auth()-auths != wantAuths {
					t.Errorf("%d retries and %d renewals, want %d and %d", o.retries-retries, o.admin.Calls().Auth()-auths, wantRetries, wantAuths)
				}
			})
		}
	}
}
