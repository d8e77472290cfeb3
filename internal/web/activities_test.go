package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
)

// linkedConns is an api.Connections over clients linked in the test.
type linkedConns struct {
	mu      sync.Mutex
	clients map[int64]*salesforce.Client
}

func (l *linkedConns) ClientFor(_ context.Context, userID int64) (*salesforce.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.clients[userID]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("user %d: %w", userID, api.ErrNotConnected)
}

// sfConsole is the console over an API whose people act in an emulated
// org: activities, searches and list views go to Salesforce.
type sfConsole struct {
	*fixture
	org   *sfemutest.Org
	admin *salesforce.Client // the org's admin, to check what happened
	conns *linkedConns
}

func setupSF(t testing.TB) *sfConsole {
	t.Helper()
	org := sfemutest.Start(t, sfemu.Options{Seed: "demo"})
	f := &fixture{t: t, db: testDB(t), now: time.Now().UTC().Truncate(time.Second)}
	f.store = api.NewStore(f.db)
	conns := &linkedConns{clients: map[int64]*salesforce.Client{}}
	apiSrv, err := api.New(api.Options{Store: f.store, Password: cheapPasswords, Now: f.clock, Logger: slog.New(slog.DiscardHandler),
		Connections: conns, Activities: f.db.Activities(), Choices: f.db.ListViewChoices()})
	if err != nil {
		t.Fatal(err)
	}
	if f.handler, err = New(Options{API: apiSrv, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	return &sfConsole{fixture: f, org: org, admin: org.Connect(t, sfemutest.Admin), conns: conns}
}

// person creates a person with roles, linked to the Salesforce user sfUser
// ("" for none).
func (s *sfConsole) person(login, sfUser string, roles ...access.Role) api.User {
	s.t.Helper()
	u := s.user(login, roles...)
	if sfUser != "" {
		cl := s.org.Connect(s.t, sfUser)
		s.conns.mu.Lock()
		s.conns.clients[u.ID] = cl
		s.conns.mu.Unlock()
	}
	return u
}

// values returns field of every record soql selects, as the org admin.
func (s *sfConsole) values(soql, field string) []string {
	s.t.Helper()
	var out []string
	for r, err := range s.admin.Query(context.Background(), soql) {
		if err != nil {
			s.t.Fatalf("%s: %v", soql, err)
		}
		v, _ := r.String(field)
		out = append(out, v)
	}
	return out
}

// formKey returns the idempotency key of the page's log form.
func formKey(t *testing.T, r response) string {
	t.Helper()
	m := regexp.MustCompile(`name="key" value="([0-9a-f]{32})"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("%s has no log form with a key:\n%s", r.path, r.body)
	}
	return m[1]
}

func TestLogActivityFromTheConsole(t *testing.T) {
	t.Parallel()
	s := setupSF(t)
	s.person("ana@example.com", sfemutest.Admin, access.ConnectorUser)
	b := s.signedIn("ana@example.com")
	to := s.values("SELECT Email FROM Contact WHERE Email != null ORDER BY Id LIMIT 1", "Email")[0]

	r := b.get("/activities")
	r.has(t, `action="/activities"`, "You have logged no activity yet.", `data-suggest="/api/v1/recipients"`)
	key := formKey(t, r)
	if again := formKey(t, b.get("/activities")); again == key {
		t.Errorf("two renders of the form share the key %s; each form needs its own", key)
	}
	form := url.Values{"key": {key}, "kind": {"email"}, "recipients": {to + ", nobody@nowhere.example"},
		"subject": {"Console deck sfb-7"}, "link": {"https://content.example.com/deck"}}
	r = b.post("/activities", form)
	if r.path != "/activities?done=activity_logged_some_unknown" {
		t.Fatalf("logging ended at %s (%d):\n%s", r.path, r.status, r.body)
	}
	r.has(t, "The activity is logged in Salesforce", "Console deck sfb-7", "nobody@nowhere.example", "/lightning/r/Task/")
	// The same form sent twice (a double click) logs once.
	b.post("/activities", form)
	if tasks := s.values("SELECT Id FROM Task WHERE Subject = 'Console deck sfb-7'", "Id"); len(tasks) != 1 {
		t.Errorf("tasks in Salesforce = %v, want exactly one", tasks)
	}

	// A meeting's times are read as UTC, and it becomes an Event.
	r = b.post("/activities", url.Values{"key": {formKey(t, r)}, "kind": {"meeting"}, "recipients": {to}, "subject": {"Console meeting sfb-7"},
		"start": {"2026-12-01T09:30"}, "end": {"2026-12-01T10:15"}})
	if r.path != "/activities?done=activity_logged" {
		t.Fatalf("logging a meeting ended at %s (%d):\n%s", r.path, r.status, r.body)
	}
	if start := s.values("SELECT StartDateTime FROM Event WHERE Subject = 'Console meeting sfb-7'", "StartDateTime"); len(start) != 1 || !strings.HasPrefix(start[0], "2026-12-01T09:30:00") {
		t.Errorf("Event start = %v, want 2026-12-01T09:30 UTC", start)
	}

	// A refused request shows the field and keeps what was typed.
	r = b.post("/activities", url.Values{"key": {formKey(t, r)}, "kind": {"email"}, "recipients": {"not an address"}, "subject": {"Kept"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("an invalid address: status %d, want 400", r.status)
	}
	r.has(t, "Some fields need a change", `value="not an address"`, `value="Kept"`,
		"“not” is not a plain email address such as ana@example.com: correct it or remove it.")
	// In French, the address's message is French too, not the API's English.
	b.header.Set("Accept-Language", "fr")
	r = b.post("/activities", url.Values{"key": {formKey(t, r)}, "kind": {"email"}, "recipients": {to + ", bad"}, "subject": {"Gardé"}})
	r.has(t, "« bad » n’est pas une simple adresse e-mail", `value="Gardé"`)
	r.lacks(t, "is not a plain email address")
	b.header.Del("Accept-Language")

	// Nothing logged for an unknown address: a failure to retry.
	r = b.post("/activities", url.Values{"key": {formKey(t, r)}, "kind": {"email"}, "recipients": {"nobody@nowhere.example"}, "subject": {"Nobody"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("an unknown recipient: status %d, want 422", r.status)
	}
	r.has(t, "None of the recipients is a contact or lead", "Failed", "/retry")
	m := regexp.MustCompile(`action="(/activities/[0-9a-f]+/retry)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no retry button")
	}
	r = b.post(m[1], nil)
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("retrying an activity whose recipient is still unknown: status %d, want 422", r.status)
	}
}

func TestActivitySettingsPage(t *testing.T) {
	t.Parallel()
	s := setupSF(t)
	s.person("root@example.com", sfemutest.Admin, access.SystemAdmin)
	bob := s.person("bob@example.com", sfemutest.User, access.ConnectorUser)
	b := s.signedIn("root@example.com")
	if err := s.org.Emu.AddSchema("custom.yaml", []byte("version: 1\nobjects:\n- name: Invoice__c\n  enableActivities: false\n")); err != nil {
		t.Fatal(err)
	}

	r := b.get("/settings")
	r.has(t, "Who may use activity logging", "Who may use search and list views", `action="/settings/activity"`,
		`value="Email"`, `<option value="Meeting">`, "Re-sync with Salesforce")
	r.lacks(t, "missing-value")

	save := url.Values{"scope": {"owned"}, "type_email": {"Email"}, "type_link": {"Content Share"}, "type_meeting": {"Meeting"}, "related": {"Invoice__c"}}
	r = b.post("/settings/activity", save)
	if r.status != http.StatusBadRequest {
		t.Fatalf("a related object without activities: status %d, want 400", r.status)
	}
	r.has(t, "Invoice__c cannot be related to activities", "Allow Activities", `value="Content Share"`)

	save.Set("related", "")
	r = b.post("/settings/activity", save)
	if r.path != "/settings?done=activity_settings_saved" {
		t.Fatalf("saving ended at %s (%d):\n%s", r.path, r.status, r.body)
	}
	r.has(t, "The activity settings are saved", "missing-value", "“Content Share” is not a value of the org&#39;s picklist")
	if r = b.post("/settings/activity/resync", nil); r.path != "/settings?done=activity_resynced" {
		t.Fatalf("re-sync ended at %s (%d)", r.path, r.status)
	}
	r.has(t, "Last re-sync:")

	// Search for bob only: the nav and the page follow.
	r = b.post("/settings/features/search", url.Values{"everyone": {"false"}, "members": {fmt.Sprint(bob.ID)}})
	if r.path != "/settings?done=feature_saved" {
		t.Fatalf("saving who may search ended at %s (%d)", r.path, r.status)
	}
	r.lacks(t, `href="/search"`, `action="/search"`)
	r.has(t, `href="/activities"`)
	if r := b.get("/search?q=acme"); r.status != http.StatusForbidden {
		t.Errorf("GET /search by someone not granted: %d, want 403", r.status)
	}
	bb := s.signedIn("bob@example.com")
	bb.get("/").has(t, `href="/search"`, `action="/search"`)
	if r := bb.get("/settings"); r.status != http.StatusForbidden {
		t.Errorf("GET /settings by a connector user: %d, want 403", r.status)
	}
}

func TestSearchAndListViewPages(t *testing.T) {
	t.Parallel()
	s := setupSF(t)
	s.person("ana@example.com", sfemutest.Admin, access.ConnectorUser)
	b := s.signedIn("ana@example.com")
	name := s.values("SELECT Name FROM Account ORDER BY Name LIMIT 1", "Name")[0]
	id := s.values("SELECT Id FROM Account ORDER BY Name LIMIT 1", "Id")[0]

	r := b.get("/search?q=" + url.QueryEscape(name))
	r.has(t, `data-object="Account"`, name, "/lightning/r/Account/"+id+"/view")
	r = b.get("/search?q=zzqqxxnothing")
	r.has(t, "Nothing found for “zzqqxxnothing”")
	// The same search in other letters (answered from the cache) says
	// what was typed this time.
	b.get("/search?q=ZZQQxxNothing").has(t, "Nothing found for “ZZQQxxNothing”")

	r = b.get("/search/listviews?object=Account")
	ids := regexp.MustCompile(`name="ids" value="([^"]+)"`).FindAllStringSubmatch(r.body, -1)
	if len(ids) < 3 {
		t.Fatalf("Account list views offered: %d, want several:\n%s", len(ids), r.body)
	}
	r = b.post("/search/listviews", url.Values{"object": {"Account"}, "ids": {ids[0][1], ids[1][1], ids[2][1]}})
	if r.status != http.StatusBadRequest {
		t.Errorf("three list views: status %d, want 400", r.status)
	}
	r = b.post("/search/listviews", url.Values{"object": {"Account"}, "ids": {ids[1][1]}})
	if !strings.HasPrefix(r.path, "/search/listviews?") || !strings.Contains(r.path, "done=listviews_saved") {
		t.Fatalf("choosing ended at %s (%d):\n%s", r.path, r.status, r.body)
	}
	r.has(t, "Your list views are saved", `data-view="`+ids[1][1]+`"`, "/lightning/r/Account/")

	// Someone not linked to Salesforce is told where in the console to
	// connect, not a command of the CLI, in their language.
	s.person("cy@example.com", "", access.ConnectorUser)
	cy := s.signedIn("cy@example.com")
	r = cy.get("/search/listviews")
	r.has(t, "in Salesforce orgs, open the org and click Connect.")
	r.lacks(t, "sfbridge org connect")
	cy.header.Set("Accept-Language", "fr")
	cy.get("/search/listviews").has(t, "dans Orgs Salesforce, ouvrez l&#39;org et cliquez sur Connecter.")
}

// TestActivityPagesGolden pins the pages of activity logging, search and
// their settings, in both languages; -update rewrites them. The form's
// random key and the emulator's address are masked.
func TestActivityPagesGolden(t *testing.T) {
	t.Parallel()
	s := setupSF(t)
	s.person("root@example.com", sfemutest.Admin, access.SystemAdmin)
	name := s.values("SELECT Name FROM Account ORDER BY Name LIMIT 1", "Name")[0]
	for _, tc := range []struct{ name, lang, path string }{
		{"activities-en", "en", "/activities"},
		{"activities-fr", "fr", "/activities"},
		{"settings-en", "en", "/settings"},
		{"settings-fr", "fr", "/settings"},
		{"search-en", "en", "/search?q=" + url.QueryEscape(name)},
		{"search-fr", "fr", "/search?q=" + url.QueryEscape(name)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := s.signedIn("root@example.com")
			b.header.Set("Accept-Language", tc.lang)
			body := b.get(tc.path).body
			body = regexp.MustCompile(`name="key" value="[0-9a-f]{32}"`).ReplaceAllString(body, `name="key" value="KEY"`)
			body = strings.ReplaceAll(body, s.org.URL, "https://org.example")
			golden(t, filepath.Join("testdata", "pages", tc.name+".html"), body)
		})
	}
}
