package activity

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
)

// source is a SettingsSource an admin changes during a test.
type source struct {
	mu sync.Mutex
	st Settings
}

func (s *source) ActivitySettings(context.Context) (Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st, nil
}

func (s *source) set(fn func(*Settings)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.st)
}

// TestSettingsReadAtEveryLog: a service on a SettingsSource applies what
// the admin saves at the next log, and reads the org again for everyone
// once the settings say it was re-synced.
func TestSettingsReadAtEveryLog(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	src := &source{st: DefaultSettings()}
	svc := newService(t, Settings{})
	svc.UseSettings(src)
	to := emails(t, f.admin, "SELECT Email FROM Contact WHERE Email != null ORDER BY Id", 1)
	if _, err := svc.RelatedObjects(ctx, f.user); err != nil { // the user's view of the org, read now
		t.Fatal(err)
	}

	src.set(func(s *Settings) { s.Types = map[Kind]string{KindLink: "Content Share"} })
	if _, err := svc.Log(ctx, f.admin, Request{Key: "a", Kind: KindLink, Recipients: to, Subject: "Link a"}); !errors.Is(err, ErrTypeValue) {
		t.Fatalf("log with a missing Type value: %v, want ErrTypeValue", err)
	}
	src.set(func(s *Settings) { s.Types = map[Kind]string{KindLink: "Other"} })
	e, err := svc.Log(ctx, f.admin, Request{Key: "b", Kind: KindLink, Recipients: to, Subject: "Link b"})
	if err != nil || e.Status != StatusLogged {
		t.Fatalf("log after the admin fixed the mapping: %+v, %v", e, err)
	}
	if got := records(t, f.admin, "SELECT Type FROM Task WHERE Id = '"+e.ActivityID+"'"); str(got[0], "Type") != "Other" {
		t.Errorf("Task Type = %q, want Other", str(got[0], "Type"))
	}

	// A custom object created after the org was read is unknown until the
	// settings are re-synced, for every user.
	if err := f.Emu.AddSchema("p.yaml", []byte("version: 1\nobjects:\n- name: Project__c\n  enableActivities: true\n")); err != nil {
		t.Fatal(err)
	}
	src.set(func(s *Settings) { s.RelatedObjects = []string{"Project__c"} })
	for i, who := range []Conn{f.admin, f.user} {
		if allowed, err := svc.RelatedObjects(ctx, who); !errors.Is(err, ErrRelatedObject) || slices.Contains(allowed, "Project__c") {
			t.Errorf("connection %d before a re-sync: %v, %v; want Project__c unknown", i, allowed, err)
		}
	}
	src.set(func(s *Settings) { s.ResyncedAt = svc.now() })
	for i, who := range []Conn{f.admin, f.user} {
		if allowed, err := svc.RelatedObjects(ctx, who); err != nil || !slices.Contains(allowed, "Project__c") {
			t.Errorf("connection %d after a re-sync: %v, %v; want Project__c allowed", i, allowed, err)
		}
	}

	rep, err := svc.Check(ctx, f.admin, Settings{Types: map[Kind]string{KindEmail: "Webinar", KindLink: "Other"}, RelatedObjects: []string{"Nope__c"}})
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Missing(); len(m) != 1 || m[0].Kind != KindEmail || m[0].Value != "Webinar" || !slices.Contains(m[0].Values, "Email") {
		t.Errorf("missing = %+v, want email → Webinar", m)
	}
	var re *RelatedObjectError
	if err := rep.Refused(); !errors.As(err, &re) || re.Object != "Nope__c" {
		t.Errorf("refused = %v, want Nope__c", err)
	}
}
