package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	gosf "github.com/k-capehart/go-salesforce/v3"

	"github.com/sfbridge/sfbridge/internal/sfemu"
)

// TestGoSalesforce drives github.com/k-capehart/go-salesforce/v3, unchanged,
// against the emulator.
func TestGoSalesforce(t *testing.T) {
	url := startEmulator(t)
	sf, err := gosf.Init(gosf.Creds{
		Domain:         url,
		Username:       "admin@example.com",
		Password:       "sfbridge",
		SecurityToken:  sfemu.SecurityToken,
		ConsumerKey:    "sfbridge-dev",
		ConsumerSecret: "sfbridge-dev-secret",
	})
	if err != nil {
		t.Fatalf("login with the username-password flow: %v", err)
	}
	if !strings.HasPrefix(sf.GetAccessToken(), "00D") || sf.GetInstanceUrl() == "" {
		t.Fatalf("token %q... at instance %q: want an org-prefixed token and an instance URL", sf.GetAccessToken()[:5], sf.GetInstanceUrl())
	}

	type account struct {
		Id        string `json:",omitempty"`
		Name      string `json:",omitempty"`
		Industry  string `json:",omitempty"`
		Ext_Id__c string `json:",omitempty"` //nolint:revive // Salesforce's field name
	}
	var accountID string
	t.Run("insert, query, update", func(t *testing.T) {
		res, err := sf.InsertOne("Account", account{Name: "Go Conformance", Industry: "Banking"})
		if err != nil || !res.Success || !strings.HasPrefix(res.Id, "001") || len(res.Id) != 18 {
			t.Fatalf("InsertOne = %+v, %v", res, err)
		}
		accountID = res.Id
		// go-salesforce sends a struct's zero fields too, and Salesforce
		// takes "" as null (so Name would be cleared): update through a map.
		if err := sf.UpdateOne("Account", map[string]any{"Id": accountID, "Industry": "Energy"}); err != nil {
			t.Fatalf("UpdateOne: %v", err)
		}
		var got []account
		if err := sf.Query("SELECT Id, Name, Industry FROM Account WHERE Id = '"+accountID+"'", &got); err != nil {
			t.Fatalf("Query: %v", err)
		}
		if len(got) != 1 || got[0].Name != "Go Conformance" || got[0].Industry != "Energy" {
			t.Fatalf("Query = %+v, want the updated account", got)
		}
	})

	t.Run("upsert by external ID", func(t *testing.T) {
		first, err := sf.UpsertOne("Account", "Ext_Id__c", account{Name: "Upserted", Ext_Id__c: "GO-1"})
		if err != nil || !first.Success {
			t.Fatalf("first UpsertOne = %+v, %v", first, err)
		}
		second, err := sf.UpsertOne("Account", "Ext_Id__c", account{Name: "Upserted again", Ext_Id__c: "GO-1"})
		if err != nil || !second.Success || second.Id != first.Id {
			t.Fatalf("second UpsertOne = %+v, %v; want an update of %s", second, err, first.Id)
		}
	})

	type contact struct {
		LastName  string
		AccountId string
	}
	t.Run("collections and query paging", func(t *testing.T) {
		cs := make([]contact, 450)
		for i := range cs {
			cs[i] = contact{LastName: fmt.Sprintf("Go%03d", i), AccountId: accountID}
		}
		res, err := sf.InsertCollection("Contact", cs, 200)
		if err != nil || res.HasSalesforceErrors || len(res.Results) != 450 {
			t.Fatalf("InsertCollection: %d results, errors %v, %v", len(res.Results), res.HasSalesforceErrors, err)
		}
		var got []map[string]any
		if err := sf.Query("SELECT Id, LastName FROM Contact WHERE AccountId = '"+accountID+"'", &got); err != nil {
			t.Fatalf("Query: %v", err)
		}
		if len(got) != 450 {
			t.Fatalf("Query returned %d contacts, want 450", len(got))
		}
	})

	t.Run("composite", func(t *testing.T) {
		cs := []contact{{LastName: "Composite1", AccountId: accountID}, {LastName: "Composite2", AccountId: accountID}}
		res, err := sf.InsertComposite("Contact", cs, 200, true)
		if err != nil || res.HasSalesforceErrors || len(res.Results) != 2 {
			t.Fatalf("InsertComposite = %+v, %v", res, err)
		}
	})

	t.Run("a missing required field is reported", func(t *testing.T) {
		_, err := sf.InsertOne("Lead", map[string]any{"Company": "No Name Inc"})
		if err == nil || !strings.Contains(err.Error(), "REQUIRED_FIELD_MISSING") {
			t.Fatalf("InsertOne(Lead without LastName) = %v, want REQUIRED_FIELD_MISSING", err)
		}
	})

	t.Run("limits and search through DoRequest", func(t *testing.T) {
		var limits map[string]struct{ Max, Remaining int }
		getJSON(t, sf, "/limits", &limits)
		if d := limits["DailyApiRequests"]; d.Max == 0 || d.Remaining >= d.Max {
			t.Fatalf("DailyApiRequests = %+v, want some spent", d)
		}
		var found struct {
			SearchRecords []struct{ Id string } `json:"searchRecords"`
		}
		getJSON(t, sf, "/search/?q=FIND+%7BGo+Conformance%7D+IN+NAME+FIELDS+RETURNING+Account(Id)", &found)
		if len(found.SearchRecords) != 1 || found.SearchRecords[0].Id != accountID {
			t.Fatalf("search found %+v, want %s", found.SearchRecords, accountID)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if err := sf.DeleteOne("Account", map[string]any{"Id": accountID}); err != nil {
			t.Fatalf("DeleteOne: %v", err)
		}
		var got []account
		if err := sf.Query("SELECT Id FROM Account WHERE Id = '"+accountID+"'", &got); err != nil || len(got) != 0 {
			t.Fatalf("after delete, Query = %+v, %v; want nothing", got, err)
		}
	})
}

func getJSON(t *testing.T, sf *gosf.Salesforce, uri string, into any) {
	t.Helper()
	resp, err := sf.DoRequest(http.MethodGet, uri, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", uri, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", uri, resp.Status, body)
	}
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("GET %s: decoding %s: %v", uri, body, err)
	}
}
