package org

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestDeleteCascadesAndUndelete(t *testing.T) {
	t.Parallel()
	f := setup(t)
	acct := f.create(t, f.admin, "Account", `{"Name":"Acme"}`)
	child := f.create(t, f.admin, "Account", `{"Name":"Acme EMEA","ParentId":"`+acct+`"}`)
	contact := f.create(t, f.admin, "Contact", `{"LastName":"Smith","AccountId":"`+acct+`"}`)
	opp := f.create(t, f.admin, "Opportunity", `{"Name":"Deal","StageName":"Prospecting","CloseDate":"2026-06-30","AccountId":"`+acct+`"}`)
	task := f.create(t, f.admin, "Task", `{"Subject":"Call","WhoId":"`+contact+`","WhatId":"`+acct+`"}`)
	event := f.create(t, f.admin, "Event", `{"Subject":"Visit","WhatId":"`+opp+`","StartDateTime":"2026-03-20T10:00:00Z","DurationInMinutes":30}`)
	other := f.create(t, f.admin, "Contact", `{"LastName":"Other","ReportsToId":"`+contact+`"}`)
	counts := f.o.RecordCounts()

	f.clk.Advance(time.Minute)
	if err := f.o.Delete(f.ctx, f.admin, acct); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{acct, contact, opp, task, event} {
		if !f.o.Lookup(id).Deleted() {
			t.Errorf("%s was not deleted with the account", id)
		}
	}
	if f.o.Lookup(child).Deleted() || f.value(t, child, "ParentId") != nil {
		t.Errorf("the child account: deleted %v, ParentId %v; want kept, with the lookup emptied",
			f.o.Lookup(child).Deleted(), f.value(t, child, "ParentId"))
	}
	if f.o.Lookup(other).Deleted() || f.value(t, other, "ReportsToId") != nil {
		t.Error("a contact outside the account was deleted, or still reports to a deleted one")
	}
	if n := len(f.relations(t, "TaskRelation", "TaskId", task)); n != 0 {
		t.Errorf("%d task relations still live", n)
	}
	apiError(t, f.o.Undelete(f.ctx, f.admin, contact), "UNDELETE_FAILED", "Entity was deleted with its parent: undelete the parent record")
	apiError(t, f.o.Undelete(f.ctx, f.admin, other), "UNDELETE_FAILED", "Entity is not in the recycle bin")
	apiError(t, f.o.Delete(f.ctx, f.admin, acct), "ENTITY_IS_DELETED", "entity is deleted")

	if err := f.o.Undelete(f.ctx, f.admin, acct); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{acct, contact, opp, task, event} {
		if f.o.Lookup(id).Deleted() {
			t.Errorf("%s was not restored with the account", id)
		}
	}
	if f.value(t, child, "ParentId") != acct || f.value(t, other, "ReportsToId") != contact {
		t.Error("the lookups to the account and to its contact were not restored")
	}
	if got := f.o.RecordCounts(); !equalCounts(got, counts) {
		t.Errorf("counts after undelete %v, want %v", got, counts)
	}
	if problems := f.o.Check(); len(problems) > 0 {
		t.Errorf("inconsistent after undelete: %v", problems)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestRestrictedDelete(t *testing.T) {
	t.Parallel()
	f := setup(t)
	acct := f.create(t, f.admin, "Account", `{"Name":"Acme"}`)
	f.create(t, f.admin, "Case", `{"Subject":"One","AccountId":"`+acct+`"}`)
	second := f.create(t, f.admin, "Case", `{"Subject":"Two","AccountId":"`+acct+`"}`)
	apiError(t, f.o.Delete(f.ctx, f.admin, acct), "DELETE_FAILED",
		"Your attempt to delete Acme could not be completed because it is associated with the following cases.: 00001001, 00001002")
	if f.o.Lookup(acct).Deleted() {
		t.Fatal("the account was deleted")
	}
	for _, c := range []string{second} {
		if err := f.o.Delete(f.ctx, f.admin, c); err != nil {
			t.Fatal(err)
		}
	}
	apiError(t, f.o.Delete(f.ctx, f.admin, acct), "DELETE_FAILED",
		"Your attempt to delete Acme could not be completed because it is associated with the following cases.: 00001001")
}

func TestUpsert(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if err := f.o.ApplySchema("ext.yaml", []byte("version: 1\nobjects:\n- name: Account\n  fields:\n  - {name: Ext__c, type: string, length: 20, externalId: true}\n")); err != nil {
		t.Fatal(err)
	}
	upsert := func(field, value, body string) (string, bool, error) {
		in, err := f.o.Registry().Object("Account").DecodeJSON([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		return f.o.Upsert(f.ctx, f.admin, "Account", field, value, in)
	}
	id, created, err := upsert("Ext__c", "A-1", `{"Name":"First"}`)
	if err != nil || !created || f.value(t, id, "Ext__c") != "A-1" {
		t.Fatalf("upsert create: %s %v %v", id, created, err)
	}
	again, created, err := upsert("ext__c", "a-1", `{"Name":"Renamed"}`)
	if err != nil || created || again != id || f.value(t, id, "Name") != "Renamed" {
		t.Fatalf("upsert update: %s %v %v", again, created, err)
	}
	byID, created, err := upsert("Id", id[:15], `{"Phone":"555"}`)
	if err != nil || created || byID != id {
		t.Errorf("upsert by Id: %s %v %v", byID, created, err)
	}
	_, _, err = upsert("Namez", "x", `{"Name":"x"}`)
	apiError(t, err, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: Namez")
	_, err = f.createErr(t, f.admin, "Account", `{"Name":"Dup","Ext__c":"A-1"}`)
	apiError(t, err, "DUPLICATE_VALUE", "duplicate value found: Ext__c duplicates value on record with id: "+id)
	// Email is an idLookup field but not unique: two matches.
	f.create(t, f.admin, "Contact", `{"LastName":"A","Email":"same@example.com"}`)
	f.create(t, f.admin, "Contact", `{"LastName":"B","Email":"SAME@example.com"}`)
	in, _ := f.o.Input("Contact", Values{"LastName": "C"})
	_, _, err = f.o.Upsert(f.ctx, f.admin, "Contact", "Email", "same@example.com", in)
	var multi *MultipleMatchesError
	if !errors.As(err, &multi) || len(multi.IDs) != 2 {
		t.Errorf("upsert on two matches: %v", err)
	}
	if _, err := f.o.GetByExternalID(f.admin, "Account", "Ext__c", "A-1"); err != nil {
		t.Errorf("GetByExternalID: %v", err)
	}
	_, err = f.o.GetByExternalID(f.admin, "Contact", "Email", "same@example.com")
	if !errors.As(err, &multi) {
		t.Errorf("GetByExternalID on two matches: %v", err)
	}
}

func TestReplication(t *testing.T) {
	t.Parallel()
	f := setup(t)
	start := f.clk.Now()
	a := f.create(t, f.admin, "Account", `{"Name":"A"}`)
	b := f.create(t, f.admin, "Account", `{"Name":"B"}`)
	f.clk.Advance(time.Hour)
	mid := f.clk.Now()
	if err := f.update(t, f.admin, a, `{"Phone":"1"}`); err != nil {
		t.Fatal(err)
	}
	if err := f.o.Delete(f.ctx, f.admin, b); err != nil {
		t.Fatal(err)
	}
	end := f.clk.Now().Add(time.Second)
	// getUpdated goes by the current SystemModstamp: a has moved on to the
	// later window, and b is deleted.
	ids, err := f.o.Updated(f.admin, "Account", start, mid)
	if err != nil || len(ids) != 0 {
		t.Errorf("Updated before the change = %v, %v; want none", ids, err)
	}
	if ids, _ := f.o.Updated(f.admin, "Account", mid, end); !slices.Equal(ids, []string{a}) {
		t.Errorf("Updated after = %v", ids)
	}
	deleted, earliest, err := f.o.Deleted(f.admin, "Account", start, end)
	if err != nil || len(deleted) != 1 || deleted[0].ID != b || deleted[0].DeletedDate.Before(mid) {
		t.Errorf("Deleted = %v, %v", deleted, err)
	}
	if created := f.value(t, a, "CreatedDate").(time.Time); earliest.After(created) {
		t.Errorf("earliestDateAvailable %v is after the first account was created (%v)", earliest, created)
	}
	// After the retention, a delete purges the recycle bin.
	f.clk.Advance(RecycleBinRetention + time.Hour)
	c := f.create(t, f.admin, "Account", `{"Name":"C"}`)
	if err := f.o.Delete(f.ctx, f.admin, c); err != nil {
		t.Fatal(err)
	}
	if f.o.Lookup(b) != nil {
		t.Error("b is still in the recycle bin after the retention")
	}
	deleted, earliest, _ = f.o.Deleted(f.admin, "Account", start, f.clk.Now().Add(time.Second))
	if len(deleted) != 1 || deleted[0].ID != c || !earliest.After(mid) {
		t.Errorf("after the purge: Deleted = %v, earliest %v", deleted, earliest)
	}
	apiError(t, f.o.Undelete(f.ctx, f.admin, b), "NOT_FOUND", "The requested resource does not exist")
	// The standard user sees only their own leads in getUpdated.
	f.create(t, f.admin, "Lead", `{"LastName":"Hidden","Company":"C"}`)
	mine := f.create(t, f.user, "Lead", `{"LastName":"Mine","Company":"C"}`)
	if ids, _ := f.o.Updated(f.user, "Lead", start, f.clk.Now().Add(time.Second)); !slices.Equal(ids, []string{mine}) {
		t.Errorf("standard user's updated leads = %v", ids)
	}
}

func TestAtomically(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if err := f.o.ApplySchema("ext.yaml", []byte("version: 1\nobjects:\n- name: Account\n  fields:\n  - {name: Ext__c, type: string, length: 20, externalId: true}\n")); err != nil {
		t.Fatal(err)
	}
	keep := f.create(t, f.admin, "Account", `{"Name":"Keep"}`)
	counts := f.o.RecordCounts()
	var made []string
	f.o.Atomically(f.ctx, func(ctx context.Context) bool {
		for _, body := range []string{`{"Name":"One","Ext__c":"X-1"}`, `{"Name":"Two"}`} {
			in, _ := f.o.Registry().Object("Account").DecodeJSON([]byte(body))
			id, err := f.o.Create(ctx, f.admin, "Account", in)
			if err != nil {
				t.Fatal(err)
			}
			made = append(made, id)
		}
		in, _ := f.o.Input("Account", Values{"Name": "Changed"})
		if err := f.o.Update(ctx, f.admin, "", keep, in); err != nil {
			t.Fatal(err)
		}
		if err := f.o.Delete(ctx, f.admin, made[1]); err != nil {
			t.Fatal(err)
		}
		// A nested call joins the outer transaction.
		f.o.Atomically(ctx, func(ctx context.Context) bool {
			in, _ := f.o.Input("Contact", Values{"LastName": "Nested", "AccountId": made[0]})
			if _, err := f.o.Create(ctx, f.admin, "Contact", in); err != nil {
				t.Fatal(err)
			}
			return true
		})
		return false // roll back
	})
	if !equalCounts(f.o.RecordCounts(), counts) {
		t.Errorf("counts after rollback %v, want %v", f.o.RecordCounts(), counts)
	}
	for _, id := range made {
		if f.o.Lookup(id) != nil {
			t.Errorf("%s survived the rollback", id)
		}
	}
	if f.value(t, keep, "Name") != "Keep" {
		t.Error("the update was not rolled back")
	}
	// The external ID freed by the rollback can be used again.
	f.create(t, f.admin, "Account", `{"Name":"One again","Ext__c":"X-1"}`)
	if problems := f.o.Check(); len(problems) > 0 {
		t.Errorf("inconsistent after rollback: %v", problems)
	}
	committed := ""
	f.o.Atomically(f.ctx, func(ctx context.Context) bool {
		in, _ := f.o.Input("Account", Values{"Name": "Committed"})
		committed, _ = f.o.Create(ctx, f.admin, "Account", in)
		return true
	})
	if f.o.Lookup(committed) == nil {
		t.Error("a committed transaction was lost")
	}
}

// TestConcurrentWrites runs creates, updates and reads from many goroutines
// (go test -race checks the locking).
func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	f := setup(t)
	src := f.o.QuerySource()
	acct := f.o.Registry().Object("Account")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				in, _ := f.o.Input("Account", Values{"Name": "Concurrent", "NumberOfEmployees": g*100 + i})
				id, err := f.o.Create(f.ctx, f.admin, "Account", in)
				if err != nil {
					t.Error(err)
					return
				}
				if err := f.o.UpdateValues(f.ctx, f.admin, id, Values{"Phone": "1"}); err != nil {
					t.Error(err)
				}
				n := 0
				for range src.Scan(acct, false) {
					n++
				}
				if n == 0 {
					t.Error("scan saw nothing")
				}
			}
		}()
	}
	wg.Wait()
	if got := f.o.RecordCounts()["Account"]; got != 400 {
		t.Errorf("%d accounts, want 400", got)
	}
	if problems := f.o.Check(); len(problems) > 0 {
		t.Errorf("inconsistent: %v", problems)
	}
}
