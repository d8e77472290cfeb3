package org

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
)

// save is a create or update in progress: the record's old version (nil on
// create) and the values it will have. It is a schema.Record of the new
// state, so derived fields compute over it.
type save struct {
	o      *Org
	as     *Principal
	obj    *schema.Object
	t      *table
	old    *Record
	set    map[int]any
	caller map[int]bool // the fields the caller set (not defaults or rules)
	audit  map[int]any  // audit fields a system principal set on create
	now    int64
	id     any
	create bool
}

func (o *Org) newSave(as *Principal, obj *schema.Object, old *Record) *save {
	s := &save{o: o, as: as, obj: obj, t: o.tables[obj.Name], old: old, set: map[int]any{}, caller: map[int]bool{}, create: old == nil}
	if old != nil {
		s.id = old.id
	}
	return s
}

// Get implements schema.Record over the values being saved.
func (s *save) Get(f *schema.Field) any {
	if v, ok := s.set[f.Index]; ok {
		if v == nil && f.Type == schema.TypeBoolean {
			return false
		}
		return v
	}
	if s.old != nil {
		return s.old.Get(f)
	}
	if f.Index == s.t.sys.id {
		return s.id
	}
	if f.Type == schema.TypeBoolean {
		return false
	}
	return nil
}

func (s *save) field(name string) *schema.Field { return s.obj.Field(name) }

// get returns the new value of the named field (nil when the object lacks it).
func (s *save) get(name string) any {
	if f := s.field(name); f != nil {
		return s.obj.Value(s, f)
	}
	return nil
}

func (s *save) str(name string) string { v, _ := s.get(name).(string); return v }

// put sets a derived value, without validation.
func (s *save) put(name string, v any) {
	if f := s.field(name); f != nil {
		if str, ok := v.(string); ok && len(f.Picklist) > 0 {
			v = s.o.box(str)
		}
		s.set[f.Index] = v
	}
}

// given reports whether the caller set the named field in this save.
func (s *save) given(name string) bool {
	f := s.field(name)
	return f != nil && s.caller[f.Index]
}

// changed reports whether the named field's value differs from the old
// version (always true on create when it is set).
func (s *save) changed(name string) bool {
	f := s.field(name)
	if f == nil {
		return false
	}
	v, ok := s.set[f.Index]
	if !ok {
		return false
	}
	if s.old == nil {
		return v != nil
	}
	return schema.Compare(v, s.old.Get(f)) != 0
}

// isAudit reports whether f is an audit field kept in the record itself.
func (t *table) isAudit(f *schema.Field) bool {
	switch f.Index {
	case t.sys.id, t.sys.isDeleted, t.sys.created, t.sys.createdBy, t.sys.modified, t.sys.modifiedBy, t.sys.stamp:
		return true
	}
	return false
}

// assign checks and normalizes the caller's values.
func (s *save) assign(in *schema.Input) error {
	var readOnly []string
	type pending struct {
		f   *schema.Field
		v   any
		ref *schema.ExternalRef
	}
	var todo []pending
	check := func(f *schema.Field) (bool, error) {
		if !s.as.FieldAccess(f).Read {
			return false, errNoColumn(f.Name, s.obj.Name)
		}
		writable := f.Updateable
		if s.create {
			writable = f.Createable
		}
		// The platform itself (a system principal) sets read-only fields:
		// a report's name, the Organization row's settings.
		writable = writable || s.as.system && !f.Derived() && !f.Type.IsCompound()
		if !writable || !s.as.FieldAccess(f).Edit {
			readOnly = append(readOnly, f.Name)
			return false, nil
		}
		return true, nil
	}
	for _, fv := range in.Values {
		f := s.obj.Field(fv.Field.Name) // the input may come from an older schema
		if f == nil {
			return errNoColumn(fv.Field.Name, s.obj.Name)
		}
		switch {
		case f.Index == s.t.sys.id && s.create:
			return schema.NewError("INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", f.Name)
		case f.Index == s.t.sys.id:
			if id, ok := fv.Value.(string); ok && sfid.Equal(id, s.old.ID()) {
				continue // an update may repeat the record's own Id
			}
		case s.create && s.as.system && s.t.isAudit(f) && f.Index != s.t.sys.isDeleted && f.Index != s.t.sys.stamp:
			// Set Audit Fields upon Record Creation: loads of historical data.
			if s.audit == nil {
				s.audit = map[int]any{}
			}
			s.audit[f.Index] = fv.Value
			continue
		}
		ok, err := check(f)
		if err != nil {
			return err
		}
		if ok {
			todo = append(todo, pending{f: f, v: fv.Value})
		}
	}
	for i := range in.Refs {
		ref := &in.Refs[i]
		f := s.obj.Field(ref.Field.Name)
		if f == nil {
			return errNoColumn(ref.Field.RelationshipName, s.obj.Name)
		}
		ok, err := check(f)
		if err != nil {
			return err
		}
		if ok {
			todo = append(todo, pending{f: f, ref: ref})
		}
	}
	if len(readOnly) > 0 {
		return errReadOnly(readOnly)
	}
	for _, p := range todo {
		var v any
		var err error
		if p.ref != nil {
			v, err = s.o.externalRef(s.as, *p.ref)
		} else {
			v, err = s.o.normalize(s.as, p.f, p.v)
		}
		if err != nil {
			return err
		}
		if p.f.Name == "OwnerId" {
			if err := s.o.checkOwner(p.f, v); err != nil {
				return err
			}
		}
		s.set[p.f.Index] = v
		s.caller[p.f.Index] = true
	}
	return nil
}

// defaults fills what Salesforce fills on create: picklist and checkbox
// defaults and the owner.
func (s *save) defaults() {
	for _, f := range s.obj.Fields {
		if v, ok := s.set[f.Index]; ok && v != nil {
			continue
		}
		switch d := f.DefaultValue.(type) {
		case bool:
			if d {
				s.set[f.Index] = true
			}
		case string:
			s.set[f.Index] = s.o.box(d)
		}
	}
	if owner := s.field("OwnerId"); owner != nil && s.set[owner.Index] == nil {
		s.set[owner.Index] = s.o.userBox(s.as.userID)
	}
}

// checkRequired reports the required fields left empty: on create every
// non-nillable field; on update those the save empties.
func (s *save) checkRequired() error {
	var missing []string
	for _, f := range s.obj.Fields {
		if f.Nillable || f.AutoNumber || f.Type == schema.TypeBoolean || f.Derived() || s.t.isAudit(f) {
			continue
		}
		v, given := s.set[f.Index]
		switch {
		case s.create && s.Get(f) == nil:
			missing = append(missing, f.Name)
		case !s.create && given && v == nil:
			missing = append(missing, f.Name)
		}
	}
	if len(missing) > 0 {
		return errRequired(missing)
	}
	return nil
}

// checkUnique rejects a value another live record of the object holds in a
// unique or external-ID field.
func (s *save) checkUnique(num uint64) error {
	for _, f := range s.t.uniq {
		v := s.Get(f)
		if v == nil {
			continue
		}
		if other, ok := s.t.unique[f.Index][uniqueKey(f, v)]; ok && other != num {
			return schema.NewError("DUPLICATE_VALUE",
				fmt.Sprintf("duplicate value found: %s duplicates value on record with id: %s", f.Name, s.o.recs[other].ID()))
		}
	}
	return nil
}

// Create inserts a record of the named object and returns its ID.
func (o *Org) Create(ctx context.Context, as *Principal, object string, in *schema.Input) (string, error) {
	var id string
	err := o.write(ctx, func() error {
		var err error
		id, err = o.create(as, object, in)
		return err
	})
	return id, err
}

func (o *Org) create(as *Principal, object string, in *schema.Input) (string, error) {
	obj := o.Registry().Object(object)
	if obj == nil || !as.objectPerm(obj).Read {
		return "", errNotFound()
	}
	if !obj.Flags.Createable && !as.system {
		return "", errOperation("inserted")
	}
	if !as.objectPerm(obj).Create {
		return "", errInsufficientAccess()
	}
	s := o.newSave(as, obj, nil)
	if err := s.assign(in); err != nil {
		return "", err
	}
	s.defaults()
	return o.insert(s)
}

// insert stores a new record from a prepared save: rules, required fields,
// uniqueness, auto-numbers, then the record itself. mu is held.
func (o *Org) insert(s *save) (string, error) {
	r := rulesFor(s.obj.Name)
	if r.before != nil {
		if err := r.before(s); err != nil {
			return "", err
		}
	}
	if err := s.checkRequired(); err != nil {
		return "", err
	}
	if err := s.checkUnique(0); err != nil {
		return "", err
	}
	id, num, err := o.newID(s.obj)
	if err != nil {
		return "", err
	}
	s.id = id
	for _, f := range s.obj.Fields {
		if f.AutoNumber {
			n := s.t.autoNumber[f.Index]
			if n == 0 {
				n = f.AutoNumberStart - 1
			}
			n++
			s.t.autoNumber[f.Index] = n
			s.set[f.Index] = f.FormatAutoNumber(n)
		}
	}
	now := o.tick()
	s.now = now
	by := o.userBox(s.as.userID)
	rec := &Record{id: id, num: num, sys: s.t.sys, created: now, modified: now, modstamp: now, createdBy: by, modifiedBy: by}
	o.applyAudit(s, rec)
	rec = rec.with(s.set)
	o.put(s.t, num, nil, rec)
	if r.after != nil {
		if err := r.after(s); err != nil {
			return "", err
		}
	}
	return id, nil
}

// applyAudit copies the audit fields a system principal gave on create.
func (o *Org) applyAudit(s *save, rec *Record) {
	if t, ok := s.audit[s.t.sys.created].(time.Time); ok {
		rec.created, rec.modified = t.UnixMilli(), t.UnixMilli()
	}
	if t, ok := s.audit[s.t.sys.modified].(time.Time); ok {
		rec.modified = t.UnixMilli()
	}
	if id, ok := s.audit[s.t.sys.createdBy].(string); ok {
		rec.createdBy, rec.modifiedBy = o.userBox(id), o.userBox(id)
	}
	if id, ok := s.audit[s.t.sys.modifiedBy].(string); ok {
		rec.modifiedBy = o.userBox(id)
	}
}

// Update changes a record. object may be empty; when given it must be the
// record's object.
func (o *Org) Update(ctx context.Context, as *Principal, object, id string, in *schema.Input) error {
	return o.write(ctx, func() error { return o.update(as, object, id, in) })
}

func (o *Org) update(as *Principal, object, id string, in *schema.Input) error {
	obj, rec, err := o.target(as, object, id)
	if err != nil {
		return err
	}
	if !obj.Flags.Updateable && !as.system {
		return errOperation("updated")
	}
	if !as.canEdit(obj, rec) {
		return errInsufficientAccess()
	}
	s := o.newSave(as, obj, rec)
	if err := s.assign(in); err != nil {
		return err
	}
	return o.replace(s)
}

// replace stores an updated record from a prepared save. mu is held.
func (o *Org) replace(s *save) error {
	r := rulesFor(s.obj.Name)
	if r.before != nil {
		if err := r.before(s); err != nil {
			return err
		}
	}
	if err := s.checkRequired(); err != nil {
		return err
	}
	if err := s.checkUnique(s.old.num); err != nil {
		return err
	}
	s.now = o.tick()
	rec := s.old.with(s.set)
	rec.modified, rec.modstamp, rec.modifiedBy = s.now, s.now, o.userBox(s.as.userID)
	o.put(s.t, rec.num, s.old, rec)
	if r.after != nil {
		return r.after(s)
	}
	return nil
}

// target finds the record a write addresses. mu is held.
func (o *Org) target(as *Principal, object, id string) (*schema.Object, *Record, error) {
	id18, err := sfid.To18(id)
	if err != nil {
		return nil, nil, schema.NewError("MALFORMED_ID", "malformed id "+id)
	}
	rec := o.recs[recordNumber(id18)]
	if rec == nil || rec.ID() != id18 {
		return nil, nil, errNotFound()
	}
	obj := o.Registry().Object(rec.sys.obj)
	if object != "" && !strings.EqualFold(object, obj.Name) || !as.objectPerm(obj).Read {
		return nil, nil, errNotFound()
	}
	if rec.deleted != 0 {
		return nil, nil, errDeleted()
	}
	if err := o.checkLock(rec.num, id18); err != nil {
		return nil, nil, err
	}
	return obj, rec, nil
}

// Upsert creates or updates the record of object whose external ID field
// has the given value (field may be "Id"). It returns the record's ID and
// whether it was created. Several matches give a *MultipleMatchesError.
func (o *Org) Upsert(ctx context.Context, as *Principal, object, field, value string, in *schema.Input) (id string, created bool, err error) {
	err = o.write(ctx, func() error {
		obj := o.Registry().Object(object)
		if obj == nil || !as.objectPerm(obj).Read {
			return errNotFound()
		}
		f := obj.Field(field)
		if f == nil || !f.IDLookup || !as.FieldAccess(f).Read {
			return schema.NewError("NOT_FOUND", "Provided external ID field does not exist or is not accessible: "+field)
		}
		key, perr := schema.ParseText(f.Type, value)
		if perr != nil || key == nil {
			return schema.NewError("MALFORMED_ID", fmt.Sprintf("%s: invalid external ID value %q: %v", f.Name, value, perr))
		}
		matches := o.matchExternal(obj, f, key, 1000)
		switch len(matches) {
		case 0:
			if f.Type == schema.TypeID {
				return errNotFound()
			}
			var err error
			id, err = o.create(as, obj.Name, withValue(in, f, key))
			created = err == nil
			return err
		case 1:
			id = matches[0].ID()
			body := &schema.Input{Type: in.Type, Refs: in.Refs}
			for _, v := range in.Values {
				if v.Field.Name != f.Name {
					body.Values = append(body.Values, v)
				}
			}
			return o.update(as, obj.Name, id, body)
		default:
			e := &MultipleMatchesError{Object: obj.Name, Field: f.Name, Value: value}
			for _, m := range matches {
				e.IDs = append(e.IDs, m.ID())
			}
			return e
		}
	})
	return id, created, err
}

// withValue returns in with field f set to v (replacing a value in the body).
func withValue(in *schema.Input, f *schema.Field, v any) *schema.Input {
	out := &schema.Input{Type: in.Type, Refs: in.Refs}
	for _, fv := range in.Values {
		if fv.Field.Name != f.Name {
			out.Values = append(out.Values, fv)
		}
	}
	out.Values = append(out.Values, schema.FieldValue{Field: f, Value: v})
	return out
}

// Get returns a record the principal may see. A deleted record gives
// ENTITY_IS_DELETED, one that does not exist or is not visible NOT_FOUND.
func (o *Org) Get(as *Principal, id string) (*Record, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	id18, err := sfid.To18(id)
	if err != nil {
		return nil, schema.NewError("MALFORMED_ID", "malformed id "+id)
	}
	rec := o.recs[recordNumber(id18)]
	if rec == nil || rec.ID() != id18 {
		return nil, errNotFound()
	}
	obj := o.Registry().Object(rec.sys.obj)
	if !as.objectPerm(obj).Read || !as.canSee(obj, rec) {
		return nil, errNotFound()
	}
	if rec.deleted != 0 {
		return nil, errDeleted()
	}
	return rec, nil
}

// GetByExternalID returns the live record of object whose field (an
// external ID or other idLookup field) has value. Several matches give a
// *MultipleMatchesError.
func (o *Org) GetByExternalID(as *Principal, object, field, value string) (*Record, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	obj := o.Registry().Object(object)
	if obj == nil || !as.objectPerm(obj).Read {
		return nil, errNotFound()
	}
	f := obj.Field(field)
	if f == nil || !f.IDLookup || !as.FieldAccess(f).Read {
		return nil, schema.NewError("NOT_FOUND", "Provided external ID field does not exist or is not accessible: "+field)
	}
	key, err := schema.ParseText(f.Type, value)
	if err != nil || key == nil {
		return nil, errNotFound()
	}
	var visible []*Record
	for _, r := range o.matchExternal(obj, f, key, 1000) {
		if as.canSee(obj, r) {
			visible = append(visible, r)
		}
	}
	switch len(visible) {
	case 0:
		return nil, errNotFound()
	case 1:
		return visible[0], nil
	}
	e := &MultipleMatchesError{Object: obj.Name, Field: f.Name, Value: value}
	for _, r := range visible {
		e.IDs = append(e.IDs, r.ID())
	}
	return nil, e
}

// Delete moves a record to the recycle bin with the records that cascade
// from it (an account's contacts, opportunities, activities ...); lookups
// of other records to them are emptied. A record with children that
// restrict deletion (an account's cases) is not deleted: DELETE_FAILED.
func (o *Org) Delete(ctx context.Context, as *Principal, id string) error {
	return o.write(ctx, func() error { return o.delete(as, id) })
}

func (o *Org) delete(as *Principal, id string) error {
	obj, rec, err := o.target(as, "", id)
	if err != nil {
		return err
	}
	if !obj.Flags.Deletable && !as.system {
		return errOperation("deleted")
	}
	if !as.canDelete(obj, rec) {
		return errInsufficientAccess()
	}
	// The records the delete cascades to, then the children that forbid it.
	doomed := []doomedRecord{{obj, rec}}
	in := map[uint64]bool{rec.num: true}
	for i := 0; i < len(doomed); i++ {
		d := doomed[i]
		for _, cr := range d.obj.Children {
			if !cr.CascadeDelete {
				continue
			}
			for _, n := range o.tables[cr.Object.Name].children[cr.Field.Index][d.rec.num] {
				if child := o.recs[n]; child != nil && child.deleted == 0 && !in[n] {
					in[n] = true
					doomed = append(doomed, doomedRecord{cr.Object, child})
				}
			}
		}
	}
	for _, d := range doomed {
		if err := o.checkRestricted(obj, rec, d, in); err != nil {
			return err
		}
		if err := o.checkLock(d.rec.num, d.rec.ID()); err != nil {
			return err
		}
	}
	now := o.tick()
	var cleared []clearedRef
	for i, d := range doomed {
		t := o.tables[d.obj.Name]
		c := *d.rec
		c.deleted, c.modstamp = now, now
		if i > 0 {
			c.deletedWith, c.modstamp = rec.num, o.tick()
		}
		o.put(t, c.num, d.rec, &c)
		t.deletions = append(t.deletions, deletion{num: c.num, at: now})
		// Other records' lookups to it are emptied (and restored by undelete).
		for _, f := range o.referrers[d.obj.Name] {
			ct := o.tables[f.Object.Name]
			for _, n := range slices.Clone(ct.children[f.Index][c.num]) {
				child := o.recs[n]
				if child == nil || child.deleted != 0 || in[n] {
					continue
				}
				e := child.with(map[int]any{f.Index: nil})
				e.modstamp = o.tick()
				o.put(ct, n, child, e)
				cleared = append(cleared, clearedRef{child: n, parent: c.num, field: uint16(f.Index)})
			}
		}
	}
	if len(cleared) > 0 {
		t := o.tables[obj.Name]
		final := *o.recs[rec.num]
		final.cleared = cleared
		o.put(t, rec.num, o.recs[rec.num], &final)
	}
	o.purge(now)
	return nil
}

type doomedRecord struct {
	obj *schema.Object
	rec *Record
}

// checkRestricted fails the delete of root when record d (root itself or a
// record it cascades to) has live children that restrict deletion and are
// not being deleted too. mu is held.
func (o *Org) checkRestricted(rootObj *schema.Object, root *Record, d doomedRecord, doomed map[uint64]bool) error {
	for _, cr := range d.obj.Children {
		if !cr.RestrictedDelete || cr.CascadeDelete {
			continue
		}
		var names []string
		for _, n := range o.tables[cr.Object.Name].children[cr.Field.Index][d.rec.num] {
			child := o.recs[n]
			if child == nil || child.deleted != 0 || doomed[n] {
				continue
			}
			name := child.ID()
			if nf := cr.Object.NameField; nf != nil {
				if s, ok := cr.Object.Value(child, nf).(string); ok {
					name = s
				}
			}
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
		if len(names) > 0 {
			label := root.ID()
			if rootObj.NameField != nil {
				if s, ok := rootObj.Value(root, rootObj.NameField).(string); ok {
					label = s
				}
			}
			return schema.NewError("DELETE_FAILED", fmt.Sprintf(
				"Your attempt to delete %s could not be completed because it is associated with the following %s.: %s",
				label, strings.ToLower(cr.Object.LabelPlural), strings.Join(names, ", ")))
		}
	}
	return nil
}

// Undelete restores a record from the recycle bin, with the records its
// delete cascaded to and the lookups it emptied.
func (o *Org) Undelete(ctx context.Context, as *Principal, id string) error {
	return o.write(ctx, func() error { return o.undelete(as, id) })
}

func (o *Org) undelete(as *Principal, id string) error {
	id18, err := sfid.To18(id)
	if err != nil {
		return schema.NewError("MALFORMED_ID", "malformed id "+id)
	}
	rec := o.recs[recordNumber(id18)]
	if rec == nil || rec.ID() != id18 {
		return errNotFound()
	}
	obj := o.Registry().Object(rec.sys.obj)
	switch {
	case !as.objectPerm(obj).Read:
		return errNotFound()
	case !obj.Flags.Undeletable && !as.system:
		return errOperation("undeleted")
	case rec.deleted == 0:
		return schema.NewError("UNDELETE_FAILED", "Entity is not in the recycle bin")
	case rec.deletedWith != 0:
		return schema.NewError("UNDELETE_FAILED", "Entity was deleted with its parent: undelete the parent record")
	case !as.canDelete(obj, rec):
		return errInsufficientAccess()
	}
	if err := o.checkLock(rec.num, id18); err != nil {
		return err
	}
	// Collect the record and those deleted with it, then check uniqueness.
	type item struct {
		obj *schema.Object
		rec *Record
	}
	items := []item{{obj, rec}}
	seen := map[uint64]bool{rec.num: true}
	var walk func(obj *schema.Object, r *Record)
	walk = func(obj *schema.Object, r *Record) {
		for _, cr := range obj.Children {
			if !cr.CascadeDelete {
				continue
			}
			ct := o.tables[cr.Object.Name]
			for _, n := range ct.children[cr.Field.Index][r.num] {
				// A task can hang from both an account and a contact.
				if c := o.recs[n]; c != nil && !seen[n] && c.deleted != 0 && c.deletedWith == rec.num {
					seen[n] = true
					items = append(items, item{cr.Object, c})
					walk(cr.Object, c)
				}
			}
		}
	}
	walk(obj, rec)
	for _, it := range items {
		s := &save{o: o, obj: it.obj, t: o.tables[it.obj.Name], old: it.rec, set: map[int]any{}}
		if err := s.checkUnique(it.rec.num); err != nil {
			return err
		}
	}
	for _, it := range items {
		t := o.tables[it.obj.Name]
		c := *it.rec
		c.deleted, c.deletedWith, c.cleared, c.modstamp = 0, 0, nil, o.tick()
		o.put(t, c.num, it.rec, &c)
	}
	for _, cl := range rec.cleared {
		child, parent := o.recs[cl.child], o.recs[cl.parent]
		if child == nil || child.deleted != 0 || child.stored(int(cl.field)) != nil || parent == nil || parent.deleted != 0 {
			continue
		}
		ct := o.tables[child.sys.obj]
		c := child.with(map[int]any{int(cl.field): parent.id})
		c.modstamp = o.tick()
		o.put(ct, c.num, child, c)
	}
	return nil
}
