package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/store"
)

// NotificationStore keeps the notifications people are sent. [NewStore]'s
// store is one; without one the notification routes answer
// feature.unavailable.
type NotificationStore interface {
	// Notifications returns the newest notifications for userID — theirs,
	// and the admins' when admin — newest first, with the count of those
	// they have not read.
	Notifications(ctx context.Context, userID int64, admin bool) ([]store.Notification, int, error)
	// MarkRead records that userID read notification id; ErrNotFound when
	// it does not exist or is not for them.
	MarkRead(ctx context.Context, id, userID int64, admin bool) error
}

// NotificationList is the signed-in person's newest notifications (at most
// 100), newest first, and how many of them they have not read.
type NotificationList struct {
	Unread        int                `json:"unread"`
	Notifications []NotificationInfo `json:"notifications"`
}

// NotificationInfo is one notification.
type NotificationInfo struct {
	ID int64 `json:"id"`
	// Kind is threshold, paused, resumed or needs_reauth.
	Kind  string `json:"kind"`
	OrgID int64  `json:"org_id,omitempty"`
	// Message says what happened and what to do, in English; Data holds the
	// figures behind it (org, used, limit, share_pct, allowance, threshold,
	// reason, next_check).
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
	// Link is the console page where to act.
	Link string `json:"link"`
	// ForAdmins says it was sent to every admin, not only to you.
	ForAdmins bool `json:"for_admins"`
	Read      bool `json:"read"`
	// Webhook is how the delivery to the org's webhook went: none, pending,
	// sent or failed; WebhookError says why it failed.
	Webhook      string    `json:"webhook"`
	WebhookError string    `json:"webhook_error,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// notificationRoutes are the signed-in person's notifications.
func (s *Server) notificationRoutes(v1 string) []route {
	return []route{
		guarded(http.MethodGet, v1+"/notifications", access.SelfView, "Your notifications (and the admins', if you are one), newest first, with the unread count", s.listNotifications).
			body(nil, NotificationList{}),
		guarded(http.MethodPost, v1+"/notifications/{id}/read", access.SelfView, "Mark one of your notifications read", s.readNotification).
			body(nil, nil),
	}
}

// notifications returns the notification store, or an error saying the
// server runs without one.
func (s *Server) notifications() (NotificationStore, error) {
	if ns, ok := s.opts.Store.(NotificationStore); ok {
		return ns, nil
	}
	return nil, errorf(CodeUnavailable, "This server keeps no notifications.")
}

func (s *Server) listNotifications(c *call) (any, error) {
	ns, err := s.notifications()
	if err != nil {
		return nil, err
	}
	list, unread, err := ns.Notifications(c.r.Context(), c.actor.ID, c.actor.Roles.IsAdmin())
	if err != nil {
		return nil, fmt.Errorf("listing notifications: %w", err)
	}
	out := NotificationList{Unread: unread, Notifications: make([]NotificationInfo, len(list))}
	for i, n := range list {
		out.Notifications[i] = NotificationInfo{ID: n.ID, Kind: string(n.Kind), OrgID: n.OrgID, Message: n.Message, Data: n.Data,
			Link: n.Link, ForAdmins: n.Admins && n.UserID != c.actor.ID, Read: n.Read,
			Webhook: string(n.WebhookStatus), WebhookError: n.WebhookError, CreatedAt: n.CreatedAt}
	}
	return out, nil
}

func (s *Server) readNotification(c *call) (any, error) {
	ns, err := s.notifications()
	if err != nil {
		return nil, err
	}
	id, err := c.pathID()
	if err != nil {
		return nil, err
	}
	err = ns.MarkRead(c.r.Context(), id, c.actor.ID, c.actor.Roles.IsAdmin())
	if errors.Is(err, ErrNotFound) {
		return nil, errorf(CodeNotFound, fmt.Sprintf("You have no notification %d; GET /api/v1/notifications lists yours.", id))
	}
	return nil, err
}

var _ NotificationStore = dbStore{}

func (d dbStore) Notifications(ctx context.Context, userID int64, admin bool) ([]store.Notification, int, error) {
	list, err := d.st.Notifications().For(ctx, userID, admin)
	if err != nil {
		return nil, 0, err
	}
	unread, err := d.st.Notifications().Unread(ctx, userID, admin)
	return list, unread, err
}

func (d dbStore) MarkRead(ctx context.Context, id, userID int64, admin bool) error {
	return apiError(d.st.Notifications().MarkRead(ctx, id, userID, admin), "")
}
