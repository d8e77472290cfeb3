package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// TestBrowserWorkflows builds a two-way Lead workflow in the builder, in
// chromium, against the emulator, and saves it, then edits it in the
// builder (a field added: version 2); then an admin disables another
// person's workflow from the list.
func TestBrowserWorkflows(t *testing.T) {
	t.Parallel()
	w := setupWF(t)
	anaID := w.people()
	base := w.serve()
	ctx := tab(t)

	signIn(t, ctx, base, "ana@example.com")
	do(t, ctx, "opening the builder on Lead",
		chromedp.Navigate(fmt.Sprintf("%s/workflows/new?org=%d&object=Lead", base, w.org.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#wf-builder`)),
		loaded(),
		chromedp.SetValue(chromedp.CSS(`#f-name`), "hot-leads-both"),
		chromedp.Click(chromedp.CSS(`input[name=direction][value=both]`)),
		// LastName is proposed; unticking it flags it as required.
		chromedp.Click(chromedp.CSS(`#m-LastName`)),
	)
	flagged := read(t, ctx, "reading the required flag", chromedp.Evaluate[bool](
		`document.querySelector('tr[data-field="LastName"]').classList.contains('wf-required-missing')`))
	if !flagged {
		t.Error("unmapping LastName on a two-way workflow does not flag it as required")
	}
	do(t, ctx, "mapping the fields and saving",
		chromedp.Click(chromedp.CSS(`#m-LastName`)),
		chromedp.Click(chromedp.CSS(`#m-Email`)),
		chromedp.SetValue(chromedp.CSS(`#f-cf0`), "Rating"),
		chromedp.SetValue(chromedp.CSS(`#f-cv0`), "Hot"),
		chromedp.Click(chromedp.CSS(`[data-testid=save]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
		loaded(),
	)
	if got := text(t, ctx, "main h1"); got != "hot-leads-both" {
		t.Fatalf("after saving, the page is %q:\n%s", got, text(t, ctx, "main"))
	}
	wf, err := w.db.Workflows().ByName(context.Background(), "hot-leads-both")
	if err != nil {
		t.Fatal(err)
	}
	def, err := workflow.Parse([]byte(wf.Document))
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, f := range def.Fields {
		cols = append(cols, f.Column)
	}
	if def.Direction != mapping.Both || def.Object != "Lead" || def.When == nil || strings.Join(cols, ",") != "last_name,company,email" {
		t.Errorf("saved %s", wf.Document)
	}

	// Edited in the builder: a field added, saved as version 2.
	do(t, ctx, "editing it in the builder",
		chromedp.Click(chromedp.CSS(`[data-testid=edit-in-builder]`)),
		chromedp.WaitVisible(chromedp.CSS(`#wf-builder`)),
		loaded(),
	)
	if mapped := read(t, ctx, "reading the mapped fields", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('input[name=map]:checked')].map(e => e.value)`)); strings.Join(mapped, ",") != "LastName,Company,Email" {
		t.Errorf("the builder opened with %v mapped, want LastName, Company, Email", mapped)
	}
	do(t, ctx, "adding Phone and saving",
		chromedp.Click(chromedp.CSS(`#m-Phone`)),
		chromedp.Click(chromedp.CSS(`[data-testid=save]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
		loaded(),
	)
	version := read(t, ctx, "reading the version", chromedp.Evaluate[string](
		`[...document.querySelectorAll('.wf-facts dt')].find(e => e.textContent === "Version").nextElementSibling.textContent`))
	if version != "2" {
		t.Errorf("after editing in the builder, the page shows version %q, want 2", version)
	}
	if wf, err := w.db.Workflows().ByName(context.Background(), "hot-leads-both"); err != nil || wf.Version != 2 ||
		!strings.Contains(wf.Document, "{ salesforce: Phone, column: phone }") || !strings.Contains(wf.Document, "value: \"Hot\"") {
		t.Errorf("after editing in the builder: %v\n%s", err, wf.Document)
	}

	signOut(t, ctx)
	signIn(t, ctx, base, "root@example.com")
	row := `tr[data-workflow="ana-leads"]`
	do(t, ctx, "disabling ana's workflow as an admin",
		chromedp.Navigate(base+"/workflows"),
		chromedp.WaitVisible(chromedp.CSS(row)),
		loaded(),
	)
	if n := read(t, ctx, "counting the buttons", chromedp.Evaluate[int](`document.querySelectorAll('`+row+` button').length`)); n != 1 {
		t.Errorf("an admin sees %d buttons on another's workflow, want only Disable", n)
	}
	read(t, ctx, "accepting confirmations", chromedp.Evaluate[bool](`window.confirm = () => true, true`))
	do(t, ctx, "clicking Disable",
		chromedp.Click(chromedp.CSS(row+` button[data-action=disable]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
		loaded(),
	)
	if got := text(t, ctx, row+` [data-testid=state]`); got != "Disabled" {
		t.Errorf("the state shows %q after disabling", got)
	}
	if got, err := w.db.Workflows().Get(context.Background(), anaID); err != nil || got.Enabled {
		t.Errorf("ana's workflow is still enabled (%v)", err)
	}
}

// TestWorkflowScreenshots writes the workflow pages' screenshots in
// docs/screenshots, with the others (go test ./internal/web -run
// Screenshots -update-screenshots).
func TestWorkflowScreenshots(t *testing.T) {
	if !*updateScreenshots {
		t.Skip("screenshots are rewritten only with -update-screenshots")
	}
	w := setupWF(t)
	id := w.people()
	ctx := context.Background()
	hot := w.workflow("ana@example.com", strings.Replace(strings.Replace(twoWayLeads("hot-leads", "ana@example.com"),
		"direction: both", "direction: inbound\nwhen: { field: Rating, op: \"=\", value: Hot }", 1), "outbound:\n  operation: create\n", "", 1))
	for _, c := range []struct {
		wf     int64
		counts store.RunCounts
		err    error
	}{
		{hot, store.RunCounts{Read: 105, Inserted: 105, APICalls: 2}, nil},
		{hot, store.RunCounts{Read: 3, Updated: 3, APICalls: 1}, nil},
		{id, store.RunCounts{Read: 12, Failed: 1, APICalls: 2}, fmt.Errorf("INVALID_SESSION_ID: the owner's session expired; reconnect with sfbridge org connect demo")},
	} {
		run, err := w.db.Runs().Start(ctx, c.wf, store.Inbound)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.Runs().Finish(ctx, run.ID, c.counts, c.err); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if err := w.db.Workflows().SetState(ctx, hot, store.WorkflowState{Status: store.WorkflowIdle, LastRunAt: now, LastSuccessAt: now, SyncedTo: now.Add(-42 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := w.db.Workflows().SetState(ctx, id, store.WorkflowState{Status: store.WorkflowFailing, LastRunAt: now,
		LastError: "INVALID_SESSION_ID: the owner's session expired; reconnect with sfbridge org connect demo"}); err != nil {
		t.Fatal(err)
	}
	base := w.serve()
	tctx := tab(t)
	dir := filepath.Join("..", "..", "docs", "screenshots")
	shot := func(name string) {
		t.Helper()
		png := read(t, tctx, "screenshot "+name, chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	signIn(t, tctx, base, "root@example.com")
	do(t, tctx, "workflow list", chromedp.Navigate(base+"/workflows"), chromedp.WaitVisible(chromedp.CSS(`table.workflows`)), loaded())
	shot("workflows")
	signOut(t, tctx)
	signIn(t, tctx, base, "ana@example.com")
	do(t, tctx, "workflow page", chromedp.Navigate(fmt.Sprintf("%s/workflows/%d", base, hot)), chromedp.WaitVisible(chromedp.CSS(`table.wf-runs`)), loaded())
	shot("workflow-detail")
	do(t, tctx, "builder",
		chromedp.Navigate(fmt.Sprintf("%s/workflows/new?org=%d&object=Lead", base, w.org.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#wf-builder`)), loaded(),
		chromedp.SetValue(chromedp.CSS(`#f-name`), "leads-both-ways"),
		chromedp.Click(chromedp.CSS(`input[name=direction][value=both]`)),
		chromedp.Click(chromedp.CSS(`#m-Email`)),
		chromedp.SetValue(chromedp.CSS(`#f-cf0`), "Rating"),
		chromedp.SetValue(chromedp.CSS(`#f-cv0`), "Hot"),
		chromedp.Click(chromedp.CSS(`[data-testid=dryrun]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=dry-run]`)), loaded(),
		chromedp.Click(chromedp.CSS(`#m-LastName`)),
	)
	shot("workflow-builder")
}
