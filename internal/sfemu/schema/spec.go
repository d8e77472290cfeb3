package schema

import (
	"errors"
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// SchemaVersion is the only schema-file version this package reads.
const SchemaVersion = 1

// File is a parsed schema file: objects to add or extend. The format is
// documented in doc.go; the same format describes the built-in standard
// objects (files under standard/).
type File struct {
	Version int          `yaml:"version"`
	Objects []ObjectSpec `yaml:"objects"`

	name    string // the name the file was parsed under, for errors
	builtin bool   // a built-in standard-object file: no naming rules
}

// ObjectSpec declares a new object, or custom fields for an existing one.
type ObjectSpec struct {
	Name           string          `yaml:"name"`
	Label          string          `yaml:"label"`
	LabelPlural    string          `yaml:"labelPlural"`
	KeyPrefix      string          `yaml:"keyPrefix"`
	NameField      *NameFieldSpec  `yaml:"nameField"`
	Sharing        Sharing         `yaml:"sharing"`
	SharingParents []string        `yaml:"sharingParents"`
	Activities     bool            `yaml:"enableActivities"`
	RecordTypes    *bool           `yaml:"recordTypes"`
	Flags          map[string]bool `yaml:"flags"`
	Scopes         []ScopeSpec     `yaml:"scopes"`
	URLs           []string        `yaml:"urls"`
	Fields         []FieldSpec     `yaml:"fields"`

	pos position
}

// NameFieldSpec is the Name field of a custom object: text (the default) or
// an auto-number.
type NameFieldSpec struct {
	Label  string `yaml:"label"`
	Type   string `yaml:"type"` // "text" or "autoNumber"
	Length int    `yaml:"length"`
	Format string `yaml:"format"` // autoNumber display format, e.g. "INV-{0000}"
	Start  int64  `yaml:"start"`  // autoNumber first number (default 1)
}

// ScopeSpec is a supportedScopes entry.
type ScopeSpec struct {
	Name  string `yaml:"name"`
	Label string `yaml:"label"`
}

// AutoNumberSpec makes a text field an auto-number.
type AutoNumberSpec struct {
	Format string `yaml:"format"`
	Start  int64  `yaml:"start"`
}

// FieldSpec declares one field. In built-in files an entry may be just the
// name of a system-field template ("Id", "CreatedDate" ...), or a mapping
// with that name and overrides but no type.
type FieldSpec struct {
	Name              string          `yaml:"name"`
	Label             string          `yaml:"label"`
	Type              FieldType       `yaml:"type"`
	Length            *int            `yaml:"length"`
	Precision         *int            `yaml:"precision"`
	Scale             *int            `yaml:"scale"`
	Digits            *int            `yaml:"digits"`
	Required          bool            `yaml:"required"`
	Access            string          `yaml:"access"` // "", "readOnly", "createOnly", "updateOnly"
	Defaulted         bool            `yaml:"defaulted"`
	Default           any             `yaml:"default"`
	Unique            bool            `yaml:"unique"`
	ExternalID        bool            `yaml:"externalId"`
	CaseSensitive     bool            `yaml:"caseSensitive"`
	IDLookup          *bool           `yaml:"idLookup"`
	NameField         bool            `yaml:"nameField"`
	AutoNumber        *AutoNumberSpec `yaml:"autoNumber"`
	Formula           string          `yaml:"formula"`
	ReturnType        string          `yaml:"returnType"` // formula fields: currency, number, percent, text, checkbox, date, datetime
	ReferenceTo       []string        `yaml:"referenceTo"`
	ActivityTargets   bool            `yaml:"activityTargets"`
	RelationshipName  string          `yaml:"relationshipName"`
	Polymorphic       *bool           `yaml:"polymorphic"`
	NamePointing      *bool           `yaml:"namePointing"`
	MasterDetail      bool            `yaml:"masterDetail"`
	ChildRelationship string          `yaml:"childRelationship"`
	CascadeDelete     bool            `yaml:"cascadeDelete"`
	RestrictedDelete  bool            `yaml:"restrictedDelete"`
	Compound          string          `yaml:"compound"`
	Values            []PicklistSpec  `yaml:"values"`
	Restricted        bool            `yaml:"restricted"`
	ExtraTypeInfo     string          `yaml:"extraTypeInfo"`
	HTMLFormatted     bool            `yaml:"htmlFormatted"`
	HelpText          string          `yaml:"helpText"`
	Filterable        *bool           `yaml:"filterable"`
	Sortable          *bool           `yaml:"sortable"`
	Groupable         *bool           `yaml:"groupable"`
	Aggregatable      *bool           `yaml:"aggregatable"`
	Permissionable    *bool           `yaml:"permissionable"`
	Prefilterable     *bool           `yaml:"searchPrefilterable"`

	template bool // the entry named a system-field template
	system   bool // a field every custom object gets (its Name)
	pos      position
}

// PicklistSpec is a picklist entry: a plain value, or a mapping with value,
// label and default.
type PicklistSpec struct {
	Value    string `yaml:"value"`
	Label    string `yaml:"label"`
	Default  bool   `yaml:"default"`
	Inactive bool   `yaml:"inactive"`
}

type position struct{ line, column int }

func posOf(n ast.Node) position {
	if n == nil || n.GetToken() == nil {
		return position{}
	}
	p := n.GetToken().Position
	return position{line: p.Line, column: p.Column}
}

// UnmarshalYAML records the object's position for error messages.
func (o *ObjectSpec) UnmarshalYAML(node ast.Node) error {
	type plain ObjectSpec
	var p plain
	if err := yaml.NodeToValue(node, &p, yaml.Strict()); err != nil {
		return err
	}
	*o = ObjectSpec(p)
	o.pos = posOf(node)
	return nil
}

// UnmarshalYAML accepts a template name or a mapping.
func (f *FieldSpec) UnmarshalYAML(node ast.Node) error {
	if s, ok := node.(*ast.StringNode); ok {
		*f = FieldSpec{Name: s.Value, template: true, pos: posOf(node)}
		return nil
	}
	type plain FieldSpec
	var p plain
	if err := yaml.NodeToValue(node, &p, yaml.Strict()); err != nil {
		return err
	}
	*f = FieldSpec(p)
	f.template = f.Type == ""
	f.pos = posOf(node)
	return nil
}

// UnmarshalYAML accepts a plain value or a mapping.
func (p *PicklistSpec) UnmarshalYAML(node ast.Node) error {
	switch n := node.(type) {
	case *ast.StringNode:
		*p = PicklistSpec{Value: n.Value}
		return nil
	case *ast.MappingNode, *ast.MappingValueNode:
		type plain PicklistSpec
		var v plain
		if err := yaml.NodeToValue(node, &v, yaml.Strict()); err != nil {
			return err
		}
		*p = PicklistSpec(v)
		return nil
	default:
		// Numbers and booleans are picklist values too ("1", "true").
		*p = PicklistSpec{Value: node.String()}
		return nil
	}
}

// Parse reads a schema file. name is used in error messages. Errors are
// *SpecError with the line and column of the mistake.
func Parse(name string, data []byte) (*File, error) {
	var f File
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict()); err != nil {
		return nil, yamlError(name, err)
	}
	f.name = name
	if f.Version != SchemaVersion {
		return nil, &SpecError{File: name, Line: 1, Path: "version",
			Msg: fmt.Sprintf("version is %d; this sfbridge reads version %d (add \"version: %d\" at the top)", f.Version, SchemaVersion, SchemaVersion)}
	}
	if len(f.Objects) == 0 {
		return nil, &SpecError{File: name, Line: 1, Path: "objects", Msg: "no objects: list at least one under \"objects:\""}
	}
	return &f, nil
}

func yamlError(name string, err error) error {
	var se yaml.Error
	if errors.As(err, &se) {
		e := &SpecError{File: name, Msg: se.GetMessage()}
		if tk := se.GetToken(); tk != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
		return e
	}
	return &SpecError{File: name, Msg: err.Error()}
}
