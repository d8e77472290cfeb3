package org

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
)

// epoch is when test orgs start: a Wednesday.
var epoch = time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC)

type fixture struct {
	o         *Org
	clk       *clock.Clock
	admin     *Principal
	user      *Principal
	ctx       context.Context
	otherUser string // a second standard user
}

// setup returns a fresh empty org with its two users, plus a second
// standard user.
func setup(t testing.TB) *fixture {
	t.Helper()
	clk := clock.New()
	clk.Set(epoch)
	o, err := New(Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{o: o, clk: clk, ctx: context.Background()}
	f.admin = f.as(t, AdminUsername)
	f.user = f.as(t, StandardUsername)
	f.otherUser, err = o.CreateUser(f.ctx, f.admin, NewUser{Username: "other@example.com", Password: "pw",
		FirstName: "Other", LastName: "Rep", Email: "other@example.com", Profile: StandardUser})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) as(t testing.TB, username string) *Principal {
	t.Helper()
	u, ok := f.o.UserByUsername(username)
	if !ok {
		t.Fatalf("no user %s", username)
	}
	p, err := f.o.As(u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// create makes a record from a JSON body and fails the test on error.
func (f *fixture) create(t testing.TB, as *Principal, object, body string) string {
	t.Helper()
	id, err := f.createErr(t, as, object, body)
	if err != nil {
		t.Fatalf("creating %s %s: %v", object, body, err)
	}
	return id
}

func (f *fixture) createErr(t testing.TB, as *Principal, object, body string) (string, error) {
	t.Helper()
	in, err := f.o.Registry().Object(object).DecodeJSON([]byte(body))
	if err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return f.o.Create(f.ctx, as, object, in)
}

func (f *fixture) update(t testing.TB, as *Principal, id, body string) error {
	t.Helper()
	in, err := f.o.Registry().ObjectForID(id).DecodeJSON([]byte(body))
	if err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return f.o.Update(f.ctx, as, "", id, in)
}

// value returns a field of a record, derived fields included.
func (f *fixture) value(t testing.TB, id, field string) any {
	t.Helper()
	r := f.o.Lookup(id)
	if r == nil {
		t.Fatalf("no record %s", id)
	}
	obj := f.o.Registry().Object(r.Object())
	fd := obj.Field(field)
	if fd == nil {
		t.Fatalf("no field %s.%s", obj.Name, field)
	}
	return obj.Value(r, fd)
}

// apiError asserts err is a *schema.Error with the given code, message and
// fields.
func apiError(t testing.TB, err error, code, message string, fields ...string) {
	t.Helper()
	var e *schema.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *schema.Error; want %s", err, code)
	}
	if fields == nil {
		fields = []string{}
	}
	if e.Code != code || e.Message != message || !slices.Equal(e.Fields, fields) {
		t.Errorf("error = %s %q %q\nwant    %s %q %q", e.Code, e.Message, e.Fields, code, message, fields)
	}
}

func TestBootstrap(t *testing.T) {
	t.Parallel()
	f := setup(t)
	o := f.o
	if !strings.HasPrefix(o.ID(), "00D") || !sfid.Valid(o.ID()) {
		t.Errorf("org ID %s", o.ID())
	}
	if got := f.value(t, o.ID(), "Name"); got != "sfbridge Emulator" {
		t.Errorf("Organization.Name = %v", got)
	}
	if got := f.value(t, o.ID(), "DefaultOpportunityAccess"); got != "None" {
		t.Errorf("DefaultOpportunityAccess = %v, want None (private)", got)
	}
	admin, ok := o.Authenticate("ADMIN@example.com", DevPassword)
	if !ok || admin.Profile != SystemAdministrator || !admin.Active || admin.TimeZone != "America/Los_Angeles" {
		t.Errorf("admin = %+v, %v", admin, ok)
	}
	user, ok := o.Authenticate(StandardUsername, DevPassword)
	if !ok || user.Profile != StandardUser || user.FirstName != "Standard" {
		t.Errorf("standard user = %+v, %v", user, ok)
	}
	if _, ok := o.Authenticate(StandardUsername, "wrong"); ok {
		t.Error("a wrong password authenticated")
	}
	if _, ok := o.Authenticate("nobody@example.com", DevPassword); ok {
		t.Error("an unknown user authenticated")
	}
	if got := f.value(t, admin.ID, "Name"); got != "Admin User" {
		t.Errorf("User.Name = %v", got)
	}
	if got := f.value(t, admin.ID, "CreatedById"); got != admin.ID {
		t.Errorf("the admin was created by %v", got)
	}
	want := map[string]int{"Organization": 1, "Profile": 2, "User": 3}
	for k, v := range o.RecordCounts() {
		if want[k] != v {
			t.Errorf("RecordCounts()[%s] = %d, want %d", k, v, want[k])
		}
	}
	if problems := o.Check(); len(problems) > 0 {
		t.Errorf("the empty org fails its own check: %v", problems)
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	acct := f.create(t, f.admin, "Account", `{"Name":"Acme"}`)
	contact := f.create(t, f.admin, "Contact", `{"LastName":"Smith","AccountId":"`+acct+`"}`)
	gone := f.create(t, f.admin, "Account", `{"Name":"Gone"}`)
	if err := f.o.Delete(f.ctx, f.admin, gone); err != nil {
		t.Fatal(err)
	}
	missing, _ := sfid.New("001", "5g", 999999)
	adminOpp := f.create(t, f.admin, "Opportunity", `{"Name":"Big deal","StageName":"Prospecting","CloseDate":"2026-06-30"}`)
	long := strings.Repeat("x", 256)
	tests := []struct {
		name, object, body string
		as                 *Principal
		code, message      string
		fields             []string
	}{
		{"required", "Contact", `{"FirstName":"Ann"}`, f.admin,
			"REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", []string{"LastName"}},
		{"several required", "Opportunity", `{"Amount":10}`, f.admin,
			"REQUIRED_FIELD_MISSING", "Required fields are missing: [Name, StageName, CloseDate]", []string{"Name", "StageName", "CloseDate"}},
		{"null required", "Lead", `{"LastName":"Lee","Company":null}`, f.admin,
			"REQUIRED_FIELD_MISSING", "Required fields are missing: [Company]", []string{"Company"}},
		{"too long", "Account", `{"Name":"` + long + `"}`, f.admin,
			"STRING_TOO_LONG", "Account Name: data value too large: " + long + " (max length=255)", []string{"Name"}},
		{"restricted picklist", "Account", `{"Name":"A","BillingGeocodeAccuracy":"Nowhere"}`, f.admin,
			"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Billing Geocode Accuracy: bad value for restricted picklist field: Nowhere", []string{"BillingGeocodeAccuracy"}},
		{"restricted multi", "Task", `{"Subject":"x","TaskSubtype":"Fax"}`, f.admin,
			"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Task Subtype: bad value for restricted picklist field: Fax", []string{"TaskSubtype"}},
		{"malformed id", "Contact", `{"LastName":"x","AccountId":"abc"}`, f.admin,
			"MALFORMED_ID", "Account ID: id value of incorrect type: abc", []string{"AccountId"}},
		{"wrong target", "Contact", `{"LastName":"x","AccountId":"` + contact + `"}`, f.admin,
			"FIELD_INTEGRITY_EXCEPTION", "Account ID: id value of incorrect type: " + contact, []string{"AccountId"}},
		{"wrong polymorphic target", "Task", `{"Subject":"x","WhoId":"` + acct + `"}`, f.admin,
			"FIELD_INTEGRITY_EXCEPTION", "Name ID: id value of incorrect type: " + acct, []string{"WhoId"}},
		{"missing parent", "Contact", `{"LastName":"x","AccountId":"` + missing + `"}`, f.admin,
			"INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", []string{"AccountId"}},
		{"deleted parent", "Contact", `{"LastName":"x","AccountId":"` + gone + `"}`, f.admin,
			"ENTITY_IS_DELETED", "entity is deleted", []string{"AccountId"}},
		{"read-only field", "Account", `{"Name":"A","CreatedDate":"2020-01-01T00:00:00Z","IsDeleted":true}`, f.admin,
			"INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: CreatedDate, IsDeleted. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
			[]string{"CreatedDate", "IsDeleted"}},
		{"formula field", "Opportunity", `{"Name":"o","StageName":"Prospecting","CloseDate":"2026-01-01","ExpectedRevenue":5}`, f.admin,
			"INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: ExpectedRevenue. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
			[]string{"ExpectedRevenue"}},
		{"id on insert", "Account", `{"Name":"A","Id":"` + acct + `"}`, f.admin,
			"INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", []string{"Id"}},
		{"email", "Contact", `{"LastName":"x","Email":"not-an-email"}`, f.admin,
			"INVALID_EMAIL_ADDRESS", "Email: invalid email address: not-an-email", []string{"Email"}},
		{"int digits", "Account", `{"Name":"A","NumberOfEmployees":123456789}`, f.admin,
			"NUMBER_OUTSIDE_VALID_RANGE", "Employees: value outside of valid range on numeric field: 123456789", []string{"NumberOfEmployees"}},
		{"currency precision", "Account", `{"Name":"A","AnnualRevenue":1e19}`, f.admin,
			"NUMBER_OUTSIDE_VALID_RANGE", "Annual Revenue: value outside of valid range on numeric field: 1.0E19", []string{"AnnualRevenue"}},
		{"not createable object", "Report", `{}`, f.admin,
			"INVALID_TYPE_FOR_OPERATION", "entity type cannot be inserted", nil},
		{"unreadable field", "Account", `{"Name":"A","AnnualRevenue":5}`, f.user,
			"INVALID_FIELD", "No such column 'AnnualRevenue' on sobject of type Account", nil},
		{"read-only for the profile", "Lead", `{"LastName":"L","Company":"C","Rating":"Hot"}`, f.user,
			"INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: Rating. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
			[]string{"Rating"}},
		{"invisible parent", "Task", `{"Subject":"x","WhatId":"` + adminOpp + `"}`, f.user,
			"INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY", "insufficient access rights on cross-reference id", nil},
		{"timed event without end", "Event", `{"Subject":"Demo","StartDateTime":"2026-03-20T15:00:00Z"}`, f.admin,
			"REQUIRED_FIELD_MISSING", "Required fields are missing: [DurationInMinutes]", []string{"DurationInMinutes"}},
		{"event end before start", "Event", `{"Subject":"Demo","StartDateTime":"2026-03-20T15:00:00Z","EndDateTime":"2026-03-20T14:00:00Z"}`, f.admin,
			"FIELD_INTEGRITY_EXCEPTION", "End Date Time: End date/time must be after the start date/time", []string{"EndDateTime"}},
		{"campaign member without member", "CampaignMember", `{"CampaignId":"` + f.create(t, f.admin, "Campaign", `{"Name":"C"}`) + `"}`, f.admin,
			"REQUIRED_FIELD_MISSING", "Required fields are missing: [ContactId, LeadId]", []string{"ContactId", "LeadId"}},
		{"duplicate username", "User", `{"Username":"USER@example.com","LastName":"x","Email":"x@example.com","Alias":"x","TimeZoneSidKey":"GMT","LocaleSidKey":"en_US","EmailEncodingKey":"UTF-8","LanguageLocaleKey":"en_US","ProfileId":"` + f.user.profile.ID + `"}`, f.admin,
			"DUPLICATE_USERNAME", "Duplicate Username. The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address).",
			[]string{"Username"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.o.RecordCounts()[tt.object]
			_, err := f.createErr(t, tt.as, tt.object, tt.body)
			apiError(t, err, tt.code, tt.message, tt.fields...)
			if after := f.o.RecordCounts()[tt.object]; after != before {
				t.Errorf("a failed create left a record: %d -> %d", before, after)
			}
		})
	}
}

func TestValuesAreNormalized(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id := f.create(t, f.admin, "Account", `{"Name":"Acme","AnnualRevenue":1234.6,"Industry":"spaceflight","Rating":"hot","BillingGeocodeAccuracy":"zip"}`)
	tests := []struct {
		field string
		want  any
	}{
		{"AnnualRevenue", 1235.0},   // currency(18,0) is rounded to its scale
		{"Industry", "spaceflight"}, // unrestricted picklists keep any value
		{"Rating", "Hot"},           // known values take their canonical case
		{"BillingGeocodeAccuracy", "Zip"},
		{"OwnerId", f.admin.UserID()}, // the creator owns the record
		{"IsPartner", false},          // checkboxes are never null
	}
	for _, tt := range tests {
		if got := f.value(t, id, tt.field); got != tt.want {
			t.Errorf("%s = %#v, want %#v", tt.field, got, tt.want)
		}
	}
	task := f.create(t, f.admin, "Task", `{"Subject":"x","ActivityDate":"2026-04-01"}`)
	if got := f.value(t, task, "ActivityDate"); got != time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC) {
		t.Errorf("ActivityDate = %v", got)
	}
	inv, err := f.o.Registry().Apply("multi.yaml", []byte("version: 1\nobjects:\n- name: Account\n  fields:\n  - {name: Tags__c, type: multipicklist, restricted: true, values: [Red, Green, Blue]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	f.o.mu.Lock()
	f.o.setRegistry(inv)
	f.o.mu.Unlock()
	multi := f.create(t, f.admin, "Account", `{"Name":"M","Tags__c":"green; Red;GREEN"}`)
	if got := f.value(t, multi, "Tags__c"); got != "Green;Red" {
		t.Errorf("Tags__c = %v, want Green;Red", got)
	}
	_, err = f.createErr(t, f.admin, "Account", `{"Name":"M","Tags__c":"Red;Purple"}`)
	apiError(t, err, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Tags: bad value for restricted picklist field: Purple", "Tags__c")
}

func TestAuditFields(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id := f.create(t, f.user, "Account", `{"Name":"Mine"}`)
	r := f.o.Lookup(id)
	if len(id) != 18 || !strings.HasPrefix(id, "001") || !sfid.Valid(id) {
		t.Errorf("ID %s", id)
	}
	if f.o.Lookup(id[:15]) != r {
		t.Error("the 15-character ID does not find the record")
	}
	for _, field := range []string{"CreatedById", "LastModifiedById", "OwnerId"} {
		if got := f.value(t, id, field); got != f.user.UserID() {
			t.Errorf("%s = %v, want the standard user", field, got)
		}
	}
	created := f.value(t, id, "CreatedDate").(time.Time)
	if d := created.Sub(epoch); d < 0 || d > time.Minute {
		t.Errorf("CreatedDate %v is not the clock's time %v", created, epoch)
	}
	f.clk.Advance(time.Hour)
	if err := f.update(t, f.admin, id, `{"Phone":"555"}`); err != nil {
		t.Fatal(err)
	}
	if got := f.value(t, id, "LastModifiedById"); got != f.admin.UserID() {
		t.Errorf("LastModifiedById = %v", got)
	}
	if got := f.value(t, id, "CreatedDate"); got != created {
		t.Errorf("CreatedDate changed to %v", got)
	}
	modified := f.value(t, id, "LastModifiedDate").(time.Time)
	if modified.Sub(created) < time.Hour-time.Second || f.value(t, id, "SystemModstamp") != modified {
		t.Errorf("LastModifiedDate %v, SystemModstamp %v after an update an hour later", modified, f.value(t, id, "SystemModstamp"))
	}
	// The clock does not move within a millisecond, SystemModstamp does.
	f.clk.Set(epoch.Add(24 * time.Hour))
	var prev time.Time
	for i := range 50 {
		id := f.create(t, f.admin, "Account", `{"Name":"Burst"}`)
		stamp := f.value(t, id, "SystemModstamp").(time.Time)
		if i > 0 && !stamp.After(prev) {
			t.Fatalf("SystemModstamp %v does not follow %v", stamp, prev)
		}
		prev = stamp
	}
}

func TestDerivedValues(t *testing.T) {
	t.Parallel()
	f := setup(t)
	acct := f.create(t, f.admin, "Account", `{"Name":"Acme"}`)
	contact := f.create(t, f.admin, "Contact", `{"FirstName":"Ada","LastName":"Lovelace","AccountId":"`+acct+`","Phone":"555-0100","Email":"ada@acme.example.com"}`)
	opp := f.create(t, f.admin, "Opportunity", `{"Name":"Deal","StageName":"Proposal/Price Quote","CloseDate":"2026-08-15","Amount":20000}`)
	check := func(id string, want map[string]any) {
		t.Helper()
		for field, v := range want {
			if got := f.value(t, id, field); got != v {
				t.Errorf("%s.%s = %#v, want %#v", f.o.Lookup(id).Object(), field, got, v)
			}
		}
	}
	check(opp, map[string]any{"Probability": 75.0, "ExpectedRevenue": 15000.0, "IsClosed": false, "IsWon": false,
		"ForecastCategoryName": "Pipeline", "ForecastCategory": "Pipeline", "FiscalYear": int64(2026), "FiscalQuarter": int64(3),
		"Fiscal": "2026 3", "LastStageChangeDate": nil})
	if err := f.update(t, f.admin, opp, `{"StageName":"Closed Won"}`); err != nil {
		t.Fatal(err)
	}
	check(opp, map[string]any{"Probability": 100.0, "ExpectedRevenue": 20000.0, "IsClosed": true, "IsWon": true,
		"ForecastCategoryName": "Closed", "ForecastCategory": "Closed"})
	if f.value(t, opp, "LastStageChangeDate") == nil {
		t.Error("LastStageChangeDate not set by a stage change")
	}
	// A probability given with the stage wins over the stage's default.
	custom := f.create(t, f.admin, "Opportunity", `{"Name":"D2","StageName":"Prospecting","CloseDate":"2026-01-01","Probability":35,"ForecastCategoryName":"Best Case"}`)
	check(custom, map[string]any{"Probability": 35.0, "ForecastCategory": "BestCase"})

	case1 := f.create(t, f.admin, "Case", `{"Subject":"Broken","ContactId":"`+contact+`"}`)
	case2 := f.create(t, f.admin, "Case", `{"Subject":"Also broken"}`)
	check(case1, map[string]any{"CaseNumber": "00001001", "Status": "New", "Priority": "Medium", "IsClosed": false,
		"ClosedDate": nil, "AccountId": acct, "ContactPhone": "555-0100", "ContactEmail": "ada@acme.example.com"})
	check(case2, map[string]any{"CaseNumber": "00001002"})
	if err := f.update(t, f.admin, case1, `{"Status":"Closed"}`); err != nil {
		t.Fatal(err)
	}
	check(case1, map[string]any{"IsClosed": true})
	if f.value(t, case1, "ClosedDate") == nil {
		t.Error("ClosedDate not set when the case closed")
	}
	if err := f.update(t, f.admin, case1, `{"Status":"Working"}`); err != nil {
		t.Fatal(err)
	}
	check(case1, map[string]any{"IsClosed": false, "ClosedDate": nil})

	check(contact, map[string]any{"Name": "Ada Lovelace"})
	task := f.create(t, f.admin, "Task", `{"Subject":"Call","WhoId":"`+contact+`","Status":"In Progress"}`)
	check(task, map[string]any{"IsClosed": false, "Priority": "Normal", "AccountId": acct, "TaskSubtype": "Task", "CompletedDateTime": nil})
	if err := f.update(t, f.admin, task, `{"Status":"Completed","Priority":"High"}`); err != nil {
		t.Fatal(err)
	}
	check(task, map[string]any{"IsClosed": true, "IsHighPriority": true})
	if f.value(t, task, "CompletedDateTime") == nil {
		t.Error("CompletedDateTime not set")
	}
	// Shared Activities: one TaskRelation per related contact or record.
	if err := f.update(t, f.admin, task, `{"WhatId":"`+opp+`"}`); err != nil {
		t.Fatal(err)
	}
	rels := f.relations(t, "TaskRelation", "TaskId", task)
	if len(rels) != 2 || rels[contact] != false || rels[opp] != true {
		t.Errorf("TaskRelations = %v, want the contact (not What) and the opportunity (What)", rels)
	}
	check(task, map[string]any{"AccountId": acct}) // the opportunity has no account: the contact's

	event := f.create(t, f.admin, "Event", `{"Subject":"Demo","StartDateTime":"2026-03-20T15:00:00Z","DurationInMinutes":90,"WhoId":"`+contact+`"}`)
	check(event, map[string]any{"ActivityDateTime": time.Date(2026, 3, 20, 15, 0, 0, 0, time.UTC),
		"EndDateTime": time.Date(2026, 3, 20, 16, 30, 0, 0, time.UTC), "ActivityDate": time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC),
		"EventSubtype": "Event", "ShowAs": "Busy", "AccountId": acct})
	if err := f.update(t, f.admin, event, `{"EndDateTime":"2026-03-20T17:00:00Z"}`); err != nil {
		t.Fatal(err)
	}
	check(event, map[string]any{"DurationInMinutes": int64(120)})
	if rels := f.relations(t, "EventRelation", "EventId", event); len(rels) != 1 {
		t.Errorf("EventRelations = %v, want the contact", rels)
	}
	allDay := f.create(t, f.admin, "Event", `{"Subject":"Offsite","IsAllDayEvent":true,"ActivityDate":"2026-04-02"}`)
	check(allDay, map[string]any{"DurationInMinutes": int64(1440), "StartDateTime": time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC),
		"EndDate": time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)})

	camp := f.create(t, f.admin, "Campaign", `{"Name":"Webinar"}`)
	member := f.create(t, f.admin, "CampaignMember", `{"CampaignId":"`+camp+`","ContactId":"`+contact+`"}`)
	check(member, map[string]any{"Status": "Sent", "HasResponded": false, "FirstName": "Ada", "LastName": "Lovelace",
		"Name": "Ada Lovelace", "CompanyOrAccount": "Acme", "Type": "Contact", "LeadOrContactId": contact})
	_, err := f.createErr(t, f.admin, "CampaignMember", `{"CampaignId":"`+camp+`","ContactId":"`+contact+`"}`)
	apiError(t, err, "DUPLICATE_VALUE", "Already a campaign member.")
	if err := f.update(t, f.admin, member, `{"Status":"Responded"}`); err != nil {
		t.Fatal(err)
	}
	check(member, map[string]any{"HasResponded": true})

	order := f.create(t, f.admin, "Order", `{"AccountId":"`+acct+`","EffectiveDate":"2026-03-01"}`)
	check(order, map[string]any{"Status": "Draft", "StatusCode": "Draft", "OrderNumber": "00000100"})
	if err := f.update(t, f.admin, order, `{"Status":"Activated"}`); err != nil {
		t.Fatal(err)
	}
	check(order, map[string]any{"StatusCode": "Activated", "ActivatedById": f.admin.UserID()})
}

// relations returns the live relation records of an activity: RelationId
// -> IsWhat.
func (f *fixture) relations(t testing.TB, object, parent, id string) map[string]any {
	t.Helper()
	obj := f.o.Registry().Object(object)
	out := map[string]any{}
	for r := range f.o.QuerySource().Children(obj.Field(parent), id, false) {
		out[r.Get(obj.Field("RelationId")).(string)] = r.Get(obj.Field("IsWhat"))
	}
	return out
}

func TestFiles(t *testing.T) {
	t.Parallel()
	f := setup(t)
	acct := f.create(t, f.admin, "Account", `{"Name":"Acme"}`)
	v1 := f.create(t, f.admin, "ContentVersion", `{"Title":"Plan","PathOnClient":"plan.pdf","VersionData":"aGVsbG8=","FirstPublishLocationId":"`+acct+`"}`)
	doc := f.value(t, v1, "ContentDocumentId").(string)
	if !strings.HasPrefix(doc, "069") {
		t.Fatalf("ContentDocumentId = %s", doc)
	}
	want := map[string]any{"FileType": "PDF", "FileExtension": "pdf", "ContentSize": int64(5), "VersionNumber": "1",
		"IsLatest": true, "Checksum": "5d41402abc4b2a76b9719d911017c592", "PublishStatus": "P"}
	for k, v := range want {
		if got := f.value(t, v1, k); got != v {
			t.Errorf("ContentVersion.%s = %v, want %v", k, got, v)
		}
	}
	if got := f.value(t, doc, "LatestPublishedVersionId"); got != v1 {
		t.Errorf("LatestPublishedVersionId = %v", got)
	}
	v2 := f.create(t, f.admin, "ContentVersion", `{"Title":"Plan v2","PathOnClient":"plan.docx","VersionData":"aGk=","ContentDocumentId":"`+doc+`"}`)
	if f.value(t, v2, "VersionNumber") != "2" || f.value(t, v1, "IsLatest") != false || f.value(t, doc, "LatestPublishedVersionId") != v2 ||
		f.value(t, doc, "Title") != "Plan v2" || f.value(t, doc, "FileType") != "WORD_X" {
		t.Error("a second version did not become the document's latest")
	}
	_, err := f.createErr(t, f.admin, "ContentVersion", `{"Title":"x"}`)
	apiError(t, err, "REQUIRED_FIELD_MISSING", "Required fields are missing: [VersionData]", "VersionData")
	err = f.o.Delete(f.ctx, f.admin, v1)
	apiError(t, err, "INVALID_TYPE_FOR_OPERATION", "entity type cannot be deleted")
	if err := f.o.Delete(f.ctx, f.admin, doc); err != nil {
		t.Fatal(err)
	}
	if f.o.Lookup(v2).Deleted() != true {
		t.Error("deleting the document did not delete its versions")
	}
}

func TestUpdateErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	acct := f.create(t, f.admin, "Account", `{"Name":"Acme"}`)
	lead := f.create(t, f.admin, "Lead", `{"LastName":"L","Company":"C","IsConverted":true}`)
	if got := f.value(t, lead, "Status"); got != "Closed - Converted" {
		t.Errorf("converted lead Status = %v", got)
	}
	apiError(t, f.update(t, f.admin, lead, `{"Company":"D"}`), "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
	apiError(t, f.update(t, f.admin, acct, `{"Name":null}`), "REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", "Name")
	apiError(t, f.update(t, f.admin, acct, `{"CreatedById":"`+f.admin.UserID()+`"}`), "INVALID_FIELD_FOR_INSERT_UPDATE",
		"Unable to create/update fields: CreatedById. Please check the security settings of this field and verify that it is read/write for your profile or permission set.", "CreatedById")
	if err := f.update(t, f.admin, acct, `{"Id":"`+acct[:15]+`","Phone":"1"}`); err != nil {
		t.Errorf("an update repeating the record's Id failed: %v", err)
	}
	other, _ := sfid.New("001", "5g", 424242)
	apiError(t, f.update(t, f.admin, other, `{"Phone":"1"}`), "NOT_FOUND", "The requested resource does not exist")
	apiError(t, f.o.Update(f.ctx, f.admin, "Contact", acct, &schema.Input{}), "NOT_FOUND", "The requested resource does not exist")
	apiError(t, f.o.Update(f.ctx, f.admin, "", "bogus", &schema.Input{}), "MALFORMED_ID", "malformed id bogus")
	if err := f.o.Delete(f.ctx, f.admin, acct); err != nil {
		t.Fatal(err)
	}
	apiError(t, f.update(t, f.admin, acct, `{"Phone":"2"}`), "ENTITY_IS_DELETED", "entity is deleted")
	_, err := f.o.Get(f.admin, acct)
	apiError(t, err, "ENTITY_IS_DELETED", "entity is deleted")
	// An inactive user cannot own records.
	if err := f.update(t, f.admin, f.otherUser, `{"IsActive":false}`); err != nil {
		t.Fatal(err)
	}
	_, err = f.createErr(t, f.admin, "Account", `{"Name":"X","OwnerId":"`+f.otherUser+`"}`)
	apiError(t, err, "INACTIVE_OWNER_OR_USER", "operation performed with inactive user ["+f.otherUser+"] as owner of [account]")
	apiError(t, f.o.Delete(f.ctx, f.admin, f.otherUser), "INVALID_TYPE_FOR_OPERATION", "entity type cannot be deleted")
}
