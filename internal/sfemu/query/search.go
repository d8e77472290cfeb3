package query

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// DefaultSearchLimit is the number of records a search returns at most when
// it has no LIMIT.
const DefaultSearchLimit = 2000

// Search runs a SOSL statement for who and returns the body of the search
// resource's response: {"searchRecords":[...]}, the records of each
// RETURNING object in turn, with the fields it asks for (Id when none).
// Errors are *soql.Error values (MALFORMED_SEARCH, INVALID_TYPE,
// INVALID_FIELD, ...).
func (e *Engine) Search(ctx context.Context, who Principal, text string, opt Options) ([]byte, error) {
	s, err := soql.ParseSearch(text)
	if err != nil {
		return nil, err
	}
	c := newCompiler(ctx, e.src, who, text, opt)
	match := compileTerm(s.Expr)
	returning := s.Returning
	if len(returning) == 0 {
		for _, o := range c.reg.Objects() {
			if o.Flags.Searchable && who.CanReadObject(o) {
				returning = append(returning, &soql.Returning{Object: o.Name})
			}
		}
	}
	limit := DefaultSearchLimit
	if s.Limit != nil {
		limit = min(*s.Limit, DefaultSearchLimit)
	}
	dst := []byte(`{"searchRecords":[`)
	n := 0
	for _, r := range returning {
		o := c.reg.Object(r.Object)
		if o == nil || !o.Flags.Searchable || !who.CanReadObject(o) {
			return nil, c.unsupportedType(r.Pos, r.Object)
		}
		p, err := c.compileReturning(r, o)
		if err != nil {
			return nil, err
		}
		fields := c.searchFields(o, s.In)
		rows, err := c.searchRows(p, fields, match)
		if err != nil {
			return nil, err
		}
		for _, rec := range rows {
			if n == limit {
				break
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = c.appendRecord(dst, p.proj, rec)
			n++
		}
	}
	return append(dst, "]}"...), nil
}

// compileReturning compiles one RETURNING object as the query it amounts to.
func (c *compiler) compileReturning(r *soql.Returning, o *schema.Object) (*plan, error) {
	q := &soql.Query{From: o.Name, FromPos: r.Pos, Where: r.Where, OrderBy: r.OrderBy, Limit: r.Limit, Offset: r.Offset}
	for _, f := range r.Fields {
		q.Select = append(q.Select, &soql.SelectExpr{Expr: f})
	}
	if len(q.Select) == 0 {
		q.Select = []soql.SelectItem{&soql.SelectExpr{Expr: &soql.Field{Path: []string{"Id"}}}}
	}
	return c.compileQuery(q, o)
}

// searchFields returns the fields of o a search group looks in.
func (c *compiler) searchFields(o *schema.Object, group string) []*schema.Field {
	var out []*schema.Field
	for _, f := range o.Fields {
		if !c.who.CanReadField(f) {
			continue
		}
		var in bool
		switch group {
		case "NAME":
			in = f == o.NameField
		case "EMAIL":
			in = f.Type == schema.TypeEmail
		case "PHONE":
			in = f.Type == schema.TypePhone
		default: // ALL, SIDEBAR
			switch f.Type {
			case schema.TypeString, schema.TypeTextArea, schema.TypeEmail, schema.TypePhone, schema.TypeURL, schema.TypeCombobox:
				in = true
			}
		}
		if in {
			out = append(out, f)
		}
	}
	return out
}

// searchRows returns the records of p's object whose searched fields match
// the term, then filtered, sorted and limited like a query.
func (c *compiler) searchRows(p *plan, fields []*schema.Field, match termMatcher) ([]schema.Record, error) {
	var out []schema.Record
	n := 0
	var doc [][]string
	for r := range c.src.Scan(p.obj, c.opt.All) {
		if n++; n%ctxCheckEvery == 0 {
			if err := c.ctx.Err(); err != nil {
				return nil, err
			}
		}
		doc = doc[:0]
		for _, f := range fields {
			if s, ok := p.obj.Value(r, f).(string); ok && s != "" {
				doc = append(doc, words(s, f.Type == schema.TypePhone))
			}
		}
		if len(doc) == 0 || !match(doc) || !c.keep(p, r) {
			continue
		}
		out = append(out, r)
	}
	if len(p.order) > 0 {
		sortRecords(out, p.order)
	}
	return window(out, p.offset, p.limit), nil
}

// words splits text into lower-case words of letters and digits. For a
// phone number, the run of all its digits is a word too, so that
// 4155551212 finds (415) 555-1212.
func words(s string, phone bool) []string {
	out := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if phone {
		digits := strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return r
			}
			return -1
		}, s)
		out = append(out, digits)
	}
	return out
}

// termMatcher tells whether a record, given as the words of each searched
// field, matches a search term.
type termMatcher func(doc [][]string) bool

func compileTerm(e soql.SearchExpr) termMatcher {
	switch e := e.(type) {
	case *soql.SearchWord:
		pattern := termWords(e.Text)
		return func(doc [][]string) bool {
			for _, field := range doc {
				if containsSequence(field, pattern) {
					return true
				}
			}
			return false
		}
	case *soql.SearchBinary:
		l, r := compileTerm(e.Left), compileTerm(e.Right)
		switch e.Op {
		case soql.SearchOr:
			return func(doc [][]string) bool { return l(doc) || r(doc) }
		case soql.SearchAndNot:
			return func(doc [][]string) bool { return l(doc) && !r(doc) }
		}
		return func(doc [][]string) bool { return l(doc) && r(doc) }
	}
	return func([][]string) bool { return false }
}

// termWords splits a search word or phrase into lower-case word patterns:
// * and ? stay wildcards, a backslash makes the next character literal, any
// other character that is not a letter or digit separates words.
func termWords(text string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		switch {
		case r == '\\' && i < len(text):
			r, n = utf8.DecodeRuneInString(text[i:])
			i += n
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				cur.WriteRune(unicode.ToLower(r))
			} else {
				flush()
			}
		case r == '*' || r == '?' || unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

// containsSequence tells whether the word patterns appear one after the
// other in words.
func containsSequence(words, patterns []string) bool {
	if len(patterns) == 0 {
		return false
	}
	for i := 0; i+len(patterns) <= len(words); i++ {
		ok := true
		for j, p := range patterns {
			if !wildcardMatch(p, words[i+j]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// wildcardMatch matches a word against a pattern where * is any run of
// characters and ? one character.
func wildcardMatch(p, s string) bool {
	if !strings.ContainsAny(p, "*?") {
		return p == s
	}
	var b strings.Builder
	for _, r := range p {
		switch r {
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return compileLike(b.String()).match(s)
}
