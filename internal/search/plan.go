package search

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

// plan is one object as the user may search it.
type plan struct {
	object, label string
	fields        []field
}

type field struct{ path, label string }

// plan returns the configured objects the user can search, with the
// fields they can read. It uses describes, which the connection caches.
func (s *Service) plan(ctx context.Context, conn Conn) ([]plan, error) {
	global, err := conn.DescribeGlobal(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the objects you can see: %w", err)
	}
	var out []plan
	for _, o := range s.cfg.Objects {
		sum := global.SObject(o.Name)
		if sum == nil || !sum.Queryable || !sum.Searchable {
			continue // not in the org, or not for this user
		}
		d, err := conn.Describe(ctx, sum.Name)
		if err != nil {
			if salesforce.IsCode(err, "NOT_FOUND") || salesforce.IsCode(err, "INVALID_TYPE") {
				continue
			}
			return nil, fmt.Errorf("describing %s: %w", sum.Name, err)
		}
		p := plan{object: d.Name, label: d.LabelPlural}
		for _, path := range o.Fields {
			if f, ok := readable(d, path); ok {
				p.fields = append(p.fields, f)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// readable returns the field at path if the user can read it: a field of
// d, or Relationship.Field through a lookup they can read (the parent's
// field is checked by Salesforce, which returns null when it is hidden).
func readable(d *salesforce.SObjectDescribe, path string) (field, bool) {
	rel, name, ok := strings.Cut(path, ".")
	if !ok {
		f := d.Field(path)
		if f == nil {
			return field{}, false
		}
		return field{path: f.Name, label: f.Label}, true
	}
	for _, f := range d.Fields {
		if f.RelationshipName != nil && strings.EqualFold(*f.RelationshipName, rel) {
			return field{path: *f.RelationshipName + "." + name, label: strings.TrimSuffix(f.Label, " ID") + " " + name}, true
		}
	}
	return field{}, false
}

// sosl builds the search: every object in one RETURNING clause.
func sosl(term string, plans []plan, perObject int) string {
	var b strings.Builder
	b.WriteString("FIND {")
	b.WriteString(escapeTerm(term))
	b.WriteString("} IN ALL FIELDS RETURNING ")
	for i, p := range plans {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.object)
		b.WriteString("(Id")
		for _, f := range p.fields {
			if !strings.EqualFold(f.path, "Id") {
				b.WriteString(", ")
				b.WriteString(f.path)
			}
		}
		fmt.Fprintf(&b, " LIMIT %d)", perObject)
	}
	return b.String()
}

// escapeTerm makes the user's text a plain search for all its words:
// every SOSL reserved character is escaped, and the words AND, OR and NOT
// are quoted so they are searched, not read as operators.
func escapeTerm(term string) string {
	words := strings.Fields(term)
	for i, w := range words {
		var b strings.Builder
		for _, r := range w {
			if strings.ContainsRune(`?&|!{}[]()^~*:\"'+-`, r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		words[i] = b.String()
		if strings.EqualFold(w, "AND") || strings.EqualFold(w, "OR") || strings.EqualFold(w, "NOT") {
			words[i] = `"` + w + `"`
		}
	}
	return strings.Join(words, " ")
}

// group puts the records under their objects, in plan order.
func group(records []*salesforce.Record, plans []plan, instanceURL string) []Group {
	var out []Group
	for _, p := range plans {
		g := Group{Object: p.object, Label: p.label}
		for _, r := range records {
			if !strings.EqualFold(r.Type, p.object) {
				continue
			}
			h := Hit{ID: r.ID(), URL: RecordURL(instanceURL, p.object, r.ID())}
			for _, f := range p.fields {
				v, _ := r.Get(f.path)
				h.Fields = append(h.Fields, Value{Field: f.path, Label: f.label, Value: text(v)})
			}
			h.Title = h.ID
			if len(h.Fields) > 0 && h.Fields[0].Value != "" {
				h.Title = h.Fields[0].Value
			}
			g.Hits = append(g.Hits, h)
		}
		if len(g.Hits) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// text renders a field value for display.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case *salesforce.Record:
		return ""
	}
	return fmt.Sprint(v)
}
