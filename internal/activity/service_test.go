package activity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sfbridge/sfbridge/internal/salesforce"
)

func TestLogEmailShareIsOneTaskWithRelations(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := newService(t, DefaultSettings())
	account := records(t, f.admin, "SELECT Id FROM Account ORDER BY Name LIMIT 1")[0].ID()
	to := emails(t, f.admin, "SELECT Email FROM Contact WHERE Email != null AND AccountId = '"+account+"' ORDER BY Id", 1)
	to = append(to, emails(t, f.admin, "SELECT Email FROM Contact WHERE Email != null AND AccountId != '"+account+"' ORDER BY Id", 2)...)
	// Warm the describes, then count the calls of one logged activity.
	if _, err := svc.RelatedObjects(ctx, f.admin); err != nil {
		t.Fatal(err)
	}
	before := f.admin.Calls().API()
	e, err := svc.Log(ctx, f.admin, Request{Key: "k1", Kind: KindEmail, Recipients: to, Subject: "Pricing deck",
		Body: "As discussed.", Link: "https://content.example.com/deck", RelatedTo: account, Date: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if calls := f.admin.Calls().API() - before; calls != 2 {
		t.Errorf("API calls for one activity = %d, want 2 (one contact query, one composite)", calls)
	}
	if e.Status != StatusLogged || e.Object != "Task" || len(e.RelationIDs) != 2 || len(e.Unknown) != 0 || e.Attempts != 1 {
		t.Fatalf("entry = %+v", e)
	}
	task := records(t, f.admin, "SELECT Subject, Description, Status, Type, ActivityDate, WhoId, WhatId, IsClosed FROM Task WHERE Id = '"+e.ActivityID+"'")[0]
	got := map[string]string{}
	for _, n := range []string{"Subject", "Description", "Status", "Type", "ActivityDate", "WhoId", "WhatId"} {
		got[n] = str(task, n)
	}
	want := map[string]string{"Subject": "Pricing deck", "Description": "As discussed.\n\nhttps://content.example.com/deck",
		"Status": "Completed", "Type": "Email", "ActivityDate": "2026-03-02", "WhoId": e.Recipients[0].ID, "WhatId": account}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("task (-want +got):\n%s", diff)
	}
	var related []string
	for _, r := range records(t, f.admin, "SELECT RelationId FROM TaskRelation WHERE TaskId = '"+e.ActivityID+"' AND IsWhat = false") {
		related = append(related, str(r, "RelationId"))
	}
	var wantRelated []string
	for _, r := range e.Recipients {
		wantRelated = append(wantRelated, r.ID)
	}
	slices.Sort(related)
	slices.Sort(wantRelated)
	if diff := cmp.Diff(wantRelated, related); diff != "" {
		t.Errorf("task relations (-want +got):\n%s", diff)
	}
}

func TestLogMeetingIsAnEventWithAttendees(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := newService(t, DefaultSettings())
	to := emails(t, f.admin, "SELECT Email FROM Contact WHERE Email != null ORDER BY Id", 3)
	start := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	e, err := svc.Log(ctx, f.admin, Request{Key: "m1", Kind: KindMeeting, Recipients: to, Subject: "Demo", Start: start, End: start.Add(45 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if e.Object != "Event" || len(e.RelationIDs) != 2 {
		t.Fatalf("entry = %+v", e)
	}
	ev := records(t, f.admin, "SELECT DurationInMinutes, WhoId FROM Event WHERE Id = '"+e.ActivityID+"'")[0]
	if d, _ := ev.Int64("DurationInMinutes"); d != 45 || str(ev, "WhoId") != e.Recipients[0].ID {
		t.Errorf("event duration %d, who %s", d, str(ev, "WhoId"))
	}
	if n := len(records(t, f.admin, "SELECT Id FROM EventRelation WHERE EventId = '"+e.ActivityID+"' AND IsInvitee = true")); n != 2 {
		t.Errorf("invitees = %d, want 2", n)
	}
}

func TestSameKeyTwiceLogsOnce(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := newService(t, DefaultSettings())
	req := Request{Key: "same", Kind: KindLink, Recipients: emails(t, f.admin, "SELECT Email FROM Contact WHERE Email != null ORDER BY Id", 1),
		Subject: "Idempotent share", Link: "https://example.com/x"}
	first, err := svc.Log(ctx, f.admin, req)
	if err != nil {
		t.Fatal(err)
	}
	before := f.admin.Calls().API()
	second, err := svc.Log(ctx, f.admin, req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second log returned another entry (-first +second):\n%s", diff)
	}
	if calls := f.admin.Calls().API() - before; calls != 0 {
		t.Errorf("second log made %d API calls", calls)
	}
	if n := len(records(t, f.admin, "SELECT Id FROM Task WHERE Subject = 'Idempotent share'")); n != 1 {
		t.Errorf("tasks = %d, want 1", n)
	}
	// Another user's key is neither returned nor retried.
	if _, err := svc.Log(ctx, f.user, req); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("another user reusing the key: %v", err)
	}
	if _, err := svc.Retry(ctx, f.user, req.Key); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("another user retrying the key: %v", err)
	}
}

func TestUnknownEmail(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := newService(t, DefaultSettings())
	known := emails(t, f.admin, "SELECT Email FROM Contact WHERE Email != null ORDER BY Id", 1)[0]

	e, err := svc.Log(ctx, f.admin, Request{Key: "partly", Kind: KindEmail, Recipients: []string{"nobody@nowhere.example", known}, Subject: "Partly known"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != StatusLogged || !slices.Equal(e.Unknown, []string{"nobody@nowhere.example"}) || len(e.Recipients) != 1 {
		t.Errorf("entry = %+v", e)
	}

	e, err = svc.Log(ctx, f.admin, Request{Key: "none", Kind: KindEmail, Recipients: []string{"new.person@newco.example"}, Subject: "Nobody known"})
	var ue *UnknownRecipientsError
	if !errors.As(err, &ue) || !errors.Is(err, ErrNoKnownRecipient) || e.Status != StatusFailed || !strings.Contains(e.Error, "new.person@newco.example") {
		t.Fatalf("err = %v, entry = %+v", err, e)
	}
	// Once the contact exists, the failed entry can be retried.
	contact := salesforce.NewRecord("Contact").Set("LastName", "Person").Set("Email", "new.person@newco.example")
	if _, err := f.admin.Create(ctx, "Contact", contact); err != nil {
		t.Fatal(err)
	}
	failed, err := svc.Failed(ctx)
	if err != nil || len(failed) != 1 || failed[0].Key != "none" {
		t.Fatalf("failed = %v, %v", failed, err)
	}
	e, err = svc.Retry(ctx, f.admin, "none")
	if err != nil || e.Status != StatusLogged || e.Attempts != 2 || e.Error != "" {
		t.Fatalf("retry: %v, %+v", err, e)
	}
	if _, err := svc.Retry(ctx, f.admin, "none"); !errors.Is(err, ErrNotRetryable) {
		t.Errorf("retrying a logged entry: %v", err)
	}
}

func TestRestrictedUserSeesFewerRecipients(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	userTok := f.user.Token()
	// Leads are private: the standard user cannot see the admin's leads.
	adminLead := emails(t, f.admin, "SELECT Email FROM Lead WHERE Email != null AND IsConverted = false AND OwnerId != '"+userTok.UserID()+"' ORDER BY Id", 1)[0]
	// Contacts are visible through their account, whoever owns them.
	otherContact := emails(t, f.admin, "SELECT Email FROM Contact WHERE Email != null AND OwnerId != '"+userTok.UserID()+"' ORDER BY Id", 1)[0]
	ownContact := emails(t, f.admin, "SELECT Email FROM Contact WHERE Email != null AND OwnerId = '"+userTok.UserID()+"' ORDER BY Id", 1)[0]

	tests := []struct {
		name      string
		scope     RecipientScope
		conn      *salesforce.Client
		to        []string
		known     int
		unknown   []string
		wantError error
	}{
		{"admin sees the lead", ScopeVisible, f.admin, []string{adminLead}, 1, nil, nil},
		{"user cannot see the admin's lead", ScopeVisible, f.user, []string{adminLead, ownContact}, 1, []string{adminLead}, nil},
		{"user sees a contact of another owner", ScopeVisible, f.user, []string{otherContact}, 1, nil, nil},
		{"owned scope leaves it out", ScopeOwned, f.user, []string{otherContact}, 0, []string{otherContact}, ErrNoKnownRecipient},
		{"owned scope keeps the user's own", ScopeOwned, f.user, []string{ownContact}, 1, nil, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := newService(t, Settings{Scope: tt.scope})
			e, err := svc.Log(ctx, tt.conn, Request{Key: string(rune('a' + i)), Kind: KindEmail, Recipients: tt.to, Subject: tt.name})
			if !errors.Is(err, tt.wantError) || (tt.wantError == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantError)
			}
			if len(e.Recipients) != tt.known || !slices.Equal(e.Unknown, tt.unknown) {
				t.Errorf("recipients %v, unknown %v; want %d known, unknown %v", e.Recipients, e.Unknown, tt.known, tt.unknown)
			}
		})
	}
}

func TestTaskTypeMissingFromOrg(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	types := DefaultTypes()
	types[KindLink] = "Content Share"
	svc := newService(t, Settings{Types: types})
	to := emails(t, f.admin, "SELECT Email FROM Contact WHERE Email != null ORDER BY Id", 1)
	e, err := svc.Log(ctx, f.admin, Request{Key: "t", Kind: KindLink, Recipients: to, Subject: "Link", Link: "https://example.com/c"})
	var te *TypeValueError
	if !errors.As(err, &te) || te.Value != "Content Share" || !slices.Contains(te.Allowed, "Email") {
		t.Fatalf("err = %v", err)
	}
	if e.Status != StatusFailed || !strings.Contains(e.Error, `"Content Share"`) || e.ActivityID != "" {
		t.Errorf("entry = %+v", e)
	}
	// Resync reads the describes again (the emulator cannot add a value to
	// a standard picklist, so the value is still missing afterwards).
	before := f.admin.Calls().API()
	if err := svc.Resync(ctx, f.admin); err != nil {
		t.Fatal(err)
	}
	if f.admin.Calls().API() == before {
		t.Error("Resync read nothing from the org")
	}
	if _, err := svc.Retry(ctx, f.admin, "t"); !errors.Is(err, ErrTypeValue) {
		t.Errorf("retry: %v", err)
	}
}

const customObjects = `version: 1
objects:
- name: Project__c
  enableActivities: true
- name: Invoice__c
  enableActivities: false
`

func TestRelatedToCustomObjects(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if err := f.Emu.AddSchema("custom.yaml", []byte(customObjects)); err != nil {
		t.Fatal(err)
	}
	project, err := f.admin.Create(ctx, "Project__c", salesforce.NewRecord("Project__c").Set("Name", "Rollout"))
	if err != nil {
		t.Fatal(err)
	}
	invoice, err := f.admin.Create(ctx, "Invoice__c", salesforce.NewRecord("Invoice__c").Set("Name", "INV-1"))
	if err != nil {
		t.Fatal(err)
	}
	contact := records(t, f.admin, "SELECT Id, Email FROM Contact WHERE Email != null ORDER BY Id LIMIT 1")[0]
	svc := newService(t, Settings{RelatedObjects: []string{"Project__c", "Invoice__c"}})

	allowed, err := svc.RelatedObjects(ctx, f.admin)
	var re *RelatedObjectError
	if !errors.As(err, &re) || re.Object != "Invoice__c" || !strings.Contains(re.Reason, "Allow Activities") {
		t.Errorf("RelatedObjects error = %v", err)
	}
	if want := []string{"Account", "Opportunity", "Project__c"}; !slices.Equal(allowed, want) {
		t.Errorf("RelatedObjects = %v, want %v", allowed, want)
	}

	tests := []struct {
		name, relatedTo string
		wantErr         error
	}{
		{"custom object with activities", project, nil},
		{"custom object without activities", invoice, ErrRelatedObject},
		{"object not in the settings", contact.ID(), ErrRelatedObject},
		{"not an ID", "001xyz", ErrInvalidRequest},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := svc.Log(ctx, f.admin, Request{Key: tt.name, Kind: KindEmail, Recipients: []string{str(contact, "Email")},
				Subject: "Related " + string(rune('a'+i)), RelatedTo: tt.relatedTo})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil {
				what := records(t, f.admin, "SELECT WhatId FROM Task WHERE Id = '"+e.ActivityID+"'")[0]
				if str(what, "WhatId") != tt.relatedTo {
					t.Errorf("WhatId = %s", str(what, "WhatId"))
				}
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := newService(t, DefaultSettings())
	c := records(t, f.admin, "SELECT FirstName, Email FROM Contact WHERE Email != null ORDER BY Id LIMIT 1")[0]
	for _, prefix := range []string{str(c, "FirstName")[:2], strings.ToUpper(str(c, "Email")[:3])} {
		got, err := svc.Suggest(ctx, f.admin, prefix, 50)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(got, func(r Recipient) bool { return r.ID == c.ID() }) {
			t.Errorf("Suggest(%q) = %v, misses %s", prefix, got, c.ID())
		}
		for _, r := range got {
			if !strings.HasPrefix(strings.ToLower(r.Name), strings.ToLower(prefix)) && !strings.HasPrefix(strings.ToLower(r.Email), strings.ToLower(prefix)) &&
				!strings.Contains(strings.ToLower(r.Name), " "+strings.ToLower(prefix)) {
				t.Errorf("Suggest(%q) offered %+v", prefix, r)
			}
		}
	}
	if got, err := svc.Suggest(ctx, f.admin, "100%_", 5); err != nil || len(got) != 0 {
		t.Errorf("wildcards are literal: %v, %v", got, err)
	}
	if got, err := svc.Suggest(ctx, f.admin, "a", 3); err != nil || len(got) != 3 {
		t.Errorf("limit 3: %d suggestions, %v", len(got), err)
	}
}

func TestLeadsAndContactsOnOneActivity(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := newService(t, DefaultSettings())
	contacts := emails(t, f.admin, "SELECT Email FROM Contact WHERE Email != null ORDER BY Id", 2)
	leads := emails(t, f.admin, "SELECT Email FROM Lead WHERE Email != null AND IsConverted = false ORDER BY Id", 2)
	account := records(t, f.admin, "SELECT Id FROM Account ORDER BY Name LIMIT 1")[0].ID()
	objects := func(rs []Recipient) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Object)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name             string
		to               []string
		relatedTo        string
		related, leftOff string // objects of Recipients[0]+relations, and Unrelated
		relations        int
		wantErr          error
	}{
		{"lead first, contacts win", []string{leads[0], contacts[0], contacts[1]}, "", "Contact,Contact", "Lead", 1, nil},
		{"two leads: one is related", []string{leads[0], leads[1]}, "", "Lead", "Lead", 0, nil},
		{"a lead cannot go with a related record", []string{leads[0]}, account, "", "", 0, ErrLeadRelatedTo},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := svc.Log(ctx, f.admin, Request{Key: fmt.Sprint("mix", i), Kind: KindEmail, Recipients: tt.to, Subject: tt.name, RelatedTo: tt.relatedTo})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			var related []Recipient
			for _, r := range e.Recipients {
				if !slices.ContainsFunc(e.Unrelated, func(u Recipient) bool { return u.ID == r.ID }) {
					related = append(related, r)
				}
			}
			if objects(related) != tt.related || objects(e.Unrelated) != tt.leftOff || len(e.RelationIDs) != tt.relations {
				t.Errorf("related %s, left off %s, %d relations; want %s, %s, %d", objects(related), objects(e.Unrelated), len(e.RelationIDs), tt.related, tt.leftOff, tt.relations)
			}
		})
	}
}
