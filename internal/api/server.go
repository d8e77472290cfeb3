package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/activity"
	"github.com/sfbridge/sfbridge/internal/recipe"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/search"
	"github.com/sfbridge/sfbridge/internal/store"
)

// Options configure a [Server].
type Options struct {
	// Store keeps users, sessions, tokens and the restricted-access list.
	// Required.
	Store Store
	// Logger receives internal errors. Default: slog.Default().
	Logger *slog.Logger
	// Password sets the argon2id costs of new password hashes. Default
	// (zero value): access.DefaultPasswordParams.
	Password access.PasswordParams
	// MaxConcurrentHashes bounds the password hashes computed at once
	// (sign-ins, setup, new users), each taking Password.Memory; requests
	// beyond it wait. Default: runtime.GOMAXPROCS(0).
	MaxConcurrentHashes int
	// SessionTTL is how long a sign-in lasts. Default: 7 days.
	SessionTTL time.Duration
	// TrustedOrigins are extra origins ("https://console.example.com")
	// allowed to send cookie-authenticated changes, beyond same-origin
	// requests.
	TrustedOrigins []string
	// Checks run on /readyz; each must return nil for the server to be
	// ready. Default: none (ready as soon as it serves).
	Checks []Check
	// Stats, if set, feeds the sync metrics on /metrics.
	Stats StatsSource
	// Now is the clock. Default: time.Now.
	Now func() time.Time

	// Connections gives the signed-in person's own Salesforce client, for
	// activity logging, search and list views. `sfbridge serve` must set it
	// (StoreConnections over the store and syncer.StoreConnector). Nil:
	// those routes answer feature.unavailable.
	Connections Connections
	// Features keeps who may log activities and who may search. Default:
	// Store, when it is a FeatureStore (NewStore's is); else every feature
	// is open to everyone and the settings routes answer
	// feature.unavailable.
	Features FeatureStore
	// Activities keeps logged activities (store.Store.Activities). Nil:
	// activity routes answer feature.unavailable.
	Activities activity.Store
	// ActivitySettings are the org's activity logging settings; zero
	// fields take activity.NewService's defaults (visible recipients,
	// activity.DefaultTypes, the "Completed" status).
	ActivitySettings activity.Settings
	// ActivitySettingsStore keeps the admin's activity settings, which then
	// replace ActivitySettings and are read at every log. Default: Store,
	// when it is one (NewStore's is); else ActivitySettings apply and the
	// activity settings routes answer feature.unavailable.
	ActivitySettingsStore ActivitySettingsStore
	// Choices keeps the list views each person enabled
	// (store.Store.ListViewChoices). Nil: search and list view routes
	// answer feature.unavailable.
	Choices search.ChoiceStore
	// Search configures search: the objects and fields searched, the cache
	// TTL. Default (zero value): search.DefaultObjects, five minutes.
	Search search.Config

	// Recipes validates, stores, enables and dry-runs workflows, acting
	// through their owners' connections (recipe.Recipes over the store).
	// Nil: workflow routes answer feature.unavailable.
	Recipes *recipe.Recipes
	// Runner runs a workflow now (syncer.Service). Nil: "run now" answers
	// feature.unavailable.
	Runner Runner

	// Sheets is the database the sheet routes read and write: sheets,
	// their rows, workflows, conflicts and dead letters (the server's
	// store.Store). Nil: sheet routes answer feature.unavailable.
	Sheets *store.Store

	// Orgs keeps registered orgs, connections and browser logins under
	// way. Default: Store, when it is an OrgStore (NewStore's is); else
	// the org routes answer feature.unavailable.
	Orgs OrgStore
	// Audit reads the audit log. Default: Store, when it is an
	// AuditReader (NewStore's is).
	Audit AuditReader
	// PublicURL is the console's URL as browsers reach it
	// ("https://sfbridge.example.com"); the OAuth callback URL is PublicURL
	// + CallbackPath. Default: the scheme and host of each request.
	PublicURL string
	// Salesforce is what every org's OAuth calls share (HTTPClient,
	// Logger); the login URL and connected app come from the org.
	Salesforce salesforce.Config
	// Forget, if set, is called with an org's id after a connection to it
	// or its connected app changed, so that cached clients are dropped
	// (syncer.StoreConnector.Forget).
	Forget func(orgID int64)
}

// Check is one readiness check: a store ping, a Salesforce reachability
// probe.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// Server is the /api/v1 HTTP handler, with /healthz, /readyz and /metrics.
type Server struct {
	opts     Options
	log      *slog.Logger
	mux      *http.ServeMux
	routes   []route
	cop      *http.CrossOriginProtection
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	// hashSlots holds one token per password hash being computed.
	hashSlots chan struct{}
	activity  *activity.Service // nil without Options.Activities
	searcher  *search.Service   // nil without Options.Choices
	// dummyHash is verified against when a login names no user, so that a
	// wrong login and a wrong password take the same time.
	dummyHash string
}

var _ http.Handler = (*Server)(nil)

// New returns a server over opts.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("creating the API server: Options.Store is nil")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Password == (access.PasswordParams{}) {
		opts.Password = access.DefaultPasswordParams
	}
	if opts.MaxConcurrentHashes <= 0 {
		opts.MaxConcurrentHashes = runtime.GOMAXPROCS(0)
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 7 * 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Orgs == nil {
		opts.Orgs, _ = opts.Store.(OrgStore)
	}
	if opts.Audit == nil {
		opts.Audit, _ = opts.Store.(AuditReader)
	}
	s := &Server{opts: opts, log: opts.Logger, mux: http.NewServeMux(), cop: http.NewCrossOriginProtection(),
		hashSlots: make(chan struct{}, opts.MaxConcurrentHashes)}
	for _, o := range opts.TrustedOrigins {
		if err := s.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("creating the API server: trusted origin %q: %w", o, err)
		}
	}
	var err error
	if s.dummyHash, err = opts.Password.HashPassword("sfbridge dummy password"); err != nil {
		return nil, fmt.Errorf("creating the API server: %w", err)
	}
	if err := s.initMetrics(); err != nil {
		return nil, fmt.Errorf("creating the API server: %w", err)
	}
	if err := s.initServices(); err != nil {
		return nil, fmt.Errorf("creating the API server: %w", err)
	}
	s.routes = s.table()
	for _, rt := range s.routes {
		s.mux.Handle(rt.pattern(), s.serveRoute(rt))
	}
	s.mux.HandleFunc("/", s.notFound)
	return s, nil
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) now() time.Time { return s.opts.Now().UTC() }

// withHashSlot runs fn, a password hash or verification, once fewer than
// MaxConcurrentHashes run, or fails when ctx ends first.
func (s *Server) withHashSlot(ctx context.Context, fn func() error) error {
	select {
	case s.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return errorf(CodeBusy, "The server is busy checking passwords and the request ended while it waited. Try again.")
	}
	defer func() { <-s.hashSlots }()
	return fn()
}

// notFound answers every request no route matched: 405 when the path exists
// with another method, else 404, both as JSON errors.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		s.writeError(w, r, errorf(CodeMethodNotAllowed,
			fmt.Sprintf("%s %s does not exist; this path takes %s.", r.Method, r.URL.Path, strings.Join(allowed, ", "))))
		return
	}
	s.writeError(w, r, errorf(CodeNotFound,
		fmt.Sprintf("Nothing is at %s; see /api/v1/openapi.json for the routes.", r.URL.Path)))
}

// serveRoute wraps a route's handler: CSRF check, authentication, the
// access decision, decoding errors, JSON encoding, metrics.
func (s *Server) serveRoute(rt route) http.Handler {
	label := rt.pattern()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() { s.requests.WithLabelValues(label, fmt.Sprint(rec.status)).Inc() }()
		if rt.raw != nil {
			rt.raw.ServeHTTP(rec, r)
			return
		}
		c := &call{s: s, w: rec, r: r}
		out, err := s.run(rt, c)
		if err != nil {
			s.writeError(rec, r, err)
			return
		}
		s.writeJSON(rec, rt.status, out)
	})
}

func (s *Server) run(rt route, c *call) (any, error) {
	// A bearer token is never sent by a browser on its own, so only
	// requests without one go through the cross-origin check; login and
	// setup are checked too (login CSRF).
	if c.r.Header.Get("Authorization") == "" {
		if err := s.cop.Check(c.r); err != nil {
			return nil, errorf(CodeCrossOrigin,
				"This change came from another site and was refused. Use the sfbridge console, or an API token with the Authorization header.")
		}
	}
	if rt.action != "" {
		if err := s.authenticate(c); err != nil {
			return nil, err
		}
		var res access.Resource
		if rt.resource != nil {
			res = rt.resource(c)
		}
		if rt.action.Feature() != 0 {
			if err := s.grant(c); err != nil {
				return nil, err
			}
		}
		if d := access.Decide(c.actor, rt.action, res); !d.Allowed {
			return nil, refused(d)
		}
	}
	return rt.handle(c)
}

// writeJSON writes v as the response body; a 204 has none.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		s.log.Error("api: encoding a response", "err", err)
		status, body = http.StatusInternalServerError, []byte(`{"code":"internal","message":"The server could not encode its answer."}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// writeError writes err as an [Error] body. Errors that are not *Error are
// not_found for ErrNotFound, conflict for ErrConflict, and internal
// otherwise (logged, never shown).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	switch {
	case errors.As(err, &e):
	case errors.Is(err, ErrNotFound):
		e = errorf(CodeNotFound, "No such resource at "+r.URL.Path+".")
	case errors.Is(err, ErrConflict):
		e = errorf(CodeConflict, "The change clashes with stored data: "+err.Error()+".")
	default:
		s.log.Error("api: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		e = errorf(CodeInternal, "The server failed to answer; the server log has the details.")
	}
	if e.Code == CodeAuthRequired {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sfbridge"`)
	}
	s.writeJSON(w, e.Code.Status(), e)
}

// statusRecorder remembers the status written, for the request counter.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
