// Package bulktest serves an emulated org's Bulk API 2.0 over HTTP for
// tests: the bulk handler behind bearer tokens, on a fresh org with its
// query engine. It is for tests of Bulk API clients (ours in
// internal/salesforce, and the handler's own) until the emulator's front
// mounts the handler; it also shows how the front adapts the org to
// bulk.Caller (OrgCaller).
package bulktest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/bulk"
	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sfemu/query"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// The access tokens the server accepts: the org's administrator and its
// standard user.
const (
	AdminToken    = "00Dbulktest!admin"
	StandardToken = "00Dbulktest!standard"
)

// Options configure a Server.
type Options struct {
	// Config configures the handler; Clock, Schema, Query and Usage are
	// filled in when nil (Clock with the org's clock, Usage with the
	// server's Usage).
	Config bulk.Config
	// Schema is a schema file (YAML, see internal/sfemu/schema) applied to
	// the org, e.g. external ID fields.
	Schema string
	// Clock is the org's clock; nil means a new real-time clock.
	Clock *clock.Clock
}

// Server is an empty org (its two users) whose Bulk API 2.0 is served at
// URL. Requests need "Authorization: Bearer AdminToken" (or
// StandardToken); others get 401 INVALID_SESSION_ID.
type Server struct {
	*httptest.Server
	Org      *org.Org
	Handler  *bulk.Handler
	Usage    *Usage
	Admin    *OrgCaller
	Standard *OrgCaller

	mu      sync.Mutex
	revoked map[string]bool
}

// NewServer starts a server; it is closed when the test ends.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = clock.New()
	}
	o, err := org.New(org.Options{Clock: opts.Clock, Seed: "empty"})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Schema != "" {
		if err := o.ApplySchema("bulktest.yaml", []byte(opts.Schema)); err != nil {
			t.Fatal(err)
		}
	}
	s := &Server{Org: o, Usage: NewUsage(), revoked: map[string]bool{}}
	if s.Admin, err = NewOrgCaller(o, org.AdminUsername); err != nil {
		t.Fatal(err)
	}
	if s.Standard, err = NewOrgCaller(o, org.StandardUsername); err != nil {
		t.Fatal(err)
	}
	cfg := opts.Config
	if cfg.Clock == nil {
		cfg.Clock = opts.Clock
	}
	if cfg.Schema == nil {
		cfg.Schema = o
	}
	if cfg.Query == nil {
		cfg.Query = query.New(o.QuerySource())
	}
	if cfg.Usage == nil {
		cfg.Usage = s.Usage
	}
	if s.Handler, err = bulk.New(cfg); err != nil {
		t.Fatal(err)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	var who *OrgCaller
	s.mu.Lock()
	switch {
	case s.revoked[token]:
	case token == AdminToken:
		who = s.Admin
	case token == StandardToken:
		who = s.Standard
	}
	s.mu.Unlock()
	if who == nil {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Header().Set("WWW-Authenticate", "Token")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
		return
	}
	s.Handler.ServeHTTP(w, r.WithContext(bulk.WithCaller(r.Context(), who)))
}

// Revoke makes a token invalid, as an expired session is.
func (s *Server) Revoke(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked[token] = true
}

// OrgCaller is a user of the org as bulk.Caller: the org's writes, made as
// the user.
type OrgCaller struct {
	*org.Principal
	o *org.Org

	mu          sync.Mutex
	hardDeleted []string
}

var _ bulk.Caller = (*OrgCaller)(nil)

// NewOrgCaller returns the caller for the user with the given username.
func NewOrgCaller(o *org.Org, username string) (*OrgCaller, error) {
	u, ok := o.UserByUsername(username)
	if !ok {
		return nil, fmt.Errorf("no user %s in the org", username)
	}
	p, err := o.As(u.ID)
	if err != nil {
		return nil, err
	}
	return &OrgCaller{Principal: p, o: o}, nil
}

// Create implements bulk.Caller.
func (c *OrgCaller) Create(ctx context.Context, object string, in *schema.Input) (string, error) {
	return c.o.Create(ctx, c.Principal, object, in)
}

// Update implements bulk.Caller.
func (c *OrgCaller) Update(ctx context.Context, object, id string, in *schema.Input) error {
	return c.o.Update(ctx, c.Principal, object, id, in)
}

// Upsert implements bulk.Caller; several matches are Salesforce's
// DUPLICATE_EXTERNAL_ID.
func (c *OrgCaller) Upsert(ctx context.Context, object, field, value string, in *schema.Input) (string, bool, error) {
	id, created, err := c.o.Upsert(ctx, c.Principal, object, field, value, in)
	if mm, ok := errors.AsType[*org.MultipleMatchesError](err); ok {
		return "", false, schema.NewError("DUPLICATE_EXTERNAL_ID",
			fmt.Sprintf("%s: more than one record found for external id field: %v", mm.Field, mm.IDs), mm.Field)
	}
	return id, created, err
}

// Delete implements bulk.Caller.
func (c *OrgCaller) Delete(ctx context.Context, id string) error {
	return c.o.Delete(ctx, c.Principal, id)
}

// HardDelete implements bulk.Caller. The org has no hard delete: the
// record goes to the recycle bin, and its ID is remembered (HardDeleted).
func (c *OrgCaller) HardDelete(ctx context.Context, id string) error {
	c.mu.Lock()
	c.hardDeleted = append(c.hardDeleted, id)
	c.mu.Unlock()
	return c.o.Delete(ctx, c.Principal, id)
}

// HardDeleted returns the IDs HardDelete was called with.
func (c *OrgCaller) HardDeleted() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.hardDeleted...)
}

// Usage counts allocations against limits: 15,000 API requests, 15,000
// Bulk batches and 10,000 query jobs a day, as a Developer Edition org.
type Usage struct {
	mu    sync.Mutex
	used  map[string]int
	limit map[string]int
}

var _ bulk.Usage = (*Usage)(nil)

// NewUsage returns a Usage with nothing spent.
func NewUsage() *Usage {
	return &Usage{used: map[string]int{}, limit: map[string]int{
		bulk.AllocAPIRequests: 15000, bulk.AllocBulkBatches: 15000, bulk.AllocQueryJobs: 10000,
	}}
}

// Spend implements bulk.Usage.
func (u *Usage) Spend(allocation string, n int) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.used[allocation]+n > u.limit[allocation] {
		return false
	}
	u.used[allocation] += n
	return true
}

// LimitInfo implements bulk.Usage.
func (u *Usage) LimitInfo() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return fmt.Sprintf("api-usage=%d/%d", u.used[bulk.AllocAPIRequests], u.limit[bulk.AllocAPIRequests])
}

// Used returns what was spent of an allocation.
func (u *Usage) Used(allocation string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.used[allocation]
}

// SetLimit changes an allocation's limit.
func (u *Usage) SetLimit(allocation string, n int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.limit[allocation] = n
}
