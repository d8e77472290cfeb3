package cli

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/activity"
	"github.com/sfbridge/sfbridge/internal/search"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
)

func TestRenderSearch(t *testing.T) {
	t.Parallel()
	const inst = "https://acme.my.salesforce.com"
	found := &search.Result{
		Term:     "acme",
		Searched: []string{"Lead", "Account", "Contact"},
		Groups: []search.Group{
			{Object: "Lead", Label: "Leads", Hits: []search.Hit{{
				ID: "00Q000000000001AAA", Title: "Ana Acme", URL: search.RecordURL(inst, "Lead", "00Q000000000001AAA"),
				Fields: []search.Value{{Field: "Name", Label: "Full Name", Value: "Ana Acme"}, {Field: "Company", Label: "Company", Value: "Acme"}, {Field: "Status", Label: "Status"}},
			}}},
			{Object: "Account", Label: "Accounts", Hits: []search.Hit{
				{ID: "001000000000001AAA", Title: "Acme", URL: search.RecordURL(inst, "Account", "001000000000001AAA"),
					Fields: []search.Value{{Field: "Name", Label: "Account Name", Value: "Acme"}}},
				{ID: "001000000000002AAA", Title: "Acme Ltd", URL: search.RecordURL(inst, "Account", "001000000000002AAA")},
			}},
		},
	}
	empty := &search.Result{Term: "zz", Searched: []string{"Lead", "Account"}}
	for _, tt := range []struct {
		name string
		res  *search.Result
	}{{"found", found}, {"empty", empty}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var text, js bytes.Buffer
			writeSearchText(&text, tt.res)
			if err := writeSearchJSON(&js, tt.res); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "search", tt.name+".txt"), text.Bytes())
			golden.Check(t, filepath.Join("testdata", "search", tt.name+".json"), js.Bytes())
		})
	}
}

func TestRenderActivity(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	logged := activity.Entry{
		Key: "share-1", Status: activity.StatusLogged, Object: "Task", ActivityID: "00T000000000001AAA", Attempts: 1,
		Request: activity.Request{Kind: activity.KindEmail, Subject: "Deck"},
		Recipients: []activity.Recipient{
			{ID: "003000000000001AAA", Object: "Contact", Name: "Ada Okafor", Email: "ada@example.com"},
			{ID: "003000000000002AAA", Object: "Contact", Name: "Bo Berg", Email: "bo@example.com"},
		},
		RelationIDs: []string{"0RT000000000001AAA"},
		Unknown:     []string{"nobody@example.com"},
		Unrelated:   []activity.Recipient{{ID: "00Q000000000001AAA", Object: "Lead", Name: "Lena Lind", Email: "lena@example.com"}},
		CreatedAt:   at, UpdatedAt: at,
	}
	failed := activity.Entry{
		Key: "share-2", Status: activity.StatusFailed, Object: "Event", Attempts: 2,
		Request: activity.Request{Kind: activity.KindMeeting, Subject: "Kick-off"},
		Unknown: []string{"ghost@example.com"},
		Error:   "no contact or lead you can see has the address ghost@example.com",
	}
	for _, tt := range []struct {
		name  string
		entry activity.Entry
	}{{"logged", logged}, {"failed", failed}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			printEntry(&b, tt.entry)
			golden.Check(t, filepath.Join("testdata", "activity", tt.name+".txt"), b.Bytes())
		})
	}
}
