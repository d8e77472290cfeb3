package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
)

// view is what every page template sees: the person's catalogue (its T
// method), who is signed in, the navigation, and the page's own Data.
type view struct {
	*catalogue
	c      *console
	Me     *api.Me // nil when signed out
	actor  access.Actor
	Path   string // the page's path and query, for the language switch to come back to
	Here   string // the page's path, to mark the current navigation link
	Notice string // a success message, already translated
	Error  string // a failure message, already translated
	// Fields are per-field messages for forms, by API field name.
	Fields map[string]string
	Data   any
	req    *http.Request // the page's request, for the header's unread count
}

// newView starts the view of a request, in the language it asks for.
func (c *console) newView(r *http.Request) *view {
	var cookie string
	if ck, err := r.Cookie(LangCookie); err == nil {
		cookie = ck.Value
	}
	v := &view{catalogue: c.cats.pick(cookie, r.Header.Get("Accept-Language")), c: c,
		Path: r.URL.RequestURI(), Here: r.URL.Path, Fields: map[string]string{}, req: r}
	// A notice after a redirect ("?done=roles_saved"); n is a count, and a
	// notice that needs one shows only with a number, so that a link cannot
	// put its own words on the page.
	q := r.URL.Query()
	if key := "notice." + q.Get("done"); v.has(key) {
		n, err := strconv.Atoi(q.Get("n"))
		switch {
		case len(verbs(v.messages[key])) == 0:
			v.Notice = v.T(key)
		case err == nil:
			v.Notice = v.T(key, strconv.Itoa(n))
		}
	}
	return v
}

// Lang is the page's language tag.
func (v *view) Lang() string { return v.lang }

// Languages are the languages of the switch, each named in itself.
func (v *view) Languages() []*catalogue {
	out := make([]*catalogue, len(v.c.cats.langs))
	for i, l := range v.c.cats.langs {
		out[i] = v.c.cats.byLang[l]
	}
	return out
}

// Can reports whether the signed-in person may do act (on nothing in
// particular), to show a link or a control only to those who may use it.
// The API decides again when they do.
func (v *view) Can(act string) bool {
	return v.Me != nil && access.Decide(v.actor, access.Action(act), access.Resource{}).Allowed
}

// RoleName is a role's name in the page's language.
func (v *view) RoleName(r access.Role) string { return v.T("role." + string(r)) }

// Date prints a time as a date in the page's language, in UTC.
func (v *view) Date(t time.Time) string { return t.UTC().Format(v.T("format.date")) }

// Asset is the URL of a static file.
func (v *view) Asset(name string) string { return v.c.asset(name) }

// parsePages parses each templates/<name>.html page with the layout and the
// shared pieces of templates/partials/, so that a page is added by adding
// its file. A page is rendered by its name ("people").
func (c *console) parsePages() error {
	files, err := fs.Glob(assetFS, "templates/*.html")
	if err != nil {
		return fmt.Errorf("listing pages: %w", err)
	}
	partials, err := fs.Glob(assetFS, "templates/partials/*.html")
	if err != nil {
		return fmt.Errorf("listing partials: %w", err)
	}
	c.pages = map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(template.FuncMap{
			"chart": func(ch Chart) template.HTML { return ch.SVG() },
		}).ParseFS(assetFS, append([]string{"templates/layout.html", f}, partials...)...)
		if err != nil {
			return fmt.Errorf("parsing page %q: %w", name, err)
		}
		c.pages[name] = t
	}
	return nil
}

// render writes page with v, buffered so that a template error answers a
// clean 500 rather than half a page.
func (c *console) render(w http.ResponseWriter, v *view, status int, page string) {
	var buf bytes.Buffer
	if err := c.pages[page].Execute(&buf, v); err != nil {
		c.log.Error("web: rendering a page", "page", page, "err", err)
		http.Error(w, v.T("error.internal"), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", v.lang)
	h.Add("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// formField is one labelled input of a form, with its error if any.
type formField struct {
	Name, Label, Type, Value, Autocomplete, Error string
}

// Field describes the input name, labelled with the message labelKey, for
// the "field" template.
func (v *view) Field(name, labelKey, typ, value, autocomplete string) formField {
	return formField{Name: name, Label: v.T(labelKey), Type: typ, Value: value, Autocomplete: autocomplete, Error: v.Fields[name]}
}
