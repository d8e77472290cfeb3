package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
)

//go:embed templates static
var assetFS embed.FS

// LangCookie is the cookie that keeps the language chosen with the switch;
// without it the console follows the browser's Accept-Language.
const LangCookie = "sfbridge_lang"

// Options configure the console.
type Options struct {
	// API is the /api/v1 handler (api.New). Required. The console calls it
	// in-process for every sign-in, check and change, and serves it at
	// /api/, /healthz, /readyz and /metrics.
	API http.Handler
	// TrustedOrigins are extra origins allowed to post the console's forms,
	// as api.Options.TrustedOrigins (give both the same list).
	TrustedOrigins []string
	// Usage, if set, feeds the home page's chart of Salesforce API calls
	// per day. Default: no chart.
	Usage func(r *http.Request) ([]DailyUsage, error)
	// Logger receives internal errors. Default: slog.Default().
	Logger *slog.Logger
}

// DailyUsage is one day of Salesforce API calls, for the home page chart.
type DailyUsage struct {
	Day   time.Time
	Calls int64
}

// console serves the pages.
type console struct {
	opts      Options
	log       *slog.Logger
	api       apiClient
	cats      *catalogues
	pages     map[string]*template.Template
	assetHash map[string]string // static file → short content hash, for cache busting
}

// New returns the console's handler: the pages at /, the embedded assets at
// /static/, and the API (Options.API) at its own paths. Every form post
// passes http.CrossOriginProtection.
func New(opts Options) (http.Handler, error) {
	if opts.API == nil {
		return nil, errors.New("creating the web console: Options.API is nil; pass the /api/v1 handler from api.New")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	cats, err := loadCatalogues(catalogueFS)
	if err != nil {
		return nil, fmt.Errorf("creating the web console: %w", err)
	}
	c := &console{opts: opts, log: opts.Logger, api: apiClient{opts.API}, cats: cats}
	if err := c.hashAssets(); err != nil {
		return nil, fmt.Errorf("creating the web console: %w", err)
	}
	if err := c.parsePages(); err != nil {
		return nil, fmt.Errorf("creating the web console: %w", err)
	}
	cop := http.NewCrossOriginProtection()
	for _, o := range opts.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("creating the web console: trusted origin %q: %w", o, err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(c.crossOrigin))
	mux := http.NewServeMux()
	for _, p := range []string{"/api/", "/healthz", "/readyz", "/metrics"} {
		mux.Handle(p, opts.API)
	}
	static, err := fs.Sub(assetFS, "static")
	if err != nil {
		return nil, fmt.Errorf("creating the web console: %w", err)
	}
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheForever(http.FileServerFS(static))))
	c.routes(mux)
	return securityHeaders(cop.Handler(mux)), nil
}

// routes registers the pages. Each signed-in page names the access.Action
// that guards it (see guard).
func (c *console) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", c.guard(access.SelfView, nil, c.home))
	mux.HandleFunc("GET /setup", c.setupPage)
	mux.HandleFunc("POST /setup", c.setup)
	mux.HandleFunc("GET /signin", c.signInPage)
	mux.HandleFunc("POST /signin", c.signIn)
	mux.HandleFunc("POST /signout", c.guard(access.SelfView, nil, c.signOut))
	mux.HandleFunc("POST /lang", c.switchLang)
	mux.HandleFunc("GET /people", c.guard(access.UserList, nil, c.people))
	mux.HandleFunc("POST /people", c.guard(access.UserCreate, nil, c.addPerson))
	mux.HandleFunc("POST /people/{id}/roles", c.guard(access.AssignConnectorUser, nil, c.setRoles))
	mux.HandleFunc("POST /people/restricted", c.guard(access.RestrictedToggle, nil, c.toggleList))
	mux.HandleFunc("POST /people/{id}/restricted", c.guard(access.RestrictedEdit, nil, c.editList))
	mux.HandleFunc("GET /tokens", c.guard(access.TokenManage, self, c.tokens))
	mux.HandleFunc("POST /tokens", c.guard(access.TokenManage, self, c.createToken))
	mux.HandleFunc("POST /tokens/{token}/revoke", c.guard(access.TokenManage, self, c.revokeToken))
	c.orgsRoutes(mux)
	c.auditRoutes(mux)
	c.activityRoutes(mux)
	c.sheetsRoutes(mux)
	c.usageRoutes(mux)
	c.notificationsRoutes(mux)
	c.workflowsRoutes(mux)
	mux.HandleFunc("/", c.notFound)
}

// self is the resource owned by the signed-in person.
func self(me api.Me) access.Resource { return access.Resource{OwnerID: me.ID} }

// pageFunc handles a signed-in page with its view already built.
type pageFunc func(w http.ResponseWriter, r *http.Request, v *view)

// guard wraps a signed-in page: it asks the API who is signed in (sending
// people to sign-in, or to setup on a fresh server), then checks act with
// access.Decide before the page runs. A refusal renders the reason in the
// person's language, with status 403.
func (c *console) guard(act access.Action, resource func(api.Me) access.Resource, page pageFunc) http.HandlerFunc {
	if !act.Known() {
		panic(fmt.Sprintf("web: page guarded by action %q, which has no access rule", act))
	}
	return func(w http.ResponseWriter, r *http.Request) {
		me, err := c.api.me(r)
		if apiCode(err) == api.CodeAuthRequired {
			c.toSignIn(w, r)
			return
		}
		v := c.newView(r)
		if err != nil {
			c.fail(w, r, v, err)
			return
		}
		v.Me, v.actor = &me, actorOf(me)
		var res access.Resource
		if resource != nil {
			res = resource(me)
		}
		if d := access.Decide(v.actor, act, res); !d.Allowed {
			v.Error = v.T("error." + string(d.Reason))
			c.render(w, v, http.StatusForbidden, "error")
			return
		}
		page(w, r, v)
	}
}

// toSignIn sends a signed-out browser to setup if no user exists yet, else
// to sign-in, coming back to the page asked for after.
func (c *console) toSignIn(w http.ResponseWriter, r *http.Request) {
	if needed, err := c.api.setupNeeded(r); err == nil && needed {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	target := "/signin"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// fail renders err: an API error in the person's language with its status,
// anything else as an internal error (logged, never shown).
func (c *console) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status := c.explain(r, v, err)
	c.render(w, v, status, "error")
}

// explain puts err on v as a message (and per-field messages) in the
// person's language and returns the HTTP status to answer with.
func (c *console) explain(r *http.Request, v *view, err error) int {
	var e *api.Error
	if !errors.As(err, &e) {
		c.log.Error("web: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		v.Error = v.T("error.internal")
		return http.StatusInternalServerError
	}
	key := "error." + string(e.Code)
	if !v.has(key) {
		key = "error.internal"
	}
	v.Error = v.T(key)
	if e.Details != nil {
		for _, f := range e.Details.Fields {
			if k := "field." + f.Field; v.has(k) {
				v.Fields[f.Field] = v.T(k)
			} else {
				v.Fields[f.Field] = f.Message
			}
		}
	}
	return e.Code.Status()
}

func (c *console) notFound(w http.ResponseWriter, r *http.Request) {
	v := c.newView(r)
	v.Error = v.T("error.not_found")
	c.render(w, v, http.StatusNotFound, "error")
}

// crossOrigin answers a form posted from another site.
func (c *console) crossOrigin(w http.ResponseWriter, r *http.Request) {
	v := c.newView(r)
	v.Error = v.T("error.auth.cross_origin")
	c.render(w, v, http.StatusForbidden, "error")
}

// switchLang keeps the chosen language in a cookie and goes back.
func (c *console) switchLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if _, ok := c.cats.byLang[lang]; ok {
		http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, localPath(r.PostFormValue("back"), "/"), http.StatusSeeOther)
}

// localPath returns p if it is a path on this server, else def: redirects
// after sign-in never leave the site.
func localPath(p, def string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return def
	}
	return p
}

// hashAssets computes each static file's content hash, which its URL
// carries so that browsers may cache it forever.
func (c *console) hashAssets() error {
	c.assetHash = map[string]string{}
	return fs.WalkDir(assetFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(assetFS, p)
		if err != nil {
			return fmt.Errorf("hashing %s: %w", p, err)
		}
		sum := sha256.Sum256(raw)
		c.assetHash[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
}

// asset returns the URL of a static file, with its content hash.
func (c *console) asset(name string) string {
	return "/static/" + name + "?v=" + c.assetHash[name]
}

func cacheForever(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("v") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		h.ServeHTTP(w, r)
	})
}

// securityHeaders forbids framing, inline scripts and styles, and other
// sites' resources: the console loads only its own files.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			hd := w.Header()
			hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
			hd.Set("X-Content-Type-Options", "nosniff")
			hd.Set("Referrer-Policy", "same-origin")
		}
		h.ServeHTTP(w, r)
	})
}
