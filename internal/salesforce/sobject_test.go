package salesforce

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestCRUD(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	bodies := map[string]string{}
	record := func(r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies[r.Method] = string(b)
	}
	o.HandleFunc("POST "+restPath+"/sobjects/Contact", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		writeJSON(w, 201, `{"id":"003D000000QV9n2IAD","success":true,"errors":[]}`)
	})
	o.HandleFunc("GET "+restPath+"/sobjects/Contact/003D000000QV9n2IAD", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("fields"); got != "Id,LastName" {
			t.Errorf("fields = %q", got)
		}
		writeJSON(w, 200, `{"attributes":{"type":"Contact","url":"/x"},"Id":"003D000000QV9n2IAD","LastName":"Smith"}`)
	})
	o.HandleFunc("PATCH "+restPath+"/sobjects/Contact/003D000000QV9n2IAD", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		w.WriteHeader(204)
	})
	o.HandleFunc("DELETE "+restPath+"/sobjects/Contact/003D000000QV9n2IAD", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(204)
	})
	o.HandleFunc("GET "+restPath+"/sobjects/Contact/003D000000GONE", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `[{"errorCode":"ENTITY_IS_DELETED","message":"entity is deleted","fields":[]}]`)
	})
	c := o.client(t, o.config(), nil)
	ctx := t.Context()

	id, err := c.Create(ctx, "Contact", NewRecord("Contact").Set("LastName", "Smith").Set("Email", nil))
	if err != nil || id != "003D000000QV9n2IAD" {
		t.Fatalf("Create = %q, %v", id, err)
	}
	if want := `{"LastName":"Smith","Email":null}`; bodies["POST"] != want {
		t.Errorf("create body = %s, want %s (no attributes)", bodies["POST"], want)
	}
	rec, err := c.Retrieve(ctx, "Contact", id, "Id", "LastName")
	if err != nil || rec.Type != "Contact" || first(rec.String("LastName")) != "Smith" {
		t.Fatalf("Retrieve = %v, %v", rec, err)
	}
	if err := c.Update(ctx, "Contact", id, NewRecord("").Set("LastName", "Jones")); err != nil {
		t.Fatal(err)
	}
	if want := `{"LastName":"Jones"}`; bodies["PATCH"] != want {
		t.Errorf("update body = %s", bodies["PATCH"])
	}
	if err := c.Delete(ctx, "Contact", id); err != nil {
		t.Fatal(err)
	}
	_, err = c.Retrieve(ctx, "Contact", "003D000000GONE")
	if !errors.Is(err, ErrNotFound) || !IsCode(err, CodeEntityIsDeleted) {
		t.Errorf("Retrieve(deleted) = %v", err)
	}
	if _, err := c.Create(ctx, "../limits", nil); err == nil {
		t.Error("bad object name accepted")
	}
}

func TestUpsert(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value      string
		status     int
		body       string
		want       UpsertResult
		wantErr    error
		wantReason string
	}{
		{"new", 201, `{"id":"00190000001pPvHAAU","errors":[],"success":true,"created":true}`, UpsertResult{"00190000001pPvHAAU", true}, nil, ""},
		{"old", 200, `{"id":"00190000001pPvHAAU","errors":[],"success":true,"created":false}`, UpsertResult{"00190000001pPvHAAU", false}, nil, ""},
		{"v45-created", 201, `{"id":"00190000001pPvHAAU","errors":[],"success":true}`, UpsertResult{"00190000001pPvHAAU", true}, nil, ""},
		{"v45-updated", 204, ``, UpsertResult{}, nil, ""},
		{"many", 300, `["/services/data/v23.0/sobjects/Whizbang/foo","/services/data/v23.0/sobjects/Whizbang/bar"]`, UpsertResult{}, ErrMultipleMatches, ""},
		{"a/b c", 404, `[{"message":"Provided external ID field does not exist or is not accessible: Namez","errorCode":"NOT_FOUND"}]`, UpsertResult{}, ErrNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			t.Parallel()
			o := newOrg(t)
			o.HandleFunc("PATCH "+restPath+"/sobjects/Account/Ext__c/{value}", func(w http.ResponseWriter, r *http.Request) {
				if got := r.PathValue("value"); got != tt.value {
					t.Errorf("value in path = %q, want %q", got, tt.value)
				}
				if tt.status == 204 {
					w.WriteHeader(204)
					return
				}
				writeJSON(w, tt.status, tt.body)
			})
			c := o.client(t, o.config(), nil)
			got, err := c.Upsert(t.Context(), "Account", "Ext__c", tt.value, NewRecord("").Set("Name", "Acme"))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Upsert = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestUpdatedAndDeleted(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	check := func(r *http.Request) {
		if s, e := r.URL.Query().Get("start"), r.URL.Query().Get("end"); s != "2013-05-06T00:00:00+00:00" || e != "2013-05-08T21:20:00+00:00" {
			t.Errorf("start, end = %q, %q", s, e)
		}
	}
	// restforce get_updated_success_response.json / get_deleted_success_response.json shapes.
	o.HandleFunc("GET "+restPath+"/sobjects/Whizbang__c/updated/", func(w http.ResponseWriter, r *http.Request) {
		check(r)
		writeJSON(w, 200, `{"ids":["a00D0000008pQR5IAM","a00D0000008pQRGIA2"],"latestDateCovered":"2013-05-08T21:20:00.000+0000"}`)
	})
	o.HandleFunc("GET "+restPath+"/sobjects/Whizbang__c/deleted/", func(w http.ResponseWriter, r *http.Request) {
		check(r)
		writeJSON(w, 200, `{"deletedRecords":[{"id":"a00D0000008pQRAIA2","deletedDate":"2013-05-07T22:07:19.000+0000"}],"earliestDateAvailable":"2013-05-03T15:57:00.000+0000","latestDateCovered":"2013-05-08T21:20:00.000+0000"}`)
	})
	c := o.client(t, o.config(), nil)
	start := time.Date(2013, 5, 6, 2, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	end := time.Date(2013, 5, 8, 21, 20, 0, 0, time.UTC)
	up, err := c.Updated(t.Context(), "Whizbang__c", start, end)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(up.IDs) != "[a00D0000008pQR5IAM a00D0000008pQRGIA2]" || !up.LatestDateCovered.Equal(end) {
		t.Errorf("Updated = %+v", up)
	}
	del, err := c.Deleted(t.Context(), "Whizbang__c", start, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(del.Records) != 1 || del.Records[0].ID != "a00D0000008pQRAIA2" ||
		!del.Records[0].DeletedDate.Equal(time.Date(2013, 5, 7, 22, 7, 19, 0, time.UTC)) ||
		!del.EarliestDateAvailable.Equal(time.Date(2013, 5, 3, 15, 57, 0, 0, time.UTC)) {
		t.Errorf("Deleted = %+v", del)
	}
	if _, err := c.Updated(t.Context(), "Whizbang__c", end, start); err == nil {
		t.Error("end before start accepted")
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	o.HandleFunc("GET "+restPath+"/limits/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"DailyApiRequests":{"Max":15000,"Remaining":14999,"Salesforce CLI":{"Max":0,"Remaining":0}},"DailyBulkV2QueryJobs":{"Max":10000,"Remaining":10000}}`)
	})
	c := o.client(t, o.config(), nil)
	l, err := c.Limits(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if l["DailyApiRequests"] != (Limit{15000, 14999}) || l["DailyBulkV2QueryJobs"].Max != 10000 {
		t.Errorf("Limits = %+v", l)
	}
}

func TestComposite(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	o.HandleFunc("POST "+restPath+"/composite", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			AllOrNone        bool `json:"allOrNone"`
			CompositeRequest []struct {
				Method      string         `json:"method"`
				URL         string         `json:"url"`
				ReferenceID string         `json:"referenceId"`
				Body        map[string]any `json:"body"`
			} `json:"compositeRequest"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Fatal(err)
		}
		if !req.AllOrNone || len(req.CompositeRequest) != 2 || req.CompositeRequest[0].URL != restPath+"/sobjects/Account" ||
			req.CompositeRequest[1].Body["AccountId"] != "@{refAccount.id}" {
			t.Errorf("composite request = %+v", req)
		}
		writeJSON(w, 200, `{"compositeResponse":[
		 {"body":{"id":"001R00000064wdtIAA","success":true,"errors":[]},"httpHeaders":{"Location":"/services/data/v62.0/sobjects/Account/001R00000064wdtIAA"},"httpStatusCode":201,"referenceId":"refAccount"},
		 {"body":[{"errorCode":"PROCESSING_HALTED","message":"The transaction was rolled back since another operation in the same transaction failed."}],"httpHeaders":{},"httpStatusCode":400,"referenceId":"refContact"}]}`)
	})
	c := o.client(t, o.config(), nil)
	resps, err := c.Composite(t.Context(), CompositeRequest{AllOrNone: true, Subrequests: []Subrequest{
		{Method: "POST", URL: "/sobjects/Account", ReferenceID: "refAccount", Body: NewRecord("").Set("Name", "Acme")},
		{Method: "POST", URL: restPath + "/sobjects/Contact", ReferenceID: "refContact", Body: map[string]string{"LastName": "Smith", "AccountId": "@{refAccount.id}"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID string }
	if err := resps[0].Decode(&created); err != nil || created.ID != "001R00000064wdtIAA" || resps[0].Headers["Location"] == "" {
		t.Errorf("first subresponse = %+v, %v", resps[0], err)
	}
	err = resps[1].Err()
	if ae, ok := errors.AsType[*APIError](err); !ok || ae.Status != 400 || ae.Path != restPath+"/sobjects/Contact" || !IsTransient(err) {
		t.Errorf("second subresponse error = %v", err)
	}
	if err := resps[1].Decode(&created); err == nil {
		t.Error("Decode of a failed subresponse returned no error")
	}
}

func TestCompositeValidation(t *testing.T) {
	t.Parallel()
	sub := func(ref string) Subrequest { return Subrequest{Method: "GET", URL: "/limits", ReferenceID: ref} }
	many := make([]Subrequest, MaxSubrequests+1)
	for i := range many {
		many[i] = sub(fmt.Sprintf("r%d", i))
	}
	tests := []struct {
		name string
		req  CompositeRequest
		ok   bool
	}{
		{"ok", CompositeRequest{Subrequests: []Subrequest{sub("a"), sub("b_2")}}, true},
		{"max", CompositeRequest{Subrequests: many[:MaxSubrequests]}, true},
		{"empty", CompositeRequest{}, false},
		{"too many", CompositeRequest{Subrequests: many}, false},
		{"duplicate ref", CompositeRequest{Subrequests: []Subrequest{sub("a"), sub("a")}}, false},
		{"bad ref", CompositeRequest{Subrequests: []Subrequest{sub("1a")}}, false},
		{"bad method", CompositeRequest{Subrequests: []Subrequest{{Method: "get", URL: "/x", ReferenceID: "a"}}}, false},
		{"relative URL", CompositeRequest{Subrequests: []Subrequest{{Method: "GET", URL: "limits", ReferenceID: "a"}}}, false},
		{"forbidden header", CompositeRequest{Subrequests: []Subrequest{{Method: "GET", URL: "/x", ReferenceID: "a", Headers: map[string]string{"Authorization": "x"}}}}, false},
	}
	for _, tt := range tests {
		if err := checkComposite(tt.req); (err == nil) != tt.ok {
			t.Errorf("%s: checkComposite = %v", tt.name, err)
		}
	}
}
