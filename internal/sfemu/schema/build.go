package schema

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// templates are the system fields every object shares. Built-in files name
// them ("- Id"); custom objects get them automatically.
var templates = map[string]FieldSpec{
	"Id":                 {Type: TypeID, Label: "{label} ID", Required: true, Access: "readOnly", Defaulted: true, IDLookup: ptr(true)},
	"IsDeleted":          {Type: TypeBoolean, Label: "Deleted", Required: true, Access: "readOnly", Defaulted: true},
	"MasterRecordId":     {Type: TypeReference, Label: "Master Record ID", ReferenceTo: []string{"{name}"}, RelationshipName: "MasterRecord", Access: "readOnly"},
	"OwnerId":            {Type: TypeReference, Label: "Owner ID", ReferenceTo: []string{"User"}, RelationshipName: "Owner", Required: true, Defaulted: true},
	"CreatedDate":        {Type: TypeDateTime, Label: "Created Date", Required: true, Access: "readOnly", Defaulted: true},
	"CreatedById":        {Type: TypeReference, Label: "Created By ID", ReferenceTo: []string{"User"}, RelationshipName: "CreatedBy", Required: true, Access: "readOnly", Defaulted: true},
	"LastModifiedDate":   {Type: TypeDateTime, Label: "Last Modified Date", Required: true, Access: "readOnly", Defaulted: true},
	"LastModifiedById":   {Type: TypeReference, Label: "Last Modified By ID", ReferenceTo: []string{"User"}, RelationshipName: "LastModifiedBy", Required: true, Access: "readOnly", Defaulted: true},
	"SystemModstamp":     {Type: TypeDateTime, Label: "System Modstamp", Required: true, Access: "readOnly", Defaulted: true},
	"LastActivityDate":   {Type: TypeDate, Label: "Last Activity", Access: "readOnly"},
	"LastViewedDate":     {Type: TypeDateTime, Label: "Last Viewed Date", Access: "readOnly"},
	"LastReferencedDate": {Type: TypeDateTime, Label: "Last Referenced Date", Access: "readOnly"},
}

// defaultURLKeys are the urls of a describe, in Salesforce's order.
var defaultURLKeys = []string{"compactLayouts", "rowTemplate", "approvalLayouts", "uiDetailTemplate", "uiEditTemplate",
	"listviews", "describe", "uiNewRecord", "quickActions", "layouts", "sobject"}

var (
	customName = regexp.MustCompile(`^[A-Za-z](?:[A-Za-z0-9]|_[A-Za-z0-9])*__c$`)
	plainName  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	prefixRE   = regexp.MustCompile(`^[0-9A-Za-z]{3}$`)
)

// customTypes are the field types a custom schema file may declare.
var customTypes = []FieldType{TypeString, TypeTextArea, TypePicklist, TypeMultiPicklist, TypeBoolean, TypeInt, TypeLong,
	TypeDouble, TypeCurrency, TypePercent, TypeDate, TypeDateTime, TypeTime, TypeEmail, TypePhone, TypeURL,
	TypeReference, TypeLocation, TypeEncryptedString, typeFormula}

// typeFormula is the schema-file type of formula fields; the field's
// describe type is its returnType (see formulaTypes).
const typeFormula FieldType = "formula"

// formulaTypes maps a formula field's returnType to its describe type.
var formulaTypes = map[string]FieldType{"currency": TypeCurrency, "number": TypeDouble, "percent": TypePercent,
	"text": TypeString, "checkbox": TypeBoolean, "date": TypeDate, "datetime": TypeDateTime}

// builder turns schema files into objects.
type builder struct {
	objects []*Object
	byName  map[string]*Object
	specs   map[*Object][]fieldSource // every field spec, for resolving references after all files
	parents map[*Object][]string      // sharingParents, resolved at the end
	file    *File
}

type fieldSource struct {
	spec FieldSpec
	file *File
	path string
}

func ptr[T any](v T) *T { return &v }

func (b *builder) errorf(p position, path, format string, args ...any) error {
	return &SpecError{File: b.file.name, Line: p.line, Column: p.column, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// addFile adds or extends the objects of one file.
func (b *builder) addFile(f *File) error {
	b.file = f
	for i := range f.Objects {
		os := &f.Objects[i]
		path := fmt.Sprintf("objects[%d]", i)
		if os.Name == "" {
			return b.errorf(os.pos, path+".name", "missing object name")
		}
		if o := b.byName[strings.ToLower(os.Name)]; o != nil {
			if err := b.extend(o, os, path); err != nil {
				return err
			}
			continue
		}
		if err := b.create(os, path); err != nil {
			return err
		}
	}
	return nil
}

// extend adds the fields of os to an existing object.
func (b *builder) extend(o *Object, os *ObjectSpec, path string) error {
	if os.Label != "" || os.KeyPrefix != "" || os.NameField != nil || os.Flags != nil || os.Sharing != "" {
		return b.errorf(os.pos, path, "object %s already exists: only \"fields\" may be given to add custom fields to it", o.Name)
	}
	if len(os.Fields) == 0 {
		return b.errorf(os.pos, path+".fields", "object %s already exists and no fields are given", o.Name)
	}
	for j, fs := range os.Fields {
		if err := b.addField(o, fs, fmt.Sprintf("%s.fields[%d]", path, j)); err != nil {
			return err
		}
	}
	return nil
}

// create makes a new object from os.
func (b *builder) create(os *ObjectSpec, path string) error {
	builtin := b.file.builtin
	switch {
	case !builtin && !customName.MatchString(os.Name):
		return b.errorf(os.pos, path+".name", "object name %q must end in __c and contain only letters, digits and single underscores (e.g. Invoice__c)", os.Name)
	case builtin && !plainName.MatchString(os.Name):
		return b.errorf(os.pos, path+".name", "bad object name %q", os.Name)
	}
	o := &Object{
		Name:        os.Name,
		Label:       os.Label,
		LabelPlural: os.LabelPlural,
		KeyPrefix:   os.KeyPrefix,
		Custom:      !builtin,
		Sharing:     os.Sharing,
		Activities:  os.Activities,
		URLKeys:     os.URLs,
		byName:      map[string]*Field{},
		exact:       map[string]*Field{},
		byRel:       map[string]*Field{},
		byChild:     map[string]*ChildRelationship{},
	}
	if o.Label == "" {
		o.Label = labelFor(os.Name)
	}
	if o.LabelPlural == "" {
		o.LabelPlural = o.Label + "s"
	}
	switch o.Sharing {
	case "":
		o.Sharing = SharingReadWrite
	case SharingPrivate, SharingRead, SharingReadWrite, SharingControlledByParent:
	default:
		return b.errorf(os.pos, path+".sharing", "unknown sharing %q: use Private, Read, ReadWrite or ControlledByParent", o.Sharing)
	}
	o.RecordTypes = os.RecordTypes == nil || *os.RecordTypes
	if err := b.setFlags(o, os, path); err != nil {
		return err
	}
	switch {
	case o.URLKeys != nil:
	case o.Flags.Layoutable:
		o.URLKeys = defaultURLKeys
	default:
		o.URLKeys = []string{"rowTemplate", "describe", "sobject"}
	}
	if o.KeyPrefix != "" {
		if !prefixRE.MatchString(o.KeyPrefix) {
			return b.errorf(os.pos, path+".keyPrefix", "key prefix %q must be 3 letters or digits", o.KeyPrefix)
		}
		for _, other := range b.objects {
			if other.KeyPrefix == o.KeyPrefix {
				return b.errorf(os.pos, path+".keyPrefix", "key prefix %q is already used by %s", o.KeyPrefix, other.Name)
			}
		}
	} else if builtin {
		return b.errorf(os.pos, path+".keyPrefix", "built-in object %s needs a keyPrefix", o.Name)
	} else {
		o.KeyPrefix = b.nextCustomPrefix()
	}
	b.objects = append(b.objects, o)
	b.byName[strings.ToLower(o.Name)] = o

	if !builtin {
		std, err := b.customStandardFields(os, path)
		if err != nil {
			return err
		}
		for _, fs := range std {
			if err := b.addField(o, fs, path+".nameField"); err != nil {
				return err
			}
		}
	}
	for j, fs := range os.Fields {
		if err := b.addField(o, fs, fmt.Sprintf("%s.fields[%d]", path, j)); err != nil {
			return err
		}
	}
	for _, s := range os.Scopes {
		o.Scopes = append(o.Scopes, Scope(s))
	}
	b.parents[o] = os.SharingParents
	return nil
}

// customStandardFields are the fields Salesforce gives every custom object.
func (b *builder) customStandardFields(os *ObjectSpec, path string) ([]FieldSpec, error) {
	nf := FieldSpec{Name: "Name", Type: TypeString, Length: ptr(80), NameField: true, Required: true, Label: os.Label + " Name",
		IDLookup: ptr(true), system: true, pos: os.pos}
	if os.Label == "" {
		nf.Label = labelFor(os.Name) + " Name"
	}
	if n := os.NameField; n != nil {
		if n.Label != "" {
			nf.Label = n.Label
		}
		switch n.Type {
		case "", "text":
			if n.Length > 0 {
				nf.Length = ptr(n.Length)
			}
		case "autoNumber":
			format := n.Format
			if format == "" {
				format = "{0}"
			}
			if !strings.Contains(format, "{0") {
				return nil, b.errorf(os.pos, path+".nameField.format", "auto-number format %q needs a number pattern such as {0000}", format)
			}
			nf.Length, nf.Required, nf.Access, nf.Defaulted = ptr(30), true, "readOnly", true
			nf.AutoNumber = &AutoNumberSpec{Format: format, Start: max(n.Start, 1)}
		default:
			return nil, b.errorf(os.pos, path+".nameField.type", "name field type %q: use text or autoNumber", n.Type)
		}
	}
	detail := false
	for _, f := range os.Fields {
		detail = detail || f.MasterDetail
	}
	names := []string{"Id", "OwnerId", "IsDeleted", "", "CreatedDate", "CreatedById", "LastModifiedDate",
		"LastModifiedById", "SystemModstamp", "LastActivityDate", "LastViewedDate", "LastReferencedDate"}
	var out []FieldSpec
	for _, n := range names {
		switch {
		case n == "":
			out = append(out, nf)
		case n == "OwnerId" && detail, n == "LastActivityDate" && !os.Activities:
		default:
			out = append(out, FieldSpec{Name: n, template: true, pos: os.pos})
		}
	}
	return out, nil
}

// nextCustomPrefix returns the first free prefix in a00, a01 ... a0z, a10 ...
func (b *builder) nextCustomPrefix() string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	used := map[string]bool{}
	for _, o := range b.objects {
		used[o.KeyPrefix] = true
	}
	for i := range len(digits) * len(digits) {
		p := "a" + string(digits[i/len(digits)]) + string(digits[i%len(digits)])
		if !used[p] {
			return p
		}
	}
	return ""
}

var flagNames = map[string]func(*Flags) *bool{
	"activateable":        func(f *Flags) *bool { return &f.Activateable },
	"compactLayoutable":   func(f *Flags) *bool { return &f.CompactLayoutable },
	"createable":          func(f *Flags) *bool { return &f.Createable },
	"customSetting":       func(f *Flags) *bool { return &f.CustomSetting },
	"deepCloneable":       func(f *Flags) *bool { return &f.DeepCloneable },
	"deletable":           func(f *Flags) *bool { return &f.Deletable },
	"deprecatedAndHidden": func(f *Flags) *bool { return &f.DeprecatedAndHidden },
	"feedEnabled":         func(f *Flags) *bool { return &f.FeedEnabled },
	"hasSubtypes":         func(f *Flags) *bool { return &f.HasSubtypes },
	"isInterface":         func(f *Flags) *bool { return &f.IsInterface },
	"isSubtype":           func(f *Flags) *bool { return &f.IsSubtype },
	"layoutable":          func(f *Flags) *bool { return &f.Layoutable },
	"mergeable":           func(f *Flags) *bool { return &f.Mergeable },
	"mruEnabled":          func(f *Flags) *bool { return &f.MRUEnabled },
	"queryable":           func(f *Flags) *bool { return &f.Queryable },
	"replicateable":       func(f *Flags) *bool { return &f.Replicateable },
	"retrieveable":        func(f *Flags) *bool { return &f.Retrieveable },
	"searchLayoutable":    func(f *Flags) *bool { return &f.SearchLayoutable },
	"searchable":          func(f *Flags) *bool { return &f.Searchable },
	"triggerable":         func(f *Flags) *bool { return &f.Triggerable },
	"undeletable":         func(f *Flags) *bool { return &f.Undeletable },
	"updateable":          func(f *Flags) *bool { return &f.Updateable },
}

func (b *builder) setFlags(o *Object, os *ObjectSpec, path string) error {
	o.Flags = Flags{
		CompactLayoutable: true, Createable: true, Deletable: true, FeedEnabled: !o.Custom, Layoutable: true,
		MRUEnabled: true, Queryable: true, Replicateable: true, Retrieveable: true, SearchLayoutable: true,
		Searchable: true, Triggerable: true, Undeletable: true, Updateable: true,
	}
	keys := make([]string, 0, len(os.Flags))
	for k := range os.Flags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		get, ok := flagNames[k]
		if !ok {
			return b.errorf(os.pos, path+".flags."+k, "unknown object flag %q", k)
		}
		*get(&o.Flags) = os.Flags[k]
	}
	return nil
}

// addField builds one field of o from its spec.
func (b *builder) addField(o *Object, fs FieldSpec, path string) error {
	builtin := b.file.builtin
	if fs.template {
		t, ok := templates[fs.Name]
		if !ok {
			return b.errorf(fs.pos, path, "%q is not a system field template and has no type; give \"type:\"", fs.Name)
		}
		fs = mergeSpec(t, fs)
		fs.Label = strings.ReplaceAll(fs.Label, "{label}", o.Label)
		fs.ReferenceTo = slices.Clone(fs.ReferenceTo)
		for i, r := range fs.ReferenceTo {
			fs.ReferenceTo[i] = strings.ReplaceAll(r, "{name}", o.Name)
		}
	} else if !builtin && !fs.system {
		if err := b.checkCustomField(o, fs, path); err != nil {
			return err
		}
	}
	if fs.Type == typeFormula {
		fs.Type = formulaTypes[fs.ReturnType]
		if fs.Type == TypeString && fs.Length == nil {
			fs.Length = ptr(formulaTextLength)
		}
		// A text formula that builds a link is shown as HTML.
		fs.HTMLFormatted = fs.HTMLFormatted || strings.Contains(strings.ToUpper(fs.Formula), "HYPERLINK(")
	}
	if fs.Name == "" {
		return b.errorf(fs.pos, path+".name", "missing field name")
	}
	if !plainName.MatchString(fs.Name) {
		return b.errorf(fs.pos, path+".name", "bad field name %q: use letters, digits and underscores", fs.Name)
	}
	if other := o.Field(fs.Name); other != nil {
		return b.errorf(fs.pos, path+".name", "object %s already has a field named %s (field names are case-insensitive)", o.Name, other.Name)
	}
	ti, ok := types[fs.Type]
	if !ok {
		return b.errorf(fs.pos, path+".type", "unknown type %q", fs.Type)
	}
	custom := strings.HasSuffix(fs.Name, "__c") || strings.HasSuffix(fs.Name, "__s")
	f := &Field{
		Name:          fs.Name,
		Label:         fs.Label,
		Type:          fs.Type,
		Nillable:      !fs.Required,
		Custom:        custom,
		ExternalID:    fs.ExternalID,
		Unique:        fs.Unique,
		CaseSensitive: fs.CaseSensitive,
		NameField:     fs.NameField,
		HTMLFormatted: fs.HTMLFormatted,
		ExtraTypeInfo: fs.ExtraTypeInfo,
		InlineHelp:    fs.HelpText,
		ReferenceTo:   slices.Clone(fs.ReferenceTo),
		MasterDetail:  fs.MasterDetail,
		Restricted:    fs.Restricted,
		Formula:       fs.Formula,
		Calculated:    fs.Formula != "",
		Index:         len(o.Fields),
		Object:        o,
	}
	if f.Label == "" {
		f.Label = labelFor(fs.Name)
	}
	if ti.text || fs.Type == TypeID || fs.Type == TypeReference {
		f.Length = ti.length
		if fs.Length != nil {
			f.Length = *fs.Length
		}
		f.ByteLength = 3 * f.Length
		if !ti.text {
			f.ByteLength = f.Length
		}
	}
	if ti.number {
		f.Precision, f.Scale = 18, 0
		if fs.Precision != nil {
			f.Precision = *fs.Precision
		}
		if fs.Scale != nil {
			f.Scale = *fs.Scale
		}
	}
	switch fs.Type {
	case TypeInt:
		f.Digits = 9
	case TypeLong:
		f.Digits = 18
	}
	if fs.Digits != nil {
		f.Digits = *fs.Digits
	}
	switch fs.Access {
	case "":
		f.Createable, f.Updateable = true, true
	case "readOnly":
	case "createOnly":
		f.Createable = true
	case "updateOnly":
		f.Updateable = true
	default:
		return b.errorf(fs.pos, path+".access", "unknown access %q: use readOnly, createOnly or updateOnly (or leave it out for read-write)", fs.Access)
	}
	if f.Calculated || fs.AutoNumber != nil || fs.Type.IsCompound() {
		f.Createable, f.Updateable = false, false
	}
	if fs.AutoNumber != nil {
		f.AutoNumber = true
		f.AutoNumberFormat = fs.AutoNumber.Format
		f.AutoNumberStart = max(fs.AutoNumber.Start, 1)
		f.DefaultedOnCreate = true
		f.Nillable = false
	}
	f.DefaultedOnCreate = f.DefaultedOnCreate || fs.Defaulted
	if fs.Type == TypeBoolean && !f.Calculated {
		// Checkboxes are never null: they default to false.
		f.Nillable = false
		f.DefaultedOnCreate = true
		f.DefaultValue = false
		switch d := fs.Default.(type) {
		case nil:
		case bool:
			f.DefaultValue = d
		default:
			return b.errorf(fs.pos, path+".default", "default of checkbox %s must be true or false", fs.Name)
		}
	}
	if err := b.setPicklist(f, fs, path); err != nil {
		return err
	}
	if f.DefaultValue != nil {
		f.DefaultedOnCreate = true // a picklist with a default value
	}
	if fs.Default != nil && fs.Type != TypeBoolean && len(fs.Values) == 0 {
		return b.errorf(fs.pos, path+".default", "only checkboxes and picklists take a default; mark a picklist value with default: true")
	}
	if fs.Type == TypeReference {
		if len(fs.ReferenceTo) == 0 && !fs.ActivityTargets {
			return b.errorf(fs.pos, path+".referenceTo", "reference field %s needs referenceTo: [Object]", fs.Name)
		}
		f.RelationshipName = fs.RelationshipName
		switch {
		case f.RelationshipName == "-":
			f.RelationshipName = ""
		case f.RelationshipName == "" && custom:
			f.RelationshipName = strings.TrimSuffix(fs.Name, "__c") + "__r"
		case f.RelationshipName == "":
			f.RelationshipName = strings.TrimSuffix(fs.Name, "Id")
		}
		f.Polymorphic = len(fs.ReferenceTo) > 1 || fs.ActivityTargets
		if fs.Polymorphic != nil {
			f.Polymorphic = *fs.Polymorphic
		}
		f.NamePointing = f.Polymorphic
		if fs.NamePointing != nil {
			f.NamePointing = *fs.NamePointing
		}
		f.ChildRelationship = fs.ChildRelationship
		if f.ChildRelationship == "" && !builtin && !fs.template && !fs.system {
			// Custom lookups always give their parent a child relationship,
			// named after the child object unless the file names it.
			f.ChildRelationship = strings.TrimSuffix(o.Name, "__c") + "s__r"
		}
		f.ChildListed = f.ChildRelationship != ""
		if f.ChildRelationship == "-" {
			f.ChildRelationship = ""
		}
		f.ChildCascade = fs.CascadeDelete || fs.MasterDetail
		f.ChildRestrict = fs.RestrictedDelete
		if fs.MasterDetail {
			f.Nillable = false
			f.CascadeDelete = true
			f.WriteRequiresMasterRead = true
			f.RelationshipOrder = ptr(0)
		}
		f.SearchPrefilterable = !slices.Contains(fs.ReferenceTo, "User") && !slices.Contains(fs.ReferenceTo, "RecordType") &&
			fs.Name != "MasterRecordId"
	}
	f.IDLookup = fs.Type == TypeID || fs.ExternalID
	if fs.IDLookup != nil {
		f.IDLookup = *fs.IDLookup
	}
	if fs.Type == TypeTextArea && f.ExtraTypeInfo == "" && !f.HTMLFormatted {
		f.ExtraTypeInfo = "plaintextarea"
	}
	long := fs.Type == TypeTextArea && f.Length > 255
	f.Filterable = !long && fs.Type != TypeBase64 && fs.Type != TypeAnyType && fs.Type != TypeEncryptedString
	f.Sortable = ti.sortable && !long
	f.Groupable = ti.groupable && !long
	f.Aggregatable = ti.agg && !long
	f.QueryByDistance = fs.Type.IsCompound()
	f.Permissionable = (f.Nillable && f.Createable && !f.NameField) || fs.Type.IsCompound()
	if f.Calculated {
		// Formula fields: never grouped, always under field-level security;
		// a checkbox formula is never null.
		f.Groupable, f.Permissionable = false, true
		f.Nillable = fs.Type != TypeBoolean
	}
	override(&f.Filterable, fs.Filterable)
	override(&f.Sortable, fs.Sortable)
	override(&f.Groupable, fs.Groupable)
	override(&f.Aggregatable, fs.Aggregatable)
	override(&f.Permissionable, fs.Permissionable)
	override(&f.SearchPrefilterable, fs.Prefilterable)
	f.CompoundFieldName = fs.Compound
	if f.NameField {
		o.NameField = f
	}
	o.Fields = append(o.Fields, f)
	o.byName[strings.ToLower(f.Name)] = f
	o.exact[f.Name] = f
	b.specs[o] = append(b.specs[o], fieldSource{spec: fs, file: b.file, path: path})
	if fs.Type == TypeLocation && custom {
		// A custom geolocation field Loc__c stores its value in
		// Loc__Latitude__s and Loc__Longitude__s.
		base := strings.TrimSuffix(fs.Name, "__c")
		for _, part := range []string{"Latitude", "Longitude"} {
			comp := FieldSpec{Name: base + "__" + part + "__s", Label: f.Label + " (" + part + ")", Type: TypeDouble,
				Precision: ptr(18), Scale: ptr(15), Compound: fs.Name, system: true, pos: fs.pos}
			if err := b.addField(o, comp, path); err != nil {
				return err
			}
		}
	}
	return nil
}

func override(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

// checkCustomField applies the rules of user-written schema files.
func (b *builder) checkCustomField(o *Object, fs FieldSpec, path string) error {
	switch {
	case !customName.MatchString(fs.Name):
		return b.errorf(fs.pos, path+".name", "custom field name %q must end in __c and contain only letters, digits and single underscores (e.g. Region__c)", fs.Name)
	case fs.Type == "":
		return b.errorf(fs.pos, path+".type", "field %s needs a type", fs.Name)
	case !slices.Contains(customTypes, fs.Type):
		return b.errorf(fs.pos, path+".type", "type %q cannot be used for custom fields; use one of %s", fs.Type, typeList(customTypes))
	case fs.Type == typeFormula && strings.TrimSpace(fs.Formula) == "":
		return b.errorf(fs.pos, path+".formula", "formula field %s needs formula: \"...\"", fs.Name)
	case fs.Type == typeFormula && formulaTypes[fs.ReturnType] == "":
		return b.errorf(fs.pos, path+".returnType", "formula field %s needs returnType: one of checkbox, currency, date, datetime, number, percent, text", fs.Name)
	case fs.Type != typeFormula && (fs.Formula != "" || fs.ReturnType != ""):
		return b.errorf(fs.pos, path+".formula", "formula and returnType are for formula fields: give \"type: formula\"")
	case fs.Type == typeFormula && (fs.Required || fs.Unique || fs.ExternalID || fs.Default != nil || fs.Access != ""):
		return b.errorf(fs.pos, path, "formula field %s is computed: it takes no required, unique, externalId, default or access", fs.Name)
	case fs.ExternalID && !slices.Contains([]FieldType{TypeString, TypeEmail, TypeDouble, TypeInt, TypeLong}, fs.Type):
		return b.errorf(fs.pos, path+".externalId", "external ID fields must be string, email or number fields, not %s", fs.Type)
	case fs.Unique && !slices.Contains([]FieldType{TypeString, TypeEmail, TypeDouble, TypeInt, TypeLong}, fs.Type):
		return b.errorf(fs.pos, path+".unique", "unique fields must be string, email or number fields, not %s", fs.Type)
	case fs.Type == TypeString && fs.Length != nil && (*fs.Length < 1 || *fs.Length > 255):
		return b.errorf(fs.pos, path+".length", "text length must be 1 to 255 (use textarea for longer text)")
	case fs.Type == TypeTextArea && fs.Length != nil && (*fs.Length < 1 || *fs.Length > 131072):
		return b.errorf(fs.pos, path+".length", "textarea length must be 1 to 131072")
	case fs.Type == TypeReference && len(fs.ReferenceTo) != 1:
		return b.errorf(fs.pos, path+".referenceTo", "a custom lookup references exactly one object")
	case fs.MasterDetail && fs.Type != TypeReference:
		return b.errorf(fs.pos, path+".masterDetail", "only reference fields can be master-detail")
	case fs.ActivityTargets:
		return b.errorf(fs.pos, path+".activityTargets", "activityTargets is for built-in objects")
	case fs.ChildRelationship != "" && fs.ChildRelationship != "-" && !strings.HasSuffix(fs.ChildRelationship, "__r"):
		return b.errorf(fs.pos, path+".childRelationship", "custom child relationship names end in __r (e.g. %s__r)", fs.ChildRelationship)
	}
	if (fs.Type == TypePicklist || fs.Type == TypeMultiPicklist) && len(fs.Values) == 0 {
		return b.errorf(fs.pos, path+".values", "picklist %s needs values", fs.Name)
	}
	return nil
}

func typeList(ts []FieldType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

func (b *builder) setPicklist(f *Field, fs FieldSpec, path string) error {
	if len(fs.Values) == 0 {
		return nil
	}
	switch fs.Type {
	case TypePicklist, TypeMultiPicklist, TypeCombobox:
	default:
		return b.errorf(fs.pos, path+".values", "only picklist, multipicklist and combobox fields take values")
	}
	seen := map[string]bool{}
	for i, v := range fs.Values {
		if v.Value == "" {
			return b.errorf(fs.pos, fmt.Sprintf("%s.values[%d]", path, i), "empty picklist value")
		}
		if seen[strings.ToLower(v.Value)] {
			return b.errorf(fs.pos, fmt.Sprintf("%s.values[%d]", path, i), "duplicate picklist value %q", v.Value)
		}
		seen[strings.ToLower(v.Value)] = true
		label := v.Label
		if label == "" {
			label = v.Value
		}
		f.Picklist = append(f.Picklist, PicklistValue{Value: v.Value, Label: label, Default: v.Default, Active: !v.Inactive})
		if v.Default {
			if f.DefaultValue != nil {
				return b.errorf(fs.pos, fmt.Sprintf("%s.values[%d]", path, i), "picklist %s has more than one default value", fs.Name)
			}
			f.DefaultValue = v.Value
		}
	}
	if fs.Default != nil {
		d, ok := fs.Default.(string)
		if !ok || !seen[strings.ToLower(d)] {
			return b.errorf(fs.pos, path+".default", "default %v is not one of the picklist values", fs.Default)
		}
		for i := range f.Picklist {
			f.Picklist[i].Default = strings.EqualFold(f.Picklist[i].Value, d)
			if f.Picklist[i].Default {
				f.DefaultValue = f.Picklist[i].Value
			}
		}
	}
	return nil
}

// resolve links references, compounds and child relationships once every
// file has been added, and binds derived-field computations.
func (b *builder) resolve() error {
	for _, o := range b.objects {
		for _, src := range b.specs[o] {
			f := o.Field(src.spec.Name)
			b.file = src.file
			if err := b.resolveField(o, f, src); err != nil {
				return err
			}
		}
		for _, name := range b.parents[o] {
			f := o.Field(name)
			if f == nil || !f.IsReference() {
				return &SpecError{File: "built-in", Path: o.Name + ".sharingParents", Msg: fmt.Sprintf("%s is not a reference field of %s", name, o.Name)}
			}
			o.ParentFields = append(o.ParentFields, f)
		}
		for _, f := range o.Fields {
			if f.MasterDetail {
				o.Sharing = SharingControlledByParent
				o.ParentFields = append(o.ParentFields, f)
			}
		}
	}
	for _, o := range b.objects {
		for _, f := range o.Fields {
			if !f.IsReference() {
				continue
			}
			if f.RelationshipName != "" {
				if other := o.byRel[strings.ToLower(f.RelationshipName)]; other != nil {
					return &SpecError{File: b.file.name, Path: o.Name + "." + f.Name, Msg: fmt.Sprintf("relationship name %s is also used by %s", f.RelationshipName, other.Name)}
				}
				o.byRel[strings.ToLower(f.RelationshipName)] = f
			}
			if !f.ChildListed {
				continue
			}
			for _, t := range f.Targets {
				cr := &ChildRelationship{Name: f.ChildRelationship, Object: o, Field: f, CascadeDelete: f.ChildCascade, RestrictedDelete: f.ChildRestrict}
				t.Children = append(t.Children, cr)
				if cr.Name == "" {
					continue
				}
				if t.byChild[strings.ToLower(cr.Name)] != nil {
					return &SpecError{File: b.file.name, Path: o.Name + "." + f.Name, Msg: fmt.Sprintf("child relationship %s already exists on %s", cr.Name, t.Name)}
				}
				t.byChild[strings.ToLower(cr.Name)] = cr
			}
		}
	}
	for _, o := range b.objects {
		slices.SortStableFunc(o.Children, func(x, y *ChildRelationship) int {
			if c := strings.Compare(x.Object.Name, y.Object.Name); c != 0 {
				return c
			}
			return strings.Compare(x.Field.Name, y.Field.Name)
		})
		bindComputes(o)
	}
	return b.bindFormulas()
}

func (b *builder) resolveField(o *Object, f *Field, src fieldSource) error {
	fs := src.spec
	if fs.Compound != "" {
		c := o.Field(fs.Compound)
		if c == nil {
			return b.errorf(fs.pos, src.path+".compound", "compound field %s is not a field of %s", fs.Compound, o.Name)
		}
		c.Components = append(c.Components, f)
	}
	if !f.IsReference() {
		return nil
	}
	names := f.ReferenceTo
	if fs.ActivityTargets {
		for _, t := range b.objects {
			if t.Activities && !slices.Contains(names, t.Name) {
				names = append(names, t.Name)
			}
		}
		slices.Sort(names)
		f.ReferenceTo = names
	}
	for _, n := range names {
		t := b.byName[strings.ToLower(n)]
		if t == nil {
			if !b.file.builtin {
				return b.errorf(fs.pos, src.path+".referenceTo", "object %s does not exist", n)
			}
			continue // a real target the emulator does not model (Group, RecordType ...)
		}
		f.Targets = append(f.Targets, t)
	}
	return nil
}

// mergeSpec returns the template t with every non-zero field of o applied.
func mergeSpec(t, o FieldSpec) FieldSpec {
	out := t
	tv, ov := reflect.ValueOf(&out).Elem(), reflect.ValueOf(o)
	for i := range ov.NumField() {
		if !tv.Type().Field(i).IsExported() {
			continue
		}
		if v := ov.Field(i); !v.IsZero() {
			tv.Field(i).Set(v)
		}
	}
	out.template, out.pos = true, o.pos
	return out
}

// labelFor makes a label from an API name: "NumberOfEmployees" gives
// "Number Of Employees", "ParentId" gives "Parent ID", "Due_Date__c" gives
// "Due Date".
func labelFor(name string) string {
	name = strings.TrimSuffix(strings.TrimSuffix(name, "__c"), "__s")
	if strings.Contains(name, "_") {
		return strings.Join(strings.FieldsFunc(name, func(r rune) bool { return r == '_' }), " ")
	}
	var words []string
	start := 0
	rs := []rune(name)
	for i := 1; i < len(rs); i++ {
		if unicode.IsUpper(rs[i]) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	words = append(words, string(rs[start:]))
	if n := len(words); n > 1 && words[n-1] == "Id" {
		words[n-1] = "ID"
	}
	return strings.Join(words, " ")
}
