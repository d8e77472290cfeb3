package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed i18n/*.json
var catalogueFS embed.FS

// defaultLang is the language used when the browser asks for none we have.
const defaultLang = "en"

// catalogue is one language's messages: key → text. Texts may hold
// fmt verbs with explicit indexes ("%[1]s") so that a translation can
// reorder its arguments.
type catalogue struct {
	lang     string
	name     string // the language's own name ("Français"), for the switch
	messages map[string]string
}

// catalogues are every language the console speaks, keyed by tag.
type catalogues struct {
	byLang map[string]*catalogue
	langs  []string // sorted, the default first
}

// loadCatalogues reads every i18n/<lang>.json, merged with the language's
// area files i18n/<lang>.<area>.json ("fr.orgs.json"), so that each part of
// the console keeps its messages in its own file. A key may appear in only
// one file of a language. Each language must name itself under the key
// "language.name" and hold exactly the keys of the default language, so that
// adding a language is adding files.
func loadCatalogues(fsys fs.FS) (*catalogues, error) {
	files, err := fs.Glob(fsys, "i18n/*.json")
	if err != nil {
		return nil, fmt.Errorf("listing catalogues: %w", err)
	}
	cs := &catalogues{byLang: map[string]*catalogue{}}
	from := map[string]string{} // lang + "\x00" + key → the file defining it
	for _, f := range files {
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("reading catalogue %s: %w", f, err)
		}
		var messages map[string]string
		if err := json.Unmarshal(raw, &messages); err != nil {
			return nil, fmt.Errorf("reading catalogue %s: %w", f, err)
		}
		lang, _, _ := strings.Cut(strings.TrimSuffix(path.Base(f), ".json"), ".")
		c := cs.byLang[lang]
		if c == nil {
			c = &catalogue{lang: lang, messages: map[string]string{}}
			cs.byLang[lang] = c
			cs.langs = append(cs.langs, lang)
		}
		for k, v := range messages {
			if other, dup := from[lang+"\x00"+k]; dup {
				return nil, fmt.Errorf("reading catalogue %s: %w: the key %q is also in %s; keep it in one file", f, ErrCatalogue, k, other)
			}
			from[lang+"\x00"+k] = f
			c.messages[k] = v
		}
	}
	for _, lang := range cs.langs {
		c := cs.byLang[lang]
		if c.name = c.messages["language.name"]; c.name == "" {
			return nil, fmt.Errorf("reading catalogue i18n/%s.json: %w: the key \"language.name\" (the language's own name) is missing", lang, ErrCatalogue)
		}
	}
	def, ok := cs.byLang[defaultLang]
	if !ok {
		return nil, fmt.Errorf("%w: i18n/%s.json, the default language, is missing", ErrCatalogue, defaultLang)
	}
	slices.SortFunc(cs.langs, func(a, b string) int {
		switch {
		case a == defaultLang:
			return -1
		case b == defaultLang:
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, lang := range cs.langs {
		if err := sameKeys(def, cs.byLang[lang]); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// sameKeys checks that c has every key of def and no other, each with the
// same fmt verbs, so that no page shows a key or a "%!s(MISSING)".
func sameKeys(def, c *catalogue) error {
	var problems []string
	for k, v := range def.messages {
		tv, ok := c.messages[k]
		if !ok {
			problems = append(problems, fmt.Sprintf("key %q is missing", k))
			continue
		}
		if a, b := verbs(v), verbs(tv); !slices.Equal(a, b) {
			problems = append(problems, fmt.Sprintf("key %q uses %v where %s.json uses %v", k, b, def.lang, a))
		}
	}
	for k := range c.messages {
		if _, ok := def.messages[k]; !ok {
			problems = append(problems, fmt.Sprintf("key %q is not in %s.json", k, def.lang))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	slices.Sort(problems)
	return fmt.Errorf("%w: i18n/%s.json: %s; make it hold the keys of i18n/%s.json",
		ErrCatalogue, c.lang, strings.Join(problems, "; "), def.lang)
}

// verbs returns the sorted fmt verbs of a message ("%[1]s", "%[2]d").
func verbs(msg string) []string {
	var out []string
	for i := 0; i < len(msg); i++ {
		if msg[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(msg) && strings.IndexByte("[]0123456789", msg[j]) >= 0 {
			j++
		}
		if j < len(msg) && msg[j] != '%' {
			out = append(out, msg[i:j+1])
		}
		i = j
	}
	slices.Sort(out)
	return out
}

// T returns the message key in the catalogue's language, formatted with
// args. A key missing from the catalogue (a bug the tests catch) shows as
// the key itself.
func (c *catalogue) T(key string, args ...any) string {
	msg, ok := c.messages[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Tag is the catalogue's language tag ("fr"), for the language switch.
func (c *catalogue) Tag() string { return c.lang }

// Name is the language's own name ("Français"), for the language switch.
func (c *catalogue) Name() string { return c.name }

// has reports whether the catalogue holds key.
func (c *catalogue) has(key string) bool {
	_, ok := c.messages[key]
	return ok
}

// pick returns the catalogue to use: the lang cookie's if we speak it,
// else the best of the Accept-Language header, else the default.
func (cs *catalogues) pick(cookie, acceptLanguage string) *catalogue {
	if c, ok := cs.byLang[cookie]; ok {
		return c
	}
	for _, tag := range parseAcceptLanguage(acceptLanguage) {
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if c, ok := cs.byLang[base]; ok {
			return c
		}
	}
	return cs.byLang[defaultLang]
}

// parseAcceptLanguage returns the header's language tags by preference (q
// value, then order), without those refused with q=0 and without "*".
func parseAcceptLanguage(h string) []string {
	type choice struct {
		tag string
		q   float64
	}
	var choices []choice
	for part := range strings.SplitSeq(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.TrimSpace(tag)
		if tag == "" || tag == "*" {
			continue
		}
		q := 1.0
		for param := range strings.SplitSeq(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(param), "q="); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f < 0 || f > 1 {
					q = 0 // a malformed weight: ignore the tag
				} else {
					q = f
				}
			}
		}
		if q > 0 {
			choices = append(choices, choice{tag, q})
		}
	}
	slices.SortStableFunc(choices, func(a, b choice) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	tags := make([]string, len(choices))
	for i, c := range choices {
		tags[i] = c.tag
	}
	return tags
}
