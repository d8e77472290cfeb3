package salesforce

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// collectionOrg answers collection writes: record i of a request fails with
// DUPLICATES_DETECTED when its Name starts with "dup", and the request
// number failRequest (from 1) fails whole with REQUEST_LIMIT_EXCEEDED.
func collectionOrg(t *testing.T, method, path string, failRequest int64) (*org, *[]int) {
	o := newOrg(t)
	var n atomic.Int64
	sizes := new([]int)
	o.HandleFunc(method+" "+path, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == failRequest {
			writeJSON(w, 403, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`)
			return
		}
		var body struct {
			AllOrNone bool
			Records   []json.RawMessage
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if !body.AllOrNone {
			t.Error("allOrNone not sent")
		}
		*sizes = append(*sizes, len(body.Records))
		results := make([]string, len(body.Records))
		for i, raw := range body.Records {
			var rec Record
			if err := json.Unmarshal(raw, &rec); err != nil {
				t.Fatal(err)
			}
			if rec.Type == "" {
				t.Errorf("record without attributes.type: %s", raw)
			}
			name, _ := rec.String("Name")
			id := "001" + strings.Repeat("0", 10) + strings.TrimPrefix(name, "n")
			created := `,"created":true`
			if strings.HasPrefix(name, "old") {
				created = `,"created":false`
			}
			results[i] = fmt.Sprintf(`{"id":%q,"success":true,"errors":[]%s}`, id, created)
			if strings.HasPrefix(name, "dup") {
				results[i] = `{"success":false,"errors":[{"statusCode":"DUPLICATES_DETECTED","message":"Use one of these records?","fields":[]}]}`
			}
		}
		writeJSON(w, 200, "["+strings.Join(results, ",")+"]")
	})
	return o, sizes
}

func TestCreateManyMapsResultsToInputs(t *testing.T) {
	t.Parallel()
	o, sizes := collectionOrg(t, "POST", restPath+"/composite/sobjects", 0)
	c := o.client(t, o.config(), nil)
	records := make([]*Record, 450)
	for i := range records {
		name := fmt.Sprintf("n%05d", i)
		if i%100 == 7 {
			name = "dup"
		}
		typ := "Account"
		if i%2 == 1 {
			typ = "Contact" // mixed types in one request are allowed
		}
		records[i] = NewRecord(typ).Set("Name", name)
	}
	results, err := c.CreateMany(t.Context(), records, true)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(*sizes) != "[200 200 50]" {
		t.Errorf("request sizes = %v, want chunks of %d", *sizes, MaxCollectionSize)
	}
	if len(results) != len(records) {
		t.Fatalf("%d results for %d records", len(results), len(records))
	}
	for i, r := range results {
		if i%100 == 7 {
			if !IsCode(r.Err, "DUPLICATES_DETECTED") || r.ID != "" {
				t.Errorf("result %d = %+v, want DUPLICATES_DETECTED", i, r)
			}
			continue
		}
		if want := fmt.Sprintf("001%010d%05d", 0, i); r.Err != nil || r.ID != want {
			t.Errorf("result %d = %+v, want id %s", i, r, want)
		}
	}
}

func TestCollectionRequestFailureStops(t *testing.T) {
	t.Parallel()
	o, sizes := collectionOrg(t, "PATCH", restPath+"/composite/sobjects", 2)
	c := o.client(t, o.config(), nil)
	records := make([]*Record, 500)
	for i := range records {
		records[i] = NewRecord("Account").Set("Id", fmt.Sprintf("001%015d", i)).Set("Name", fmt.Sprintf("n%d", i))
	}
	results, err := c.UpdateMany(t.Context(), records, true)
	if !errors.Is(err, ErrLimitExceeded) {
		t.Fatalf("err = %v, want ErrLimitExceeded", err)
	}
	if !strings.Contains(err.Error(), "updating records 200-399") {
		t.Errorf("err = %q does not say which records the failed request held", err)
	}
	if len(results) != 500 {
		t.Fatalf("%d results", len(results))
	}
	for i, r := range results {
		if (i < 200) != (r.Err == nil) {
			t.Errorf("result %d = %+v", i, r)
		}
		if i >= 200 && !errors.Is(r.Err, ErrLimitExceeded) {
			t.Errorf("result %d err = %v, want the request's error", i, r.Err)
		}
	}
	if fmt.Sprint(*sizes) != "[200]" || c.Calls().API() != 2 {
		t.Errorf("sizes %v after %d calls: the third request must not be sent", *sizes, c.Calls().API())
	}
}

func TestUpsertMany(t *testing.T) {
	t.Parallel()
	o, _ := collectionOrg(t, "PATCH", restPath+"/composite/sobjects/Account/Ext_Id__c", 0)
	c := o.client(t, o.config(), nil)
	in := []*Record{
		NewRecord("").Set("Ext_Id__c", "A-1").Set("Name", "n1"),
		NewRecord("").Set("Ext_Id__c", "A-2").Set("Name", "old2"),
	}
	results, err := c.UpsertMany(t.Context(), "Account", "Ext_Id__c", in, true)
	if err != nil {
		t.Fatal(err)
	}
	if !results[0].Created || results[1].Created || results[1].Err != nil {
		t.Errorf("results = %+v, want created then updated", results)
	}
	if in[0].Type != "" {
		t.Error("UpsertMany modified its input")
	}
	_, err = c.UpsertMany(t.Context(), "Account", "Ext_Id__c", []*Record{NewRecord("").Set("Name", "x"), nil}, true)
	if err == nil || !strings.Contains(err.Error(), "record 0 has no Ext_Id__c value") || !strings.Contains(err.Error(), "record 1 is nil") {
		t.Errorf("invalid input: %v", err)
	}
}

func TestCollectionInputValidation(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	c := o.client(t, o.config(), nil)
	_, err := c.CreateMany(t.Context(), []*Record{NewRecord("").Set("Name", "x"), NewRecord("Bad Type")}, false)
	if err == nil || !strings.Contains(err.Error(), "record 0 has no sObject type") || !strings.Contains(err.Error(), "record 1") {
		t.Errorf("CreateMany = %v", err)
	}
	_, err = c.UpdateMany(t.Context(), []*Record{NewRecord("Account").Set("Name", "x")}, false)
	if err == nil || !strings.Contains(err.Error(), "record 0 has no Id") {
		t.Errorf("UpdateMany = %v", err)
	}
	if _, err := c.RetrieveMany(t.Context(), "Account", []string{"001"}, nil); err == nil {
		t.Error("RetrieveMany without fields accepted")
	}
	if o.hits.Load() != 0 {
		t.Error("invalid input reached Salesforce")
	}
}

func TestDeleteAndRetrieveMany(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	var deletes []string
	o.HandleFunc("DELETE "+restPath+"/composite/sobjects", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("allOrNone") != "false" {
			t.Errorf("allOrNone = %q", r.URL.Query().Get("allOrNone"))
		}
		ids := strings.Split(r.URL.Query().Get("ids"), ",")
		deletes = append(deletes, fmt.Sprint(len(ids)))
		res := make([]string, len(ids))
		for i, id := range ids {
			res[i] = fmt.Sprintf(`{"id":%q,"success":true,"errors":[]}`, id)
			if id == "001gone" {
				res[i] = `{"success":false,"errors":[{"statusCode":"ENTITY_IS_DELETED","message":"entity is deleted","fields":[]}]}`
			}
		}
		writeJSON(w, 200, "["+strings.Join(res, ",")+"]")
	})
	var retrieves []int
	o.HandleFunc("POST "+restPath+"/composite/sobjects/Account", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ IDs, Fields []string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(body.Fields) != "[Id Name]" {
			t.Errorf("fields = %v", body.Fields)
		}
		retrieves = append(retrieves, len(body.IDs))
		res := make([]string, len(body.IDs))
		for i, id := range body.IDs {
			res[i] = fmt.Sprintf(`{"attributes":{"type":"Account","url":"/x/%s"},"Id":%q,"Name":"A"}`, id, id)
			if id == "001gone" {
				res[i] = "null"
			}
		}
		writeJSON(w, 200, "["+strings.Join(res, ",")+"]")
	})
	c := o.client(t, o.config(), nil)
	ids := make([]string, 2100)
	for i := range ids {
		ids[i] = fmt.Sprintf("001%015d", i)
	}
	ids[5] = "001gone"
	results, err := c.DeleteMany(t.Context(), ids[:250], false)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(deletes) != "[200 50]" || !IsCode(results[5].Err, CodeEntityIsDeleted) || results[6].ID != ids[6] {
		t.Errorf("deletes %v, results[5] = %+v, results[6] = %+v", deletes, results[5], results[6])
	}
	recs, err := c.RetrieveMany(t.Context(), "Account", ids, []string{"Id", "Name"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(retrieves) != "[2000 100]" || len(recs) != 2100 || recs[5] != nil || recs[2099].ID() != ids[2099] {
		t.Errorf("retrieves %v, %d records, recs[5] = %v", retrieves, len(recs), recs[5])
	}
}
