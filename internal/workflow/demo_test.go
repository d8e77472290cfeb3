package workflow

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sfemu/query"
)

// demoOrg is the emulator's demo org ("sfbridge demo" runs the examples
// against it), built once: the tests only read it.
var demoOrg = sync.OnceValues(func() (*org.Org, error) { return org.New(org.Options{Seed: "demo"}) })

// demoRecords runs a query on the demo org as its admin (the examples'
// owner) and returns the records as the REST API sends them.
func demoRecords(t *testing.T, soql string) []mapping.Map {
	t.Helper()
	o, err := demoOrg()
	if err != nil {
		t.Fatal(err)
	}
	admin, ok := o.UserByUsername(org.AdminUsername)
	if !ok {
		t.Fatal("the demo org has no admin")
	}
	who, err := o.As(admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := query.New(o.QuerySource()).Query(context.Background(), who, soql, query.Options{})
	if err != nil {
		t.Fatalf("%s: %v", soql, err)
	}
	var page struct{ Records []mapping.Map }
	if err := json.Unmarshal(res.AppendPage(nil, 0, res.Records(), ""), &page); err != nil {
		t.Fatal(err)
	}
	return page.Records
}

// TestDemoSeedPhones checks that every phone number of the demo seed is a
// number of its record's own country, in a form sfbridge reads: written
// in that country's national format it has no country code left.
func TestDemoSeedPhones(t *testing.T) {
	t.Parallel()
	countries := map[string]int{}
	for _, q := range []struct{ object, country string }{
		{"Account", "BillingCountry"}, {"Account", "ShippingCountry"},
		{"Contact", "MailingCountry"}, {"Lead", "Country"},
	} {
		phones := []string{"Phone"}
		if q.object == "Contact" {
			phones = append(phones, "MobilePhone")
		}
		recs := demoRecords(t, "SELECT Id, "+q.country+", "+strings.Join(phones, ", ")+" FROM "+q.object)
		if len(recs) == 0 {
			t.Fatalf("no %s records", q.object)
		}
		for _, r := range recs {
			stored, _ := r[q.country].(string)
			code, ok := mapping.CountryCode(stored)
			if !ok || !slices.Contains(mapping.PhoneCountries(), code) {
				t.Errorf("%s %v: %s %q has no known numbering plan", q.object, r["Id"], q.country, stored)
				continue
			}
			for _, p := range phones {
				number, _ := r[p].(string)
				if number == "" {
					t.Errorf("%s %v has no %s", q.object, r["Id"], p)
					continue
				}
				countries[code]++
				national, err := phoneIn("national", code, number)
				switch {
				case err != nil:
					t.Errorf("%s %v: %s %q in %s: %v", q.object, r["Id"], p, number, stored, err)
				case strings.HasPrefix(national, "+"):
					t.Errorf("%s %v: %s %q is not a number of %s (%s)", q.object, r["Id"], p, number, stored, national)
				}
			}
		}
	}
	if len(countries) < 10 {
		t.Errorf("the demo's numbers come from %d countries, want an international customer base: %v", len(countries), countries)
	}
}

// phoneIn writes a number of country in a format (e164, national ...).
func phoneIn(format, country, number string) (string, error) {
	step, err := mapping.NewStep("phone", format)
	if err != nil {
		return "", err
	}
	chain, err := mapping.Bind([]*mapping.Step{step}, mapping.Env{Country: country}, mapping.KindText)
	if err != nil {
		return "", err
	}
	v, err := chain.Apply(mapping.Text(number))
	return v.String(), err
}

// TestExamplesOnDemoSeed runs every sample workflow over every record of
// its object in the demo org, as the sync engine would: the conditions,
// the cells of the rows that match, and for the fields that flow back,
// the values written to Salesforce from those cells. No record may fail:
// the demo would show failed rows to every newcomer.
func TestExamplesOnDemoSeed(t *testing.T) {
	t.Parallel()
	env := emulatorEnv()
	now := time.Now()
	for _, file := range yamlFiles(t, "../../examples") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			_, plan, err := Load(context.Background(), filepath.Base(file), data, env)
			if err != nil {
				t.Fatal(err)
			}
			if !plan.Direction.Has(mapping.Inbound) {
				t.Skip("an outbound workflow reads no records")
			}
			// Every record of the object, not only those the WHERE clause
			// selects today: a record that starts matching later must
			// map as well.
			recs := demoRecords(t, (&Plan{Object: plan.Object, Select: plan.Select}).SOQL())
			matched, failed := 0, 0
			for _, r := range recs {
				ok, err := plan.Matches(r, now)
				if err != nil {
					t.Errorf("record %v: conditions: %v", r["Id"], err)
				}
				if _, err := plan.Cells(r); err != nil {
					failed++
					if failed <= 10 {
						t.Errorf("record %v: %v", r["Id"], err)
					}
					continue
				}
				if ok {
					matched++
				}
				writeBack(t, plan, r)
			}
			if failed > 0 {
				t.Errorf("%d of %d %s records fail to map", failed, len(recs), plan.Object)
			}
			if matched == 0 {
				t.Errorf("no %s record of the demo matches: the sample shows an empty sheet", plan.Object)
			}
		})
	}
}

// writeBack maps the row of a record back to Salesforce, for the fields
// that flow both ways: a row nobody edited writes what the record holds.
func writeBack(t *testing.T, plan *Plan, r mapping.Map) {
	t.Helper()
	cells, err := plan.Cells(r)
	if err != nil {
		t.Fatalf("record %v: %v", r["Id"], err)
	}
	for _, fp := range plan.Fields {
		if fp.Column == "" || fp.Direction != mapping.Both {
			continue
		}
		out, err := plan.OutboundValues(fp, cells)
		if err != nil {
			t.Errorf("record %v: writing column %s back: %v", r["Id"], fp.Column, err)
			continue
		}
		if fp.CountryField == "" {
			continue
		}
		// A phone number goes back as E.164, the same number as the
		// record's once both are read in the record's country.
		name := fp.Source[0]
		stored, _ := r[name].(string)
		if stored == "" {
			continue
		}
		country, _ := mapping.CountryCode(countryOf(r, fp.CountryField))
		want, err := phoneIn("e164", country, stored)
		if err != nil || out[name] != want {
			t.Errorf("record %v: %s %q goes back as %v, want %q (%v)", r["Id"], name, stored, out[name], want, err)
		}
	}
}

func countryOf(r mapping.Map, path string) string {
	v, _ := r.Get(path)
	s, _ := v.(string)
	return s
}
