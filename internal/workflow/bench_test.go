package workflow

import (
	"context"
	"os"
	"testing"
	"time"
)

// The benchmarks use the example workflows, on records shaped like the
// query's answer.

func loadExample(b *testing.B, name string) (*Plan, []byte, Env) {
	b.Helper()
	_, env := setup(b)
	data, err := os.ReadFile("../../examples/" + name)
	if err != nil {
		b.Fatal(err)
	}
	_, plan, err := Load(context.Background(), name, data, env)
	if err != nil {
		b.Fatal(err)
	}
	return plan, data, env
}

// BenchmarkLoad reads and validates a two-way workflow of 12 fields
// (describes are served from memory: the figure is sfbridge's own cost).
func BenchmarkLoad(b *testing.B) {
	_, data, env := loadExample(b, "accounts-two-way.yaml")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Load(context.Background(), "accounts-two-way.yaml", data, env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatches evaluates four conditions (a boolean, a picklist list,
// a relative date, a negated LIKE) on one record.
func BenchmarkMatches(b *testing.B) {
	plan, _, _ := loadExample(b, "open-cases.yaml")
	rec := record(b, `{"Id": "500000000000001AAA", "IsClosed": false, "Priority": "High", "Subject": "Printer on fire",
		"CreatedDate": "2024-03-14T10:00:00.000+0000", "SystemModstamp": "2024-03-14T10:00:00.000+0000"}`)
	now := time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)
	if ok, err := plan.Matches(rec, now); !ok || err != nil {
		b.Fatalf("the record should match: %v, %v", ok, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := plan.Matches(rec, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCells maps one record to its row: 12 columns, with a value map,
// phone normalisation, a compound address and relationship paths.
func BenchmarkCells(b *testing.B) {
	plan, _, _ := loadExample(b, "accounts-two-way.yaml")
	rec := record(b, `{"Id": "001000000000001AAA", "Name": "Acme", "Type": "Customer - Direct", "Industry": "Energy",
		"Rating": "Warm", "Phone": "+33 1 42 68 53 00", "Website": "https://acme.example", "AnnualRevenue": 1250000.5,
		"NumberOfEmployees": 250, "Description": "A long story", "Owner": {"Name": "Grace Hopper"},
		"LastModifiedDate": "2024-03-14T10:00:00.000+0000", "BillingStreet": "1 rue de Rivoli", "BillingCity": "Paris",
		"BillingPostalCode": "75001", "BillingCountry": "France", "BillingState": null,
		"BillingLatitude": 48.86, "BillingLongitude": 2.34, "BillingGeocodeAccuracy": "Address"}`)
	cells, err := plan.Cells(rec)
	if err != nil || len(cells) != 12 {
		b.Fatalf("cells %v, %v", cells, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := plan.Cells(rec); err != nil {
			b.Fatal(err)
		}
	}
}
