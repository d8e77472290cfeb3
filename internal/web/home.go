package web

import (
	"net/http"

	"github.com/sfbridge/sfbridge/internal/access"
)

// homeData is the home page.
type homeData struct {
	Usage *Chart // nil without Options.Usage
}

// home greets the signed-in person, says what they may do, and charts the
// Salesforce API calls of the last days when a source is configured, to
// those who may see the orgs' usage.
func (c *console) home(w http.ResponseWriter, r *http.Request, v *view) {
	var d homeData
	if c.opts.Usage != nil && v.Can(string(access.OrgView)) {
		days, err := c.opts.Usage(r)
		if err != nil {
			c.fail(w, r, v, err)
			return
		}
		ch := Chart{Kind: Bars, Title: v.T("home.usage.title"), Unit: v.T("home.usage.unit")}
		for _, d := range days {
			ch.Points = append(ch.Points, Point{Label: d.Day.UTC().Format(v.T("format.day")), Value: float64(d.Calls)})
		}
		d.Usage = &ch
	}
	v.Data = d
	c.render(w, v, http.StatusOK, "home")
}
