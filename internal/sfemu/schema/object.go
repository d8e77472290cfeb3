package schema

import "strings"

// Sharing is an object's organization-wide default: who sees and edits
// records they do not own.
type Sharing string

// The organization-wide defaults the emulator enforces.
const (
	SharingPrivate            Sharing = "Private"            // only the owner (and View/Modify All)
	SharingRead               Sharing = "Read"               // everyone reads, the owner edits
	SharingReadWrite          Sharing = "ReadWrite"          // everyone reads and edits
	SharingControlledByParent Sharing = "ControlledByParent" // follows the parent records (the object's ParentFields)
)

// Object is an sObject type: its describe metadata, fields and
// relationships. Objects belong to one Registry snapshot and must not be
// modified.
type Object struct {
	Name        string
	Label       string
	LabelPlural string
	KeyPrefix   string
	Custom      bool
	Flags       Flags

	Fields   []*Field
	Children []*ChildRelationship

	// NameField is the field flagged nameField (Name, Subject, CaseNumber ...).
	NameField *Field
	// Sharing is the default organization-wide default; ParentFields are
	// the reference fields that decide visibility under
	// SharingControlledByParent.
	Sharing      Sharing
	ParentFields []*Field
	// Activities says Tasks and Events may relate to the object (WhatId).
	Activities bool
	// RecordTypes says the describe lists the Master record type.
	RecordTypes bool
	Scopes      []Scope
	// URLKeys are the keys of the describe's urls object, in order.
	URLKeys []string

	byName  map[string]*Field // lower-case name
	exact   map[string]*Field // name as declared: the common case, without allocating
	byRel   map[string]*Field
	byChild map[string]*ChildRelationship
}

// Flags are an object's describe capabilities.
type Flags struct {
	Activateable        bool
	CompactLayoutable   bool
	Createable          bool
	CustomSetting       bool
	DeepCloneable       bool
	Deletable           bool
	DeprecatedAndHidden bool
	FeedEnabled         bool
	HasSubtypes         bool
	IsInterface         bool
	IsSubtype           bool
	Layoutable          bool
	Mergeable           bool
	MRUEnabled          bool
	Queryable           bool
	Replicateable       bool
	Retrieveable        bool
	SearchLayoutable    bool
	Searchable          bool
	Triggerable         bool
	Undeletable         bool
	Updateable          bool
}

// Scope is a describe supportedScopes entry (USING SCOPE names).
type Scope struct {
	Name  string
	Label string
}

// ChildRelationship is a relationship from a parent object to the records
// of another object that point to it.
type ChildRelationship struct {
	Name             string // "" when the relationship cannot be used in queries
	Object           *Object
	Field            *Field
	CascadeDelete    bool
	RestrictedDelete bool
}

// Field returns the named field, matched case-insensitively, or nil.
func (o *Object) Field(name string) *Field {
	if f, ok := o.exact[name]; ok {
		return f
	}
	return o.byName[strings.ToLower(name)]
}

// Relationship returns the reference field whose relationship name is name
// ("Account" on Contact, "Who" on Task, "Parent__r" on a custom object),
// matched case-insensitively, or nil. The field's Targets are the objects
// the relationship may reach.
func (o *Object) Relationship(name string) *Field { return o.byRel[strings.ToLower(name)] }

// ChildRelationship returns the child relationship named name ("Contacts"
// on Account), matched case-insensitively, or nil.
func (o *Object) ChildRelationship(name string) *ChildRelationship {
	return o.byChild[strings.ToLower(name)]
}

// Value returns field f of a record: the stored value, or the computed one
// for derived fields (formulas, compound address and name fields).
func (o *Object) Value(r Record, f *Field) any {
	if f.compute != nil {
		return f.compute(r)
	}
	return r.Get(f)
}

// Owned reports whether records of the object have an owner (OwnerId).
func (o *Object) Owned() bool { return o.Field("OwnerId") != nil }
