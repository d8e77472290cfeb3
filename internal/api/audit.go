package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/store"
)

// AuditReader reads the audit log. [NewStore]'s store is one.
type AuditReader interface {
	// AuditLog returns a page of entries, newest first, and the Before of
	// the next page (0: none).
	AuditLog(ctx context.Context, p store.AuditPage) ([]store.AuditEntry, int64, error)
}

// AuditInfo is one entry of the audit log.
type AuditInfo struct {
	ID int64     `json:"id"`
	At time.Time `json:"at"`
	// ActorID is the person who acted; 0 for sfbridge itself (first-run
	// setup, the demo).
	ActorID int64 `json:"actor_id"`
	// ActorLogin is their login, "" for sfbridge or a person since removed.
	ActorLogin string `json:"actor_login,omitempty"`
	Action     string `json:"action"`
	Subject    string `json:"subject"`
	Detail     string `json:"detail,omitempty"`
	// Before and After are the state the action changed, as JSON documents
	// (absent: none, as before a creation). Secrets are never in them.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// AuditPage is a page of the audit log.
type AuditPage struct {
	Entries []AuditInfo `json:"entries"`
	// Next is the before parameter of the next (older) page; 0 on the last
	// page.
	Next int64 `json:"next,omitempty"`
}

func (s *Server) auditRoutes(v1 string) []route {
	return []route{
		guarded(http.MethodGet, v1+"/audit", access.AuditView, "The audit log, newest first: who changed what and when, with the state before and after", s.listAudit).
			body(nil, AuditPage{}).
			params("before", "id the page starts below: the next of the previous page (default: the newest entries)",
				"limit", fmt.Sprintf("entries per page, 1 to %d (default %d)", store.MaxAuditPage, store.DefaultAuditPage),
				"actor", "only this person's entries: a user id or a login",
				"action", `only this action and the finer ones under it: "org" keeps org.register, org.connect...`),
	}
}

func (s *Server) listAudit(c *call) (any, error) {
	if s.opts.Audit == nil {
		return nil, errorf(CodeUnavailable, "This server's store keeps no audit log that the API can read.")
	}
	ctx := c.r.Context()
	users, err := s.opts.Store.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	p, err := auditPage(c.r, users)
	if err != nil {
		return nil, err
	}
	entries, next, err := s.opts.Audit.AuditLog(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	logins := make(map[int64]string, len(users))
	for _, u := range users {
		logins[u.ID] = u.Login
	}
	out := AuditPage{Entries: make([]AuditInfo, len(entries)), Next: next}
	for i, e := range entries {
		out.Entries[i] = AuditInfo{ID: e.ID, At: e.At, ActorID: e.ActorID, ActorLogin: logins[e.ActorID], Action: e.Action,
			Subject: e.Subject, Detail: e.Detail, Before: e.Before, After: e.After}
	}
	return out, nil
}

// auditPage reads the query parameters of GET /api/v1/audit.
func auditPage(r *http.Request, users []User) (store.AuditPage, error) {
	q := r.URL.Query()
	var (
		p   store.AuditPage
		bad []FieldError
	)
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			bad = append(bad, FieldError{"before", fmt.Sprintf("is %q; pass the next of the previous page, a positive integer", v)})
		}
		p.Before = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxAuditPage {
			bad = append(bad, FieldError{"limit", fmt.Sprintf("is %q; a page holds 1 to %d entries", v, store.MaxAuditPage)})
		}
		p.Limit = n
	}
	if v := strings.TrimSpace(q.Get("actor")); v != "" {
		id, err := actorID(v, users)
		if err != nil {
			bad = append(bad, FieldError{"actor", err.Error()})
		}
		p.ActorID = id
	}
	p.Action = strings.TrimSpace(q.Get("action"))
	if len(bad) > 0 {
		return store.AuditPage{}, invalid(bad...)
	}
	return p, nil
}

var errNoSuchActor = errors.New("names nobody; give a user id or a login from GET /api/v1/users")

// actorID resolves the actor filter: a user id, or a login compared
// case-insensitively.
func actorID(v string, users []User) (int64, error) {
	if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	for _, u := range users {
		if strings.EqualFold(u.Login, v) {
			return u.ID, nil
		}
	}
	return 0, fmt.Errorf("is %q, which %w", v, errNoSuchActor)
}

var _ AuditReader = dbStore{}

func (d dbStore) AuditLog(ctx context.Context, p store.AuditPage) ([]store.AuditEntry, int64, error) {
	return d.st.Audit().List(ctx, p)
}
