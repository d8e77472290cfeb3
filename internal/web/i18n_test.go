package web

import (
	"errors"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
)

// usedKeys returns every message key the console can ask for: the literal
// keys of the templates and the Go code, and the keys built from the
// API's error codes, the access reasons, the roles and the notices.
func usedKeys(t *testing.T) []string {
	t.Helper()
	keys := map[string]bool{"language.name": true}
	literal := regexp.MustCompile(`\.(?:T|Field "[A-Za-z_]+") "([a-z_.]+)"`)
	goLiteral := regexp.MustCompile(`\bT\("([a-z_.]+)"[,)]`)
	err := fs.WalkDir(assetFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(assetFS, p)
		for _, m := range literal.FindAllStringSubmatch(string(raw), -1) {
			keys[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	goFiles, err := fs.Glob(goSources, "*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		raw, err := fs.ReadFile(goSources, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goLiteral.FindAllStringSubmatch(string(raw), -1) {
			keys[m[1]] = true
		}
		// Redirects name their notice: "?done=roles_saved".
		for _, m := range regexp.MustCompile(`done=([a-z_]+)|"done", "([a-z_]+)"|"done": \{"([a-z_]+)"\}`).FindAllStringSubmatch(string(raw), -1) {
			keys["notice."+m[1]+m[2]+m[3]] = true
		}
	}
	for _, c := range api.Codes() {
		keys["error."+string(c)] = true
	}
	for _, r := range access.Reasons() {
		keys["error."+string(r)] = true
	}
	for _, r := range access.AllRoles {
		keys["role."+string(r)] = true
	}
	for _, f := range []string{"login", "display_name", "password", "password_confirm", "name", "expires_in_days", "roles",
		"kind", "subject", "recipients", "link", "start", "end", "scope",
		"share_pct", "thresholds", "webhook_url"} {
		keys["field."+f] = true
	}
	list := make([]string, 0, len(keys))
	for k := range keys {
		list = append(list, k)
	}
	slices.Sort(list)
	return list
}

// TestCatalogues fails when a key the console uses is missing from a
// language, or a language has a key nobody uses.
func TestCatalogues(t *testing.T) {
	cs, err := loadCatalogues(catalogueFS)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cs.langs, []string{"en", "fr"}) {
		t.Errorf("languages %v, want en then fr", cs.langs)
	}
	used := usedKeys(t)
	for _, lang := range cs.langs {
		c := cs.byLang[lang]
		for _, k := range used {
			if !c.has(k) {
				t.Errorf("i18n/%s.json lacks %q", lang, k)
			}
		}
		for k := range c.messages {
			if !slices.Contains(used, k) {
				t.Errorf("i18n/%s.json has %q, which the console never shows; remove it", lang, k)
			}
		}
	}
}

func TestCatalogueErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no default", map[string]string{"i18n/fr.json": `{"language.name":"Français"}`}, "i18n/en.json, the default language, is missing"},
		{"unnamed", map[string]string{"i18n/en.json": `{"a":"b"}`}, `"language.name"`},
		{"not json", map[string]string{"i18n/en.json": `{"a":`}, "reading catalogue i18n/en.json"},
		{"missing key", map[string]string{
			"i18n/en.json": `{"language.name":"English","hello":"Hello"}`,
			"i18n/fr.json": `{"language.name":"Français"}`}, `i18n/fr.json: key "hello" is missing`},
		{"extra key", map[string]string{
			"i18n/en.json": `{"language.name":"English"}`,
			"i18n/fr.json": `{"language.name":"Français","bonjour":"Bonjour"}`}, `key "bonjour" is not in en.json`},
		{"duplicate across files", map[string]string{
			"i18n/en.json":      `{"language.name":"English","hi":"Hi"}`,
			"i18n/en.orgs.json": `{"hi":"Hello"}`}, `the key "hi" is also in i18n/en.json`},
		{"other verbs", map[string]string{
			"i18n/en.json": `{"language.name":"English","hi":"Hi %[1]s"}`,
			"i18n/fr.json": `{"language.name":"Français","hi":"Salut %[1]d"}`}, `key "hi" uses [%[1]d] where en.json uses [%[1]s]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			_, err := loadCatalogues(fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.name != "not json" && !errors.Is(err, ErrCatalogue) {
				t.Errorf("error %v is not ErrCatalogue", err)
			}
		})
	}
}

func TestVerbs(t *testing.T) {
	for msg, want := range map[string][]string{
		"plain":                {},
		"100%% sure":           {},
		"%[2]s then %[1]d":     {"%[1]d", "%[2]s"},
		"ends with %":          {},
		"%s and %[1]s":         {"%[1]s", "%s"},
		"Bonjour, %[1]s !":     {"%[1]s"},
		"trailing %[1]s%%done": {"%[1]s"},
	} {
		if got := verbs(msg); !slices.Equal(got, want) && len(got)+len(want) > 0 {
			t.Errorf("verbs(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestPickLanguage(t *testing.T) {
	cs, err := loadCatalogues(catalogueFS)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ cookie, header, want string }{
		{"", "", "en"},
		{"", "fr", "fr"},
		{"", "fr-CA,fr;q=0.9,en;q=0.8", "fr"},
		{"", "de-DE,de;q=0.9,fr;q=0.8,en;q=0.7", "fr"},
		{"", "en;q=0.5, fr;q=0.8", "fr"},
		{"", "fr;q=0, en", "en"},
		{"", "*", "en"},
		{"", "FR-fr", "fr"},
		{"", "de, ja", "en"},
		{"", "fr;q=abc, en;q=0.1", "en"},
		{"", "de, fr ; q=0.7 ; level=1, en;q=0.5", "fr"},
		{"en", "fr", "en"},
		{"fr", "en", "fr"},
		{"xx", "fr", "fr"},
	} {
		if got := cs.pick(tc.cookie, tc.header).lang; got != tc.want {
			t.Errorf("pick(cookie %q, Accept-Language %q) = %s, want %s", tc.cookie, tc.header, got, tc.want)
		}
	}
}

// FuzzParseAcceptLanguage checks that any header parses without panic into
// tags that appear in it, none empty or "*".
func FuzzParseAcceptLanguage(f *testing.F) {
	for _, seed := range []string{"", "fr-CA,fr;q=0.9,en;q=0.8", "*;q=0.1", "en;q=", ";;,,", "fr;q=1.5", "de;q=0.5;level=1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, h string) {
		for _, tag := range parseAcceptLanguage(h) {
			if tag == "" || tag == "*" || !strings.Contains(h, tag) {
				t.Errorf("parseAcceptLanguage(%q) returned tag %q", h, tag)
			}
		}
	})
}
