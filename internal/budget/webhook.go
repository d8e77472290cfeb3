package budget

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

// Payload is the JSON document POSTed to an org's webhook for each
// notification about it.
type Payload struct {
	ID        int64           `json:"id"`
	Kind      string          `json:"kind"` // threshold, paused, resumed, needs_reauth
	OrgID     int64           `json:"org_id"`
	Message   string          `json:"message"`
	Link      string          `json:"link"` // the console page where to act, as a path
	Data      json.RawMessage `json:"data"` // the figures behind the message
	CreatedAt time.Time       `json:"created_at"`
}

// deliver posts n to hook, retrying with growing pauses, and records the
// outcome on n. Neither the log nor the recorded error holds the URL.
func (w *Watcher) deliver(ctx context.Context, hook string, org store.Org, n store.Notification) {
	body, err := json.Marshal(Payload{ID: n.ID, Kind: string(n.Kind), OrgID: n.OrgID, Message: n.Message, Link: n.Link, Data: n.Data, CreatedAt: n.CreatedAt})
	if err != nil { // a Payload always encodes
		panic(fmt.Sprintf("budget: encoding a webhook payload: %v", err))
	}
	pause, tries := w.delivery.Backoff, 0
	var last error
retry:
	for tries < w.delivery.Attempts {
		if tries > 0 {
			select {
			case <-time.After(pause):
				pause *= 2
			case <-w.stop:
				break retry
			}
		}
		tries++
		if last = w.post(ctx, hook, body, n.ID); last == nil {
			break
		}
	}
	status, reason := store.WebhookSent, ""
	if last != nil {
		plural := "s"
		if tries == 1 {
			plural = ""
		}
		status, reason = store.WebhookFailed, fmt.Sprintf("after %d attempt%s: %v", tries, plural, last)
		w.log.Warn("posting a notification to the org's webhook", "org", org.Name, "notification", n.ID, "err", reason)
	}
	if err := w.st.Notifications().SetWebhook(ctx, n.ID, status, reason); err != nil {
		w.log.Warn("recording a webhook delivery", "org", org.Name, "notification", n.ID, "err", err)
	}
}

// post makes one attempt, bounded by the delivery timeout.
func (w *Watcher) post(ctx context.Context, hook string, body []byte, id int64) error {
	ctx, cancel := context.WithTimeout(ctx, w.delivery.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook, bytes.NewReader(body))
	if err != nil {
		return errors.New("the webhook URL cannot be used; set it again on the org's usage page")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "sfbridge")
	req.Header.Set("Idempotency-Key", fmt.Sprintf("sfbridge-notification-%d", id))
	resp, err := w.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // its message holds the URL
			err = ue.Err
		}
		return fmt.Errorf("posting: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the webhook answered %s", resp.Status)
	}
	return nil
}
