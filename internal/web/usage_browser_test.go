package web

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestUsageInBrowser draws an org's usage page in chromium, changes its
// budget through the form, then follows the unread badge to the
// notifications and reads one: the badge goes down.
func TestUsageInBrowser(t *testing.T) {
	ctx := tab(t)
	uf := newUsageFixture(t)
	base := uf.serve()
	signIn(t, ctx, base, "root@example.com")

	do(t, ctx, "opening the usage page", chromedp.Navigate(base+"/orgs/1/usage"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=usage-chart] svg.chart`)))
	marks := read(t, ctx, "counting the budget lines", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=usage-chart] line.chart-mark').length`))
	if marks != 3 { // the budget and its two thresholds
		t.Errorf("%d budget lines on the chart; want 3", marks)
	}
	do(t, ctx, "saving a budget",
		chromedp.SetValue(chromedp.CSS(`#f-share_pct`), "60"),
		chromedp.SetValue(chromedp.CSS(`#f-thresholds`), "50, 90"),
		chromedp.Click(chromedp.CSS(`form[action="/orgs/1/usage"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)), loaded())
	if got := text(t, ctx, `.notice`); got != "API budget saved." {
		t.Errorf("notice = %q", got)
	}
	if got := read(t, ctx, "reading the thresholds", chromedp.Evaluate[string](`document.querySelector('#f-thresholds').value`)); got != "50, 90" {
		t.Errorf("thresholds after saving = %q", got)
	}

	badge := func() string {
		t.Helper()
		return read(t, ctx, "reading the badge", chromedp.Evaluate[string](`((document.querySelector('[data-testid=unread]') || {}).textContent || '').trim()`))
	}
	if got := badge(); got != "2 unread" {
		t.Errorf("badge = %q; want 2 unread", got)
	}
	do(t, ctx, "following the badge", chromedp.Click(chromedp.CSS(`[data-testid=notifications-link]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=notification]`)), loaded())
	n := read(t, ctx, "counting the notifications", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=notification]').length`))
	if n != 2 {
		t.Errorf("%d notifications listed; want 2", n)
	}
	do(t, ctx, "opening the threshold notification",
		chromedp.Click(chromedp.CSS(`[data-kind=threshold] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=usage-chart]`)), loaded())
	if got := badge(); got != "1 unread" {
		t.Errorf("badge after reading one = %q; want 1 unread", got)
	}
}
