package query

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
)

// TestRecordedResponses rebuilds the data behind two responses recorded
// from a real org (testdata/recorded, from CumulusCI's cassettes; see the
// .source.txt files) and checks that the engine renders the same bytes,
// members in the same order.
func TestRecordedResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, fixture, version, query string
		load                          func(t *testing.T, s *memSource)
	}{
		{
			name:    "contacts with a child subquery",
			fixture: "testdata/recorded/query-contact-with-child-subquery.json",
			version: "xx.0",
			query:   "select FirstName,(select Name from Opportunities) from Contact",
			load: func(t *testing.T, s *memSource) {
				names := []string{"Lindsay", "Audrey", "Micheal", "Chloe", "Rose", "Brent", "Julia", "Benjamin", "Christy",
					"Sabrina", "Nichael", "Javier", "George Oscar", "Kaitlyn", "Jerry", "Gabrielle", "Annyong"}
				ids := []string{"0037e00001WZ30qAAD", "0037e00001WZ30rAAD", "0037e00001WZ30sAAD", "0037e00001WZ30tAAD",
					"0037e00001WZ30uAAD", "0037e00001WZ30vAAD", "0037e00001WZ30wAAD", "0037e00001WZ30xAAD", "0037e00001WZ30yAAD",
					"0037e00001WZ30zAAD", "0037e00001WZ310AAD", "0037e00001WZ311AAD", "0037e00001WZ312AAD", "0037e00001WZ313AAD",
					"0037e00001WZ314AAD", "0037e00001WZ315AAD", "0037e00001WZ316AAD"}
				for i, n := range names {
					s.add(t, "Contact", map[string]any{"Id": ids[i], "FirstName": n, "LastName": "Bluth"})
				}
				s.add(t, "Opportunity", map[string]any{"Id": "0067e00000K8i71AAB", "Name": "Illusional Opportunity", "ContactId": ids[12]})
				s.add(t, "Opportunity", map[string]any{"Id": "0067e00000K8i72AAB", "Name": "Espionage Opportunity", "ContactId": ids[16]})
			},
		},
		{
			name:    "events with TYPEOF on Who and What",
			fixture: "testdata/recorded/query-event-typeof-who-what.json",
			version: "62.0",
			query: "SELECT Id, TYPEOF Who WHEN Contact THEN LastName, Email WHEN Lead THEN LastName, Company ELSE Id END, " +
				"TYPEOF What WHEN Account THEN Name, Description, Phone, AccountNumber ELSE Id END, Subject, DurationInMinutes, ActivityDateTime FROM Event",
			load: func(t *testing.T, s *memSource) {
				s.add(t, "Contact", map[string]any{"Id": "0039H00000Bc8vtQAB", "LastName": "Contact"})
				s.add(t, "Contact", map[string]any{"Id": "0039H00000Bc8vuQAB", "LastName": "Contact"})
				s.add(t, "Account", map[string]any{"Id": "0019H00000H25ppQAB", "Name": "Tom Cruise", "Description": "Some Description",
					"Phone": "123456", "AccountNumber": "123"})
				for _, e := range []struct{ id, who, what, subject, at string }{
					{"00U9H000000RzvRUAS", "0039H00000Bc8vtQAB", "", "Test Event 2", "2024-11-07T07:00:00Z"},
					{"00U9H000000RzvSUAS", "0039H00000Bc8vtQAB", "0019H00000H25ppQAB", "Test Event 1", "2024-11-07T07:00:00Z"},
					{"00U9H000000RzvTUAS", "0039H00000Bc8vuQAB", "0019H00000H25ppQAB", "Test Event 3", "3156-11-12T13:00:00Z"},
				} {
					vals := map[string]any{"Id": e.id, "WhoId": e.who, "Subject": e.subject, "DurationInMinutes": 60,
						"ActivityDateTime": mustTime(e.at)}
					if e.what != "" {
						vals["WhatId"] = e.what
					}
					s.add(t, "Event", vals)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newMemSource(t, registry(t))
			tt.load(t, s)
			who := &testUser{now: now}
			res, err := New(s).Query(context.Background(), who, tt.query, Options{APIVersion: tt.version})
			if err != nil {
				t.Fatalf("Query: %v", err)
			}
			got := res.AppendPage(nil, 0, 2000, "")
			raw, err := os.ReadFile(tt.fixture)
			if err != nil {
				t.Fatalf("reading the recording: %v", err)
			}
			var want bytes.Buffer
			if err := json.Compact(&want, raw); err != nil {
				t.Fatalf("compacting the recording: %v", err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("response differs from the recording\ngot:  %s\nwant: %s", got, want.Bytes())
			}
		})
	}
}
