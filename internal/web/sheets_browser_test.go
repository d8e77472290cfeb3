package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sfbridge/sfbridge/internal/access"
)

// TestBrowserGridKeepsRefusedValue edits a cell in place with a value its
// column refuses: the message shows, the typed value stays in the cell,
// marked, to be corrected; Escape brings the saved value back.
func TestBrowserGridKeepsRefusedValue(t *testing.T) {
	ctx := tab(t)
	f := setup(t)
	f.user("root@example.com", access.SystemAdmin) // else sign-in leads to first-run setup
	withSheet(t, f)
	base := f.serve()
	signIn(t, ctx, base, "cu@example.com")

	cell := `tr[data-row="1"] td.cell[data-column="revenue"] input[name="value"]`
	value := `document.querySelector('` + cell + `').value`
	do(t, ctx, "opening the sheet", chromedp.Navigate(base+"/sheets/leads"), loaded())
	read(t, ctx, "emptying the cell", chromedp.Evaluate[string](value+` = ""`))
	do(t, ctx, "typing a refused number in the cell",
		chromedp.SendKeys(chromedp.CSS(cell), "lots\r"),
		chromedp.WaitVisible(chromedp.CSS(cell+`[aria-invalid="true"]`)),
	)
	if msg := text(t, ctx, "#grid-message"); msg == "" {
		t.Error("the refusal shows no message")
	}
	if got := read(t, ctx, "reading the cell", chromedp.Evaluate[string](value)); got != "lots" {
		t.Errorf("after the refusal the cell holds %q, want what was typed (lots)", got)
	}
	do(t, ctx, "pressing Escape", chromedp.SendKeys(chromedp.CSS(cell), "\x1b"))
	if got := read(t, ctx, "reading the cell", chromedp.Evaluate[string](value)); got != "1000" {
		t.Errorf("after Escape the cell holds %q, want the saved value 1000", got)
	}
}

// TestBrowserGridSaysItInFrench edits cells in place on a French page: a
// refused value is worded in French by its code, an edit of a column that
// only flows in says it stays in the sheet until Salesforce overwrites it,
// and a system column's cells are not editable (ADR 0315).
func TestBrowserGridSaysItInFrench(t *testing.T) {
	ctx := tab(t)
	f := setup(t)
	f.user("root@example.com", access.SystemAdmin)
	withSheet(t, f)
	base := f.serve()
	signIn(t, ctx, base, "cu@example.com")

	cell := func(col string) string {
		return `tr[data-row="1"] td.cell[data-column="` + col + `"] input[name="value"]`
	}
	do(t, ctx, "opening the sheet in French", chromedp.Navigate(base+"/sheets/leads"), loaded(),
		chromedp.Click(chromedp.CSS(`.lang button[value=fr]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang=fr] #grid`)))
	read(t, ctx, "emptying the revenue", chromedp.Evaluate[string](`document.querySelector('`+cell("revenue")+`').value = ""`))
	do(t, ctx, "typing a refused number",
		chromedp.SendKeys(chromedp.CSS(cell("revenue")), "beaucoup\r"),
		chromedp.WaitVisible(chromedp.CSS(cell("revenue")+`[aria-invalid="true"]`)))
	if msg := text(t, ctx, "#grid-message"); !strings.HasPrefix(msg, `"beaucoup" n’est pas un nombre`) {
		t.Errorf("the refusal says %q, want it in French", msg)
	}
	do(t, ctx, "pressing Escape", chromedp.SendKeys(chromedp.CSS(cell("revenue")), "\x1b"))

	do(t, ctx, "editing the notes, which only flow in",
		chromedp.SendKeys(chromedp.CSS(cell("notes")), "vu au salon\r"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="status-1"].status-pending`)))
	if msg := text(t, ctx, "#grid-message"); !strings.Contains(msg, "l’écrasera") {
		t.Errorf("after a local edit the grid says %q, want that Salesforce's next change overwrites it", msg)
	}
	if n := read(t, ctx, "counting the owner's inputs", chromedp.Evaluate[int](`document.querySelectorAll('`+cell("owner")+`').length`)); n != 0 {
		t.Errorf("the system column owner has %d inputs, want none", n)
	}
}
