package org

import (
	"strings"
	"time"
	_ "time/tzdata" // users' time zones must load without the machine's zoneinfo

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// Profile is a set of permissions given to users: object CRUD, field-level
// security and the org-wide View/Modify All Data.
type Profile struct {
	ID            string
	Name          string
	ViewAllData   bool
	ModifyAllData bool
	// Objects are the object permissions by object name; an object not
	// listed gets Default.
	Objects map[string]ObjectPermissions
	Default ObjectPermissions
	// Fields are the field permissions by "Object.Field"; a field not
	// listed is readable and editable.
	Fields map[string]FieldPermissions
}

// ObjectPermissions are a profile's rights on one object.
type ObjectPermissions struct {
	Read, Create, Edit, Delete, ViewAll, ModifyAll bool
}

// FieldPermissions are a profile's field-level security on one field.
type FieldPermissions struct {
	Read, Edit bool
}

// The built-in profiles.
const (
	SystemAdministrator = "System Administrator"
	StandardUser        = "Standard User"
)

var allObjectPermissions = ObjectPermissions{Read: true, Create: true, Edit: true, Delete: true, ViewAll: true, ModifyAll: true}

// builtinProfiles returns the System Administrator (everything) and the
// restricted Standard User profiles.
func builtinProfiles() []*Profile {
	crud := ObjectPermissions{Read: true, Create: true, Edit: true, Delete: true}
	readOnly := ObjectPermissions{Read: true}
	return []*Profile{
		{Name: SystemAdministrator, ViewAllData: true, ModifyAllData: true, Default: allObjectPermissions},
		{Name: StandardUser, Default: crud,
			Objects: map[string]ObjectPermissions{
				"Case":         {Read: true, Create: true, Edit: true},
				"User":         {Read: true},
				"Profile":      readOnly,
				"Organization": readOnly,
				"Report":       readOnly,
				"Dashboard":    readOnly,
				"ListView":     readOnly,
			},
			Fields: map[string]FieldPermissions{
				"Account.AnnualRevenue": {},
				"Lead.Rating":           {Read: true},
			},
		},
	}
}

// defaultSharing are the organization-wide defaults that differ from the
// objects' own: opportunities and leads are private, so a standard user
// sees only their own.
func defaultSharing() map[string]schema.Sharing {
	return map[string]schema.Sharing{"Opportunity": schema.SharingPrivate, "Lead": schema.SharingPrivate}
}

// object returns the profile's permissions on object o.
func (p *Profile) object(o *schema.Object) ObjectPermissions {
	perm, ok := p.Objects[o.Name]
	if !ok {
		perm = p.Default
	}
	if p.ModifyAllData {
		return allObjectPermissions
	}
	if p.ViewAllData {
		perm.Read, perm.ViewAll = true, true
	}
	return perm
}

// field returns the profile's field-level security on f.
func (p *Profile) field(f *schema.Field) FieldPermissions {
	perm, ok := p.Fields[f.Object.Name+"."+f.Name]
	if !ok {
		return FieldPermissions{Read: true, Edit: true}
	}
	return perm
}

// Principal is a user acting on the org: what they may read, see and
// change. It implements the query engine's Principal (see query.go) and
// schema.Access for describes.
type Principal struct {
	org     *Org
	userID  string
	profile *Profile
	loc     *time.Location
	locale  string
	system  bool
}

// As returns the principal for a user (15- or 18-character ID).
func (o *Org) As(userID string) (*Principal, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	u := o.userRecord(userID)
	if u == nil {
		return nil, schema.NewError("NOT_FOUND", "no user with ID "+userID)
	}
	return o.principal(u), nil
}

// principal builds the principal of user record u; mu is held.
func (o *Org) principal(u *Record) *Principal {
	reg := o.Registry()
	uo := reg.Object("User")
	str := func(name string) string { s, _ := u.Get(uo.Field(name)).(string); return s }
	p := &Principal{org: o, userID: u.ID(), profile: o.profiles[str("ProfileId")], locale: str("LocaleSidKey")}
	if p.profile == nil {
		p.profile = &Profile{Name: "none"}
	}
	p.loc = loadLocation(str("TimeZoneSidKey"))
	return p
}

// System returns a principal that may do everything, acting as the org's
// first administrator. The seeds and the record store's own maintenance use
// it.
func (o *Org) System() *Principal {
	o.mu.RLock()
	defer o.mu.RUnlock()
	p := o.principal(o.recs[o.admin])
	p.system = true
	return p
}

func loadLocation(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// UserID returns the principal's 18-character user ID.
func (p *Principal) UserID() string { return p.userID }

// ObjectAccess implements schema.Access.
func (p *Principal) ObjectAccess(o *schema.Object) schema.ObjectAccess {
	perm := p.objectPerm(o)
	return schema.ObjectAccess{Read: perm.Read, Create: perm.Create, Edit: perm.Edit, Delete: perm.Delete}
}

// FieldAccess implements schema.Access.
func (p *Principal) FieldAccess(f *schema.Field) schema.FieldAccess {
	if p.system {
		return schema.FieldAccess{Read: true, Edit: true}
	}
	perm := p.profile.field(f)
	return schema.FieldAccess{Read: perm.Read, Edit: perm.Edit && perm.Read}
}

func (p *Principal) objectPerm(o *schema.Object) ObjectPermissions {
	if p.system {
		return allObjectPermissions
	}
	return p.profile.object(o)
}

// sharingOf returns the organization-wide default of object obj.
func (o *Org) sharingOf(obj *schema.Object) schema.Sharing {
	if s, ok := o.sharing[obj.Name]; ok {
		return s
	}
	return obj.Sharing
}

// SetSharing changes the organization-wide default of an object.
func (o *Org) SetSharing(object string, s schema.Sharing) error {
	obj := o.Registry().Object(object)
	switch {
	case obj == nil:
		return schema.NewError("INVALID_TYPE", "sObject type '"+object+"' is not supported.")
	case s == schema.SharingControlledByParent && len(obj.ParentFields) == 0:
		return schema.NewError("FIELD_INTEGRITY_EXCEPTION", obj.Name+" has no parent to control its sharing")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sharing[obj.Name] = s
	return nil
}

// access levels a principal may have on a record.
const (
	accessNone = iota
	accessRead
	accessEdit
)

// recordAccess returns the principal's access to record r of object o; mu
// is held for reading. depth bounds the walk up ControlledByParent chains.
func (p *Principal) recordAccess(o *schema.Object, r schema.Record, depth int) int {
	perm := p.objectPerm(o)
	switch {
	case !perm.Read:
		return accessNone
	case perm.ModifyAll:
		return accessEdit
	}
	level := accessNone
	if perm.ViewAll {
		level = accessRead
	}
	owner := o.Field("OwnerId")
	if owner != nil && r.Get(owner) == p.userID {
		return accessEdit
	}
	switch p.org.sharingOf(o) {
	case schema.SharingReadWrite:
		return accessEdit
	case schema.SharingRead:
		level = max(level, accessRead)
	case schema.SharingControlledByParent:
		if depth > 4 {
			return level
		}
		for _, f := range o.ParentFields {
			id, ok := r.Get(f).(string)
			if !ok {
				continue
			}
			parent := p.org.recs[recordNumber(id)]
			if parent == nil {
				continue
			}
			po := p.org.Registry().Object(parent.sys.obj)
			level = max(level, p.recordAccess(po, parent, depth+1))
		}
		if owner == nil && len(o.ParentFields) == 0 {
			level = accessEdit
		}
	}
	return level
}

// canSee reports whether the principal may read record r; mu is held.
func (p *Principal) canSee(o *schema.Object, r schema.Record) bool {
	return p.system || p.recordAccess(o, r, 0) >= accessRead
}

// canEdit reports whether the principal may change record r; mu is held.
func (p *Principal) canEdit(o *schema.Object, r schema.Record) bool {
	return p.system || p.objectPerm(o).Edit && p.recordAccess(o, r, 0) >= accessEdit
}

// canDelete reports whether the principal may delete record r: the object's
// Delete permission, and ownership or Modify All (sharing alone does not
// let a user delete others' records); mu is held.
func (p *Principal) canDelete(o *schema.Object, r schema.Record) bool {
	perm := p.objectPerm(o)
	switch {
	case p.system || perm.ModifyAll:
		return true
	case !perm.Delete:
		return false
	}
	if owner := o.Field("OwnerId"); owner != nil {
		return r.Get(owner) == p.userID
	}
	return p.recordAccess(o, r, 0) >= accessEdit
}

// profileNamed returns the named profile, matched case-insensitively, or
// nil; mu is held.
func (o *Org) profileNamed(name string) *Profile {
	for _, p := range o.profiles {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}
