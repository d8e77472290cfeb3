package schema

import (
	"strconv"
	"strings"
)

// Field is one field of an object: its describe metadata and, for derived
// fields, how its value is computed. Fields belong to one Registry snapshot
// and must not be modified.
type Field struct {
	Name       string
	Label      string
	Type       FieldType
	Length     int // characters, for text types
	ByteLength int
	Precision  int // total digits, for double, currency and percent
	Scale      int // digits after the point
	Digits     int // for int

	Nillable          bool
	Createable        bool
	Updateable        bool
	DefaultedOnCreate bool
	DefaultValue      any    // nil, bool, or the default picklist value
	Calculated        bool   // a formula field
	Formula           string // calculatedFormula, for formula fields

	AutoNumber       bool
	AutoNumberFormat string // display format, e.g. "{00000000}" or "INV-{0000}"
	AutoNumberStart  int64  // the first number assigned

	Custom        bool
	ExternalID    bool
	IDLookup      bool
	Unique        bool
	CaseSensitive bool
	NameField     bool
	NamePointing  bool
	HTMLFormatted bool
	ExtraTypeInfo string
	InlineHelp    string

	// ReferenceTo lists the objects a reference field may point to, as the
	// describe shows them; Targets are those this registry emulates.
	ReferenceTo       []string
	Targets           []*Object
	RelationshipName  string
	RelationshipOrder *int // 0 for a master-detail field, nil otherwise
	Polymorphic       bool // polymorphicForeignKey
	MasterDetail      bool // deleting the parent deletes the child; the child is required
	CascadeDelete     bool // field-level cascadeDelete (master-detail)
	// ChildRelationship is the relationship name this field gives its
	// targets ("Contacts" for Contact.AccountId); ChildListed says the field
	// appears in the targets' childRelationships even without a name.
	ChildRelationship string
	ChildListed       bool
	ChildCascade      bool // the child relationship's cascadeDelete
	ChildRestrict     bool // the child relationship's restrictedDelete

	CompoundFieldName string   // the compound field this one is a component of
	Components        []*Field // for address, location and person-name compounds

	Picklist   []PicklistValue
	Restricted bool // restrictedPicklist

	Filterable              bool
	Sortable                bool
	Groupable               bool
	Aggregatable            bool
	Permissionable          bool
	SearchPrefilterable     bool
	QueryByDistance         bool
	WriteRequiresMasterRead bool

	// Index is the field's position in its object's Fields; record stores
	// keep values by it. Indexes never change once assigned.
	Index  int
	Object *Object

	compute Compute
}

// PicklistValue is one entry of a picklist.
type PicklistValue struct {
	Value   string
	Label   string
	Default bool
	Active  bool
}

// Compute returns a derived field's value from the stored values of a record.
type Compute func(r Record) any

// Record gives the stored values of one record, by field. It is what the
// record store hands to Object.Value to compute derived fields.
type Record interface {
	Get(f *Field) any
}

// Derived reports whether the field's value is computed from other fields
// (formula, compound, or a standard derived field) rather than stored.
func (f *Field) Derived() bool { return f.compute != nil }

// Required reports whether a value must be given on create: not nillable,
// createable and not defaulted on create (the REST describe has no
// "required" key; clients derive it this way).
func (f *Field) Required() bool { return !f.Nillable && f.Createable && !f.DefaultedOnCreate }

// IsReference reports whether the field is a lookup to other records.
func (f *Field) IsReference() bool { return f.Type == TypeReference }

// MatchPicklist returns the canonical spelling of v among the field's active
// picklist values, matched case-insensitively, or false.
func (f *Field) MatchPicklist(v string) (string, bool) {
	for _, p := range f.Picklist {
		if p.Active && strings.EqualFold(p.Value, v) {
			return p.Value, true
		}
	}
	return "", false
}

// References reports whether the field may point to records of object o.
func (f *Field) References(o *Object) bool {
	for _, t := range f.Targets {
		if t == o {
			return true
		}
	}
	return false
}

// FormatAutoNumber renders auto-number n in the field's display format:
// "{00000000}" gives "00001001", "INV-{0000}" gives "INV-0042". Numbers
// longer than the zero pattern are not truncated.
func (f *Field) FormatAutoNumber(n int64) string {
	format := f.AutoNumberFormat
	open := strings.IndexByte(format, '{')
	end := strings.IndexByte(format, '}')
	if open < 0 || end < open {
		return format + strconv.FormatInt(n, 10)
	}
	width := end - open - 1
	digits := strconv.FormatInt(n, 10)
	if len(digits) < width {
		digits = strings.Repeat("0", width-len(digits)) + digits
	}
	return format[:open] + digits + format[end+1:]
}
