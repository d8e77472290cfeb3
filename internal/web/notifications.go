package web

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
)

// notificationsData is the notifications page.
type notificationsData struct {
	Unread int
	Items  []notificationItem
}

// notificationItem is a notification worded in the page's language.
type notificationItem struct {
	api.NotificationInfo
	Text string
}

// notificationFigures are the figures of a notification's data that its
// wording uses.
type notificationFigures struct {
	Org       string `json:"org"`
	Used      int64  `json:"used"`
	Limit     int64  `json:"limit"`
	SharePct  int    `json:"share_pct"`
	Allowance int64  `json:"allowance"`
	Threshold int    `json:"threshold"`
	Reason    string `json:"reason"`
	NextCheck string `json:"next_check"`
}

// notificationsRoutes registers the notifications page.
func (c *console) notificationsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /notifications", c.guard(access.SelfView, self, c.notifications))
	mux.HandleFunc("POST /notifications/{id}/read", c.guard(access.SelfView, self, c.readNotification))
}

// notifications lists the signed-in person's notifications (GET
// /api/v1/notifications), newest first.
func (c *console) notifications(w http.ResponseWriter, r *http.Request, v *view) {
	var list api.NotificationList
	if err := c.api.do(nil, r, http.MethodGet, "/api/v1/notifications", nil, &list); err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := notificationsData{Unread: list.Unread}
	for _, n := range list.Notifications {
		d.Items = append(d.Items, notificationItem{NotificationInfo: n, Text: notificationText(v, n)})
	}
	v.Data = d
	c.render(w, v, http.StatusOK, "notifications")
}

// notificationText words n in the page's language from its kind and
// figures; the English message of the API when the catalogue has no
// wording for its kind.
func notificationText(v *view, n api.NotificationInfo) string {
	var f notificationFigures
	if err := json.Unmarshal(n.Data, &f); err != nil || !v.has("notifications.kind."+n.Kind) {
		return n.Message
	}
	switch n.Kind {
	case "threshold":
		return v.T("notifications.kind.threshold", f.Org, f.Threshold, f.Used, f.Allowance, f.SharePct, f.Limit)
	case "paused":
		return v.T("notifications.kind.paused", f.Org, f.Reason)
	case "needs_reauth":
		return v.T("notifications.kind.needs_reauth", f.Org, f.Reason)
	case "resumed":
		return v.T("notifications.kind.resumed", f.Org)
	}
	return n.Message
}

// readNotification marks a notification read (POST
// /api/v1/notifications/{id}/read) and goes to where it points when asked.
func (c *console) readNotification(w http.ResponseWriter, r *http.Request, v *view) {
	path := "/api/v1/notifications/" + url.PathEscape(r.PathValue("id")) + "/read"
	if err := c.api.do(w, r, http.MethodPost, path, nil, nil); err != nil {
		c.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next"), "/notifications"), http.StatusSeeOther)
}

// Unread is the number of notifications the signed-in person has not
// read, for the badge in the header; 0 when it cannot be known.
func (v *view) Unread() int {
	if v.Me == nil || v.req == nil {
		return 0
	}
	var list api.NotificationList
	if err := v.c.api.do(nil, v.req, http.MethodGet, "/api/v1/notifications", nil, &list); err != nil {
		return 0
	}
	return list.Unread
}
