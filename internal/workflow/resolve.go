package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

// DescribeFunc returns an object's describe in the workflow's org. It
// returns an error wrapping ErrObjectNotFound when the org has no such
// object or the user cannot see it; any other error stops validation.
type DescribeFunc func(ctx context.Context, object string) (*salesforce.SObjectDescribe, error)

// describer memoises describes for one compilation: relationship paths
// describe the same related objects again and again.
type describer struct {
	fn    DescribeFunc
	cache map[string]*salesforce.SObjectDescribe
	miss  map[string]bool
}

// get returns the describe of object, nil when it does not exist.
func (d *describer) get(ctx context.Context, object string) (*salesforce.SObjectDescribe, error) {
	key := strings.ToLower(object)
	if desc, ok := d.cache[key]; ok {
		return desc, nil
	}
	if d.miss[key] {
		return nil, nil
	}
	desc, err := d.fn(ctx, object)
	switch {
	case errors.Is(err, ErrObjectNotFound):
		d.miss[key] = true
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("describing %s: %w", object, err)
	case desc == nil:
		return nil, fmt.Errorf("describing %s: no describe and no error", object)
	}
	d.cache[key] = desc
	return desc, nil
}

// nameObject is Salesforce's "Name" object: what a polymorphic
// relationship (Owner on Lead and Case, Who and What on activities)
// exposes, whatever the related record's type. Its fields are read-only.
var nameObject = func() *salesforce.SObjectDescribe {
	d := &salesforce.SObjectDescribe{Name: "Name", Queryable: true}
	for _, f := range []struct{ name, typ string }{
		{"Id", "id"}, {"Name", "string"}, {"FirstName", "string"}, {"LastName", "string"}, {"Alias", "string"},
		{"Email", "email"}, {"Phone", "phone"}, {"Title", "string"}, {"Type", "string"}, {"Username", "string"},
		{"IsActive", "boolean"}, {"LastReferencedDate", "datetime"}, {"LastViewedDate", "datetime"},
	} {
		d.Fields = append(d.Fields, salesforce.Field{Name: f.name, Type: f.typ, Nillable: f.typ != "id" && f.typ != "boolean", Filterable: true})
	}
	return d
}()

// resolved is a field path resolved against the describes.
type resolved struct {
	path   string            // canonical spelling: "Account.Owner.Name"
	field  *salesforce.Field // the last field of the path
	object string            // the object that field belongs to
	parts  []*salesforce.Field
	direct bool // the field is on the workflow's own object
}

// resolveError is a problem found while resolving a path.
type resolveError struct {
	code    Code
	hint    string
	message string
}

func (e *resolveError) Error() string { return e.message }

// resolve follows a field path from object root, hop by hop through
// reference fields, and returns the field at its end. Problems come back
// as *resolveError; other errors are describe failures.
func (c *compiler) resolve(root *salesforce.SObjectDescribe, path string) (*resolved, error) {
	segs := strings.Split(path, ".")
	cur := root
	canon := make([]string, 0, len(segs))
	for _, seg := range segs[:len(segs)-1] {
		ref := relationship(cur, seg)
		if ref == nil {
			return nil, unknownRelationship(cur, seg)
		}
		canon = append(canon, *ref.RelationshipName)
		switch {
		case len(ref.ReferenceTo) > 1 || ref.PolymorphicForeign:
			cur = nameObject
		case len(ref.ReferenceTo) == 1:
			next, err := c.describe.get(c.ctx, ref.ReferenceTo[0])
			if err != nil {
				return nil, err
			}
			if next == nil {
				return nil, &resolveError{code: CodeUnknownRelationship,
					message: fmt.Sprintf("%s.%s points to %s, which this org does not let the owner see", cur.Name, seg, ref.ReferenceTo[0])}
			}
			cur = next
		default:
			return nil, &resolveError{code: CodeUnknownRelationship, message: fmt.Sprintf("%s.%s points to no object", cur.Name, seg)}
		}
	}
	last := segs[len(segs)-1]
	f := cur.Field(last)
	if f == nil {
		return nil, unknownField(cur, last)
	}
	if f.DeprecatedAndHidden {
		return nil, &resolveError{code: CodeUnreadableField, message: fmt.Sprintf("%s.%s is deprecated and hidden", cur.Name, f.Name),
			hint: "Salesforce no longer exposes it; remove it"}
	}
	r := &resolved{path: strings.Join(append(canon, f.Name), "."), field: f, object: cur.Name, direct: len(segs) == 1}
	if f.Type == "address" || f.Type == "location" {
		for i := range cur.Fields {
			if p := &cur.Fields[i]; p.CompoundFieldName != nil && *p.CompoundFieldName == f.Name {
				r.parts = append(r.parts, p)
			}
		}
	}
	return r, nil
}

// relationship finds the reference field whose relationship name is name.
func relationship(d *salesforce.SObjectDescribe, name string) *salesforce.Field {
	for i := range d.Fields {
		f := &d.Fields[i]
		if f.Type == "reference" && f.RelationshipName != nil && strings.EqualFold(*f.RelationshipName, name) {
			return f
		}
	}
	return nil
}

func unknownRelationship(d *salesforce.SObjectDescribe, seg string) *resolveError {
	e := &resolveError{code: CodeUnknownRelationship, message: fmt.Sprintf("%s has no relationship %q", d.Name, seg)}
	if f := d.Field(seg); f != nil && f.Type == "reference" && f.RelationshipName != nil {
		e.hint = fmt.Sprintf("a path goes through the relationship name: write %s instead of %s", *f.RelationshipName, f.Name)
		return e
	}
	var names []string
	for i := range d.Fields {
		if f := &d.Fields[i]; f.Type == "reference" && f.RelationshipName != nil {
			names = append(names, *f.RelationshipName)
		}
	}
	e.hint = didYouMean(seg, names)
	if e.hint == "" && len(names) > 0 {
		e.hint = fmt.Sprintf("relationships of %s include %s", d.Name, sample(names, 6))
	}
	return e
}

func unknownField(d *salesforce.SObjectDescribe, name string) *resolveError {
	e := &resolveError{code: CodeUnknownField,
		message: fmt.Sprintf("%s has no field %q (or the workflow owner's profile cannot see it)", d.Name, name)}
	if ref := relationship(d, name); ref != nil {
		e.hint = fmt.Sprintf("%s is a relationship: pick one of its fields (%s.Name), or map the lookup field %s", name, name, ref.Name)
		return e
	}
	names := make([]string, 0, len(d.Fields))
	for i := range d.Fields {
		names = append(names, d.Fields[i].Name)
	}
	e.hint = didYouMean(name, names)
	if e.hint == "" && strings.HasSuffix(strings.ToLower(name), "__c") {
		e.hint = "check the custom field's API name in Setup > Object Manager > Fields & Relationships"
	}
	return e
}

// sample lists up to n names, for hints.
func sample(names []string, n int) string {
	if len(names) > n {
		return strings.Join(names[:n], ", ") + " …"
	}
	return strings.Join(names, ", ")
}
