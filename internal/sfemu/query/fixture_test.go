package query

import (
	"os"
	"testing"
	"time"
	_ "time/tzdata" // named zones without the machine's zoneinfo

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// now is the org clock in every test: Wednesday 31 January 2024, 15:00 UTC.
var now = time.Date(2024, 1, 31, 15, 0, 0, 0, time.UTC)

// registry is the standard objects plus testdata/schema.yaml.
func registry(t testing.TB) *schema.Registry {
	t.Helper()
	data, err := os.ReadFile("testdata/schema.yaml")
	if err != nil {
		t.Fatalf("reading the test schema: %v", err)
	}
	reg, err := schema.Standard().Apply("schema.yaml", data)
	if err != nil {
		t.Fatalf("applying the test schema: %v", err)
	}
	return reg
}

// ids of the fixture records, by a short name.
type ids map[string]string

// setup returns an engine over a small org: two users, five accounts (one
// deleted), contacts, opportunities, a lead, events and shipments. The
// principal is Alice, who sees everything, in UTC, with calendar fiscal
// years.
func setup(t testing.TB) (*Engine, *memSource, *testUser, ids) {
	t.Helper()
	s := newMemSource(t, registry(t))
	id := ids{}
	add := func(key, object string, vals map[string]any) {
		id[key] = s.add(t, object, vals)
	}
	stamp := func(v string) time.Time { return mustTime(v) }
	add("alice", "User", map[string]any{"FirstName": "Alice", "LastName": "Admin", "Username": "alice@example.com",
		"Alias": "alice", "Email": "alice@example.com", "IsActive": true})
	add("bob", "User", map[string]any{"FirstName": "Bob", "LastName": "Builder", "Username": "bob@example.com",
		"Alias": "bob", "Email": "bob@example.com", "IsActive": true, "ManagerId": id["alice"]})
	add("acme", "Account", map[string]any{"Name": "Acme", "Industry": "Technology", "AnnualRevenue": 1500000.0,
		"NumberOfEmployees": 250, "BillingCity": "Paris", "BillingCountry": "France", "Type": "Customer - Direct",
		"Rating": "Hot", "OwnerId": id["alice"], "Phone": "(415) 555-1212",
		"CreatedDate": stamp("2024-01-30T10:00:00Z"), "SystemModstamp": stamp("2024-01-31T09:00:00Z")})
	add("globex", "Account", map[string]any{"Name": "Globex", "Industry": "Energy", "NumberOfEmployees": 5000,
		"Rating": "Cold", "OwnerId": id["bob"], "Description": "Energy company.\nSince 1989.",
		"CreatedDate": stamp("2023-12-15T08:30:00Z"), "SystemModstamp": stamp("2024-01-15T12:00:00Z")})
	add("initech", "Account", map[string]any{"Name": "Initech", "Industry": "Banking", "AnnualRevenue": 50000.0,
		"Rating": "Warm", "OwnerId": id["alice"], "ParentId": id["globex"],
		"CreatedDate": stamp("2023-06-01T00:00:00Z"), "SystemModstamp": stamp("2023-06-01T00:00:00Z")})
	add("labs", "Account", map[string]any{"Name": "acme labs", "Industry": "Technology", "AnnualRevenue": 20000.5,
		"OwnerId": id["bob"], "ParentId": id["acme"],
		"CreatedDate": stamp("2024-01-31T14:00:00Z"), "SystemModstamp": stamp("2024-01-31T14:00:00Z")})
	add("old", "Account", map[string]any{"Name": "Old Corp", "Industry": "Retail", "OwnerId": id["alice"], "IsDeleted": true,
		"CreatedDate": stamp("2020-01-01T00:00:00Z"), "SystemModstamp": stamp("2024-01-20T00:00:00Z")})
	add("ann", "Contact", map[string]any{"FirstName": "Ann", "LastName": "Lee", "AccountId": id["acme"], "Email": "ann@acme.com",
		"Phone": "(415) 555-0101", "OwnerId": id["alice"], "Birthdate": mustDate("1992-02-29"),
		"CreatedDate": stamp("2024-01-02T09:00:00Z"), "SystemModstamp": stamp("2024-01-02T09:00:00Z")})
	add("ben", "Contact", map[string]any{"FirstName": "Ben", "LastName": "Stone", "AccountId": id["acme"], "Email": "ben@acme.com",
		"OwnerId": id["bob"], "CreatedDate": stamp("2024-01-03T09:00:00Z"), "SystemModstamp": stamp("2024-01-03T09:00:00Z")})
	add("cy", "Contact", map[string]any{"FirstName": "Cy", "LastName": "O'Brien", "AccountId": id["globex"],
		"OwnerId": id["bob"], "CreatedDate": stamp("2024-01-04T09:00:00Z"), "SystemModstamp": stamp("2024-01-04T09:00:00Z")})
	add("dee", "Contact", map[string]any{"LastName": "Dee", "Email": "dee@example.org", "OwnerId": id["alice"],
		"CreatedDate": stamp("2024-01-05T09:00:00Z"), "SystemModstamp": stamp("2024-01-05T09:00:00Z")})
	add("big", "Opportunity", map[string]any{"Name": "Acme - Big", "AccountId": id["acme"], "Amount": 100000.0,
		"StageName": "Prospecting", "CloseDate": mustDate("2024-02-15"), "Probability": 10.0, "ContactId": id["ann"],
		"OwnerId": id["alice"], "CreatedDate": stamp("2024-01-10T00:00:00Z"), "SystemModstamp": stamp("2024-01-10T00:00:00Z")})
	add("renewal", "Opportunity", map[string]any{"Name": "Acme - Renewal", "AccountId": id["acme"], "Amount": 25000.0,
		"StageName": "Closed Won", "CloseDate": mustDate("2024-01-10"), "Probability": 100.0, "IsClosed": true, "IsWon": true,
		"OwnerId": id["bob"], "CreatedDate": stamp("2023-12-01T00:00:00Z"), "SystemModstamp": stamp("2024-01-10T00:00:00Z")})
	add("deal", "Opportunity", map[string]any{"Name": "Globex Deal", "AccountId": id["globex"], "Amount": 50000.0,
		"StageName": "Negotiation/Review", "CloseDate": mustDate("2023-11-20"), "Probability": 90.0,
		"OwnerId": id["bob"], "CreatedDate": stamp("2023-10-01T00:00:00Z"), "SystemModstamp": stamp("2023-11-20T00:00:00Z")})
	add("empty", "Opportunity", map[string]any{"Name": "Initech", "AccountId": id["initech"], "StageName": "Prospecting",
		"CloseDate": mustDate("2024-03-31"), "OwnerId": id["alice"],
		"CreatedDate": stamp("2024-01-20T00:00:00Z"), "SystemModstamp": stamp("2024-01-20T00:00:00Z")})
	add("pat", "Lead", map[string]any{"FirstName": "Pat", "LastName": "Kim", "Company": "Kim Co", "Status": "Open - Not Contacted",
		"LeadSource": "Web", "Email": "pat@kim.co", "OwnerId": id["alice"],
		"CreatedDate": stamp("2024-01-29T00:00:00Z"), "SystemModstamp": stamp("2024-01-29T00:00:00Z")})
	add("kickoff", "Event", map[string]any{"WhoId": id["ann"], "WhatId": id["acme"], "Subject": "Kickoff",
		"ActivityDateTime": stamp("2024-02-01T16:00:00Z"), "DurationInMinutes": 60, "OwnerId": id["alice"],
		"CreatedDate": stamp("2024-01-25T00:00:00Z"), "SystemModstamp": stamp("2024-01-25T00:00:00Z")})
	add("call", "Event", map[string]any{"WhoId": id["pat"], "Subject": "Discovery call",
		"ActivityDateTime": stamp("2024-01-31T23:30:00Z"), "DurationInMinutes": 30, "OwnerId": id["bob"],
		"CreatedDate": stamp("2024-01-26T00:00:00Z"), "SystemModstamp": stamp("2024-01-26T00:00:00Z")})
	add("review", "Event", map[string]any{"WhatId": id["big"], "Subject": "Deal review",
		"ActivityDateTime": stamp("2024-02-05T10:00:00Z"), "DurationInMinutes": 45, "OwnerId": id["alice"],
		"CreatedDate": stamp("2024-01-27T00:00:00Z"), "SystemModstamp": stamp("2024-01-27T00:00:00Z")})
	add("s1", "Shipment__c", map[string]any{"Name": "SH-1", "Account__c": id["acme"], "Status__c": "Shipped",
		"Tags__c": "Urgent;Export", "Weight__c": 12.5, "Fee__c": 1234.5, "Discount__c": 12.5, "Insured__c": true,
		"Ship_Date__c": mustDate("2024-01-29"), "Site__Latitude__s": 48.8566, "Site__Longitude__s": 2.3522,
		"Secret__c": "s1", "OwnerId": id["alice"],
		"CreatedDate": stamp("2024-01-29T00:00:00Z"), "SystemModstamp": stamp("2024-01-29T00:00:00Z")})
	add("s2", "Shipment__c", map[string]any{"Name": "SH-2", "Account__c": id["acme"], "Status__c": "New",
		"Tags__c": "Fragile", "Weight__c": 3.0, "Fee__c": 80.0, "Insured__c": false,
		"Ship_Date__c": mustDate("2024-02-02"), "Site__Latitude__s": 51.5074, "Site__Longitude__s": -0.1278,
		"OwnerId": id["bob"], "CreatedDate": stamp("2024-01-30T00:00:00Z"), "SystemModstamp": stamp("2024-01-30T00:00:00Z")})
	add("s3", "Shipment__c", map[string]any{"Name": "SH-3", "Account__c": id["globex"], "Status__c": "Delivered",
		"Weight__c": 120.0, "Fee__c": 9800.0, "Insured__c": true, "Ship_Date__c": mustDate("2023-12-20"),
		"OwnerId": id["bob"], "CreatedDate": stamp("2023-12-18T00:00:00Z"), "SystemModstamp": stamp("2023-12-20T00:00:00Z")})
	add("s4", "Shipment__c", map[string]any{"Name": "SH-4", "Status__c": "Packed", "Tags__c": "Export;Fragile;Urgent",
		"Weight__c": 7.25, "OwnerId": id["alice"],
		"CreatedDate": stamp("2024-01-31T00:00:00Z"), "SystemModstamp": stamp("2024-01-31T00:00:00Z")})
	who := &testUser{id: id["alice"], loc: time.UTC, fiscal: time.January, now: now}
	return New(s), s, who, id
}
