package web

import (
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
