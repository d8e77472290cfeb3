package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
)

// usageDays are the windows the usage page offers, in days.
var usageDays = []int{1, 7, 30}

// usageData is an org's API usage page.
type usageData struct {
	Series api.UsageSeries
	Chart  Chart
	Days   int   // the window shown
	Ranges []int // the windows offered
	// UsedPct is the usage as a share of the budget, for the gauge.
	UsedPct int
	// Form holds what was posted, shown back after a refusal.
	Form budgetForm
}

// budgetForm is the budget form's fields as text. Webhook is only what was
// just typed, shown back after a refusal: the stored URL is never shown.
type budgetForm struct {
	SharePct, Thresholds, Webhook string
}

// usageRoutes registers the usage page and its budget form.
func (c *console) usageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /orgs/{id}/usage", c.guard(access.OrgView, nil, c.usage))
	mux.HandleFunc("POST /orgs/{id}/usage", c.guard(access.OrgConfigure, nil, c.saveBudget))
}

// usage draws an org's API usage per hour against its budget (GET
// /api/v1/orgs/{id}/usage), with the budget form for admins.
func (c *console) usage(w http.ResponseWriter, r *http.Request, v *view) {
	c.renderUsage(w, r, v, http.StatusOK, nil)
}

func (c *console) renderUsage(w http.ResponseWriter, r *http.Request, v *view, status int, form *budgetForm) {
	days, err := strconv.Atoi(r.URL.Query().Get("days"))
	if !slices.Contains(usageDays, days) || err != nil {
		days = 7
	}
	var s api.UsageSeries
	path := fmt.Sprintf("/api/v1/orgs/%s/usage?days=%d", url.PathEscape(r.PathValue("id")), days)
	if err := c.api.do(nil, r, http.MethodGet, path, nil, &s); err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := usageData{Series: s, Days: days, Ranges: usageDays, Chart: usageChart(v, s, days)}
	if s.Allowance > 0 {
		d.UsedPct = int(min(s.Used*100/s.Allowance, 100))
	}
	if form != nil {
		d.Form = *form
	} else {
		d.Form = budgetForm{SharePct: strconv.Itoa(s.Budget.SharePct), Thresholds: joinInts(s.Budget.Thresholds)}
	}
	v.Data = d
	c.render(w, v, status, "usage")
}

// usageChart draws the requests used per hour, with the budget and its
// thresholds as lines.
func usageChart(v *view, s api.UsageSeries, days int) Chart {
	ch := Chart{Kind: Line, Title: v.T("usage.chart.title"), Unit: v.T("usage.chart.unit")}
	layout := v.T("usage.format.hour")
	if days > 1 {
		layout = v.T("usage.format.day_hour")
	}
	for _, p := range s.Samples {
		ch.Points = append(ch.Points, Point{Label: p.Hour.UTC().Format(layout), Value: float64(p.Used)})
	}
	limit := s.Limit
	if n := len(s.Samples); n > 0 {
		limit = s.Samples[n-1].Limit
	}
	if limit > 0 {
		allowance := float64(limit) * float64(s.Budget.SharePct) / 100
		ch.Marks = append(ch.Marks, Point{Label: v.T("usage.chart.budget", s.Budget.SharePct), Value: allowance})
		for _, t := range s.Budget.Thresholds {
			ch.Marks = append(ch.Marks, Point{Label: v.T("usage.chart.threshold", t), Value: allowance * float64(t) / 100})
		}
	}
	return ch
}

// saveBudget changes the org's budget (PUT /api/v1/orgs/{id}/budget). The
// webhook field left empty keeps the stored URL; the "remove" box clears
// it.
func (c *console) saveBudget(w http.ResponseWriter, r *http.Request, v *view) {
	form := budgetForm{SharePct: strings.TrimSpace(r.PostFormValue("share_pct")), Thresholds: strings.TrimSpace(r.PostFormValue("thresholds")),
		Webhook: strings.TrimSpace(r.PostFormValue("webhook_url"))}
	var in api.BudgetRequest
	share, err := strconv.Atoi(form.SharePct)
	if err != nil {
		share = 0 // not a number: let the API refuse it with its field error
	}
	in.SharePct = &share
	in.Thresholds = []int{}
	for _, f := range strings.FieldsFunc(form.Thresholds, func(r rune) bool { return r == ',' || r == ' ' || r == '%' }) {
		t, err := strconv.Atoi(f)
		if err != nil {
			t = 0
		}
		in.Thresholds = append(in.Thresholds, t)
	}
	if form.Webhook != "" {
		in.WebhookURL = &form.Webhook
	} else if r.PostFormValue("webhook_remove") != "" {
		in.WebhookURL = new("")
	}
	path := "/api/v1/orgs/" + url.PathEscape(r.PathValue("id")) + "/budget"
	if err := c.api.do(w, r, http.MethodPut, path, in, nil); err != nil {
		c.renderUsage(w, r, v, c.explain(r, v, err), &form)
		return
	}
	http.Redirect(w, r, "/orgs/"+url.PathEscape(r.PathValue("id"))+"/usage?done=budget_saved", http.StatusSeeOther)
}

func joinInts(list []int) string {
	parts := make([]string, len(list))
	for i, n := range list {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}
