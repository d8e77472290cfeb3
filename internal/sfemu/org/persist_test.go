package org

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// dump renders every record of the org (recycle bin included), for
// comparing two orgs.
func dump(o *Org) string {
	var b bytes.Buffer
	reg := o.Registry()
	o.mu.RLock()
	defer o.mu.RUnlock()
	for _, name := range sortedKeys(o.tables) {
		obj := reg.Object(name)
		for _, n := range o.tables[name].order {
			r := o.recs[n]
			if r == nil {
				continue
			}
			fmt.Fprintf(&b, "%s %s deleted=%d with=%d cleared=%v\n", name, r.ID(), r.deleted, r.deletedWith, r.cleared)
			for _, f := range obj.Fields {
				if v := obj.Value(r, f); v != nil {
					fmt.Fprintf(&b, "  %s=%s\n", f.Name, schema.AppendJSON(nil, f.Type, v))
				}
			}
		}
	}
	return b.String()
}

func TestSaveLoad(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if err := f.o.ApplySchema("invoice.yaml", []byte(`version: 1
objects:
- name: Invoice__c
  nameField: {type: autoNumber, format: "INV-{0000}"}
  fields:
  - {name: Account__c, type: reference, referenceTo: [Account]}
  - {name: Key__c, type: string, length: 20, externalId: true}
  - {name: Total__c, type: currency, scale: 2}
`)); err != nil {
		t.Fatal(err)
	}
	acct := f.create(t, f.admin, "Account", `{"Name":"Acme","BillingCity":"Paris","BillingLatitude":48.85}`)
	child := f.create(t, f.admin, "Account", `{"Name":"Child","ParentId":"`+acct+`"}`)
	f.create(t, f.admin, "Contact", `{"LastName":"Smith","AccountId":"`+acct+`","Birthdate":"1990-05-01"}`)
	f.create(t, f.admin, "Invoice__c", `{"Account__c":"`+acct+`","Key__c":"K-1","Total__c":12.5}`)
	f.create(t, f.admin, "Case", `{"Subject":"Help"}`)
	if err := f.o.Delete(f.ctx, f.admin, acct); err != nil {
		t.Fatal(err)
	}
	if err := f.o.SetSharing("Account", "Private"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.o.Save(&buf); err != nil {
		t.Fatal(err)
	}
	clk := clock.New()
	clk.Set(epoch.Add(48 * 3600e9))
	loaded, err := Load(bytes.NewReader(buf.Bytes()), clk)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := dump(f.o), dump(loaded); a != b {
		t.Fatalf("the loaded org differs from the saved one\nsaved:\n%s\nloaded:\n%s", a, b)
	}
	if loaded.ID() != f.o.ID() || !equalCounts(loaded.RecordCounts(), f.o.RecordCounts()) {
		t.Error("org ID or counts differ")
	}
	if _, ok := loaded.Authenticate(StandardUsername, DevPassword); !ok {
		t.Error("passwords were not saved")
	}
	if problems := loaded.Check(); len(problems) > 0 {
		t.Errorf("the loaded org is inconsistent: %v", problems)
	}
	// Sequences, the recycle bin, sharing and indexes carry over.
	lf := &fixture{o: loaded, clk: clk, ctx: f.ctx}
	lf.admin, lf.user = lf.as(t, AdminUsername), lf.as(t, StandardUsername)
	next := lf.create(t, lf.admin, "Case", `{"Subject":"After load"}`)
	if lf.value(t, next, "CaseNumber") != "00001002" || recordNumber(next) <= recordNumber(child) {
		t.Errorf("after load: CaseNumber %v, ID %s", lf.value(t, next, "CaseNumber"), next)
	}
	if inv := lf.create(t, lf.admin, "Invoice__c", `{"Key__c":"K-2"}`); lf.value(t, inv, "Name") != "INV-0002" {
		t.Errorf("custom auto-number after load = %v", lf.value(t, inv, "Name"))
	}
	_, err = lf.createErr(t, lf.admin, "Invoice__c", `{"Key__c":"k-1"}`)
	apiError(t, err, "DUPLICATE_VALUE", "duplicate value found: Key__c duplicates value on record with id: "+firstInvoice(t, loaded))
	if err := loaded.Undelete(f.ctx, lf.admin, acct); err != nil {
		t.Fatal(err)
	}
	if lf.value(t, child, "ParentId") != acct {
		t.Error("undelete after load did not restore the child's lookup")
	}
	if _, err := loaded.Get(lf.user, acct); err == nil {
		t.Error("the private sharing of Account was not saved")
	}
}

func firstInvoice(t *testing.T, o *Org) string {
	t.Helper()
	for r := range o.QuerySource().Scan(o.Registry().Object("Invoice__c"), false) {
		return r.(*Record).ID()
	}
	t.Fatal("no invoice")
	return ""
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var buf bytes.Buffer
	if err := f.o.Save(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	tests := map[string][]byte{
		"empty":     nil,
		"not ours":  []byte("PK\x03\x04 a zip file"),
		"version":   append([]byte(snapshotMagic), 9),
		"truncated": good[:len(good)/2],
	}
	for name, data := range tests {
		if _, err := Load(bytes.NewReader(data), nil); !errors.Is(err, ErrSnapshot) {
			t.Errorf("%s: Load error = %v, want ErrSnapshot", name, err)
		}
	}
}

// TestLoadCorrupt flips bytes of a snapshot: Load must fail with
// ErrSnapshot or load an org that saves again, and never panic.
func TestLoadCorrupt(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var buf bytes.Buffer
	if err := f.o.Save(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 120 {
		data := bytes.Clone(good)
		for range 1 + i%4 {
			data[len(snapshotMagic)+rng.IntN(len(data)-len(snapshotMagic))] = byte(rng.IntN(256))
		}
		if i%5 == 0 {
			data = data[:rng.IntN(len(data))]
		}
		o, err := Load(bytes.NewReader(data), nil)
		if err != nil {
			if !errors.Is(err, ErrSnapshot) {
				t.Fatalf("case %d: error %v is not ErrSnapshot", i, err)
			}
			continue
		}
		if err := o.Save(io.Discard); err != nil {
			t.Fatalf("case %d: a loaded org does not save: %v", i, err)
		}
	}
}

func FuzzLoad(f *testing.F) {
	fx := setup(f)
	var buf bytes.Buffer
	if err := fx.o.Save(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := Load(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		// Whatever loads must save again.
		var out bytes.Buffer
		if err := o.Save(&out); err != nil {
			t.Fatal(err)
		}
	})
}
