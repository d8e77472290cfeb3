package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// NotificationKind says what a notification is about.
type NotificationKind string

// Notification kinds.
const (
	// NotifyThreshold: an org's API usage crossed a warning threshold of its
	// budget.
	NotifyThreshold NotificationKind = "threshold"
	// NotifyPaused: an org's budget is spent and its workflows paused.
	NotifyPaused NotificationKind = "paused"
	// NotifyResumed: an org paused at its budget resumed.
	NotifyResumed NotificationKind = "resumed"
	// NotifyNeedsReauth: a connection was revoked or expired and must be
	// authorised again.
	NotifyNeedsReauth NotificationKind = "needs_reauth"
)

// WebhookStatus follows the delivery of a notification to its org's webhook.
type WebhookStatus string

// Webhook statuses.
const (
	WebhookNone    WebhookStatus = "none"    // the org has no webhook
	WebhookPending WebhookStatus = "pending" // being delivered
	WebhookSent    WebhookStatus = "sent"    // the webhook answered 2xx
	WebhookFailed  WebhookStatus = "failed"  // every attempt failed; WebhookError says why
)

// Notification tells people something happened that needs their attention,
// and what to do about it.
type Notification struct {
	ID int64
	// UserID is the one person it is for; 0 when it is for the admins only.
	UserID int64
	// Admins makes it visible to every admin too.
	Admins bool
	OrgID  int64 // the org it is about; 0 for none
	Kind   NotificationKind
	// Dedup, when set, makes the notification once-only per org: adding a
	// second one with the same Dedup does nothing.
	Dedup   string
	Message string // what happened and what to do, in English
	Link    string // the console page where to act ("/orgs/3")
	// Data are the figures behind the message (JSON object), for the
	// webhook and for pages that word the message in another language.
	Data          json.RawMessage
	WebhookStatus WebhookStatus
	WebhookError  string
	CreatedAt     time.Time
	// Read is whether the person who listed it has read it.
	Read bool
}

// NotificationRetention is how long notifications are kept.
const NotificationRetention = 90 * 24 * time.Hour

// Notifications is the repository of notifications, bound to a Scope.
type Notifications struct{ sc Scope }

// Notifications returns the notifications repository, each call in its own
// transaction.
func (s *Store) Notifications() Notifications { return Notifications{s} }

// Notifications returns the notifications repository inside tx.
func (tx *Tx) Notifications() Notifications { return Notifications{tx} }

const notificationColumns = `n.id, n.user_id, n.admins, n.org_id, n.kind, n.dedup, n.message, n.link, n.data,
	n.webhook_status, n.webhook_error, n.created_at`

// Add stores n and reports whether it did: a notification with the same org
// and Dedup as an existing one is not added again. WebhookStatus defaults to
// WebhookNone. Notifications older than NotificationRetention are deleted
// in the same transaction.
func (r Notifications) Add(ctx context.Context, n Notification) (Notification, bool, error) {
	if n.UserID == 0 && !n.Admins {
		return Notification{}, false, fmt.Errorf("adding a notification: %w: it is for nobody; set UserID, Admins or both", ErrInvalid)
	}
	if strings.TrimSpace(n.Message) == "" {
		return Notification{}, false, fmt.Errorf("adding a notification: %w: the message is empty", ErrInvalid)
	}
	if n.Data == nil {
		n.Data = json.RawMessage(`{}`)
	}
	if !json.Valid(n.Data) {
		return Notification{}, false, fmt.Errorf("adding a notification: %w: data is not valid JSON", ErrInvalid)
	}
	if n.WebhookStatus == "" {
		n.WebhookStatus = WebhookNone
	}
	added := true
	err := r.sc.Write(ctx, func(tx *Tx) error {
		n.CreatedAt = tx.Now()
		err := tx.QueryRow(ctx, `INSERT INTO notifications (user_id, admins, org_id, kind, dedup, message, link, data,
			webhook_status, webhook_error, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (org_id, dedup) DO NOTHING RETURNING id`,
			nullID(n.UserID), n.Admins, nullID(n.OrgID), string(n.Kind), nullString(n.Dedup), n.Message, n.Link, string(n.Data),
			string(n.WebhookStatus), n.WebhookError, n.CreatedAt).Scan(&n.ID)
		if errors.Is(err, ErrNotFound) {
			added = false
		} else if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM notifications WHERE created_at < $1`, n.CreatedAt.Add(-NotificationRetention))
		return err
	})
	if err != nil {
		return Notification{}, false, fmt.Errorf("adding a %s notification: %w", n.Kind, err)
	}
	return n, added, nil
}

// SetWebhook records how the delivery of notification id to its webhook
// went.
func (r Notifications) SetWebhook(ctx context.Context, id int64, status WebhookStatus, reason string) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		return oneRow(tx.Exec(ctx, `UPDATE notifications SET webhook_status = $1, webhook_error = $2 WHERE id = $3`,
			string(status), reason, id))
	})
	if err != nil {
		return fmt.Errorf("recording the webhook delivery of notification %d: %w", id, err)
	}
	return nil
}

// Get returns notification id, as userID sees it (Read set for them).
func (r Notifications) Get(ctx context.Context, id, userID int64) (Notification, error) {
	list, err := r.list(ctx, userID, `WHERE n.id = $2`, id)
	if err == nil && len(list) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Notification{}, fmt.Errorf("reading notification %d: %w", id, err)
	}
	return list[0], nil
}

// DefaultNotificationPage is how many notifications For returns.
const DefaultNotificationPage = 100

// shown selects the ids of the newest $3 notifications for user $1: theirs,
// and the admins' ($2 is true) when admin. Each audience is read newest
// first through its own index, so the cost does not grow with the history.
func shown(admin bool) string {
	if !admin {
		return `SELECT id FROM notifications WHERE user_id = $1 AND $2 ORDER BY id DESC LIMIT $3`
	}
	return `SELECT id FROM (
		SELECT id FROM (SELECT id FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $3) mine
		UNION SELECT id FROM (SELECT id FROM notifications WHERE admins = $2 ORDER BY id DESC LIMIT $3) admins
	) ids ORDER BY id DESC LIMIT $3`
}

// For returns the newest notifications for userID — theirs, and the admins'
// when admin is true — at most DefaultNotificationPage, newest first.
func (r Notifications) For(ctx context.Context, userID int64, admin bool) ([]Notification, error) {
	list, err := r.list(ctx, userID, `WHERE n.id IN (`+shown(admin)+`) ORDER BY n.id DESC`, true, DefaultNotificationPage)
	if err != nil {
		return nil, fmt.Errorf("listing the notifications of user %d: %w", userID, err)
	}
	return list, nil
}

// Unread counts, among the notifications For returns, those userID has not
// read: the count stays cheap however long the history grows.
func (r Notifications) Unread(ctx context.Context, userID int64, admin bool) (int, error) {
	var n int
	err := r.sc.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM (`+shown(admin)+`) shown
			WHERE NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = shown.id AND r.user_id = $1)`,
			userID, true, DefaultNotificationPage).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("counting the unread notifications of user %d: %w", userID, err)
	}
	return n, nil
}

// MarkRead records that userID read notification id. It fails with
// ErrNotFound when the notification does not exist or is not for them
// (admin says whether they see the admins' ones). Reading twice is not an
// error.
func (r Notifications) MarkRead(ctx context.Context, id, userID int64, admin bool) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM notifications n WHERE n.id = $1 AND (n.user_id = $2 OR (n.admins = $3 AND $4))`,
			id, userID, true, admin).Scan(&one); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO notification_reads (notification_id, user_id, read_at) VALUES ($1, $2, $3)
			ON CONFLICT (notification_id, user_id) DO NOTHING`, id, userID, tx.Now())
		return err
	})
	if err != nil {
		return fmt.Errorf("marking notification %d read for user %d: %w", id, userID, err)
	}
	return nil
}

// list reads notifications with Read set for userID, who is $1 in where.
func (r Notifications) list(ctx context.Context, userID int64, where string, args ...any) ([]Notification, error) {
	var out []Notification
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+notificationColumns+`,
			EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.user_id = $1)
			FROM notifications n `+where, append([]any{userID}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				n            Notification
				user, org    *int64
				dedup        *string
				kind, status string
				data         string
			)
			if err := rows.Scan(&n.ID, &user, &n.Admins, &org, &kind, &dedup, &n.Message, &n.Link, &data,
				&status, &n.WebhookError, &n.CreatedAt, &n.Read); err != nil {
				return err
			}
			if user != nil {
				n.UserID = *user
			}
			if org != nil {
				n.OrgID = *org
			}
			if dedup != nil {
				n.Dedup = *dedup
			}
			n.Kind, n.WebhookStatus, n.Data, n.CreatedAt = NotificationKind(kind), WebhookStatus(status), json.RawMessage(data), n.CreatedAt.UTC()
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, err
}

// nullID is an optional reference: NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullString is an optional text: NULL for "".
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
