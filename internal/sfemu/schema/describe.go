package schema

import (
	"bytes"
	"encoding/json"
	"strings"
)

// MasterRecordTypeID is the ID of the Master record type every object with
// record types has.
const MasterRecordTypeID = "012000000000000AAA"

// DescribeOptions control describe rendering.
type DescribeOptions struct {
	// Version is the API version of the request, e.g. "60.0"; it appears in
	// the urls.
	Version string
	// InstanceURL is the org's base URL, for the ui* urls, e.g.
	// "http://127.0.0.1:8080".
	InstanceURL string
	// Access limits what the describe shows to what a user may see and do;
	// nil shows everything.
	Access Access
}

// Access is what a user may do, as the record store's profiles decide it.
// Describe results reflect it: unreadable objects and fields are left out,
// and createable/updateable/deletable follow the user's permissions.
type Access interface {
	ObjectAccess(o *Object) ObjectAccess
	FieldAccess(f *Field) FieldAccess
}

// ObjectAccess is a user's CRUD permissions on an object.
type ObjectAccess struct {
	Read, Create, Edit, Delete bool
}

// FieldAccess is a user's field-level security on a field.
type FieldAccess struct {
	Read, Edit bool
}

func (opts DescribeOptions) object(o *Object) ObjectAccess {
	if opts.Access == nil {
		return ObjectAccess{Read: true, Create: true, Edit: true, Delete: true}
	}
	return opts.Access.ObjectAccess(o)
}

func (opts DescribeOptions) field(f *Field) FieldAccess {
	if opts.Access == nil {
		return FieldAccess{Read: true, Edit: true}
	}
	return opts.Access.FieldAccess(f)
}

func (opts DescribeOptions) base(o *Object) string {
	return "/services/data/v" + opts.Version + "/sobjects/" + o.Name
}

// globalEntry is an object in describeGlobal and in the basic-info
// objectDescribe. Keys are in Salesforce's (alphabetical) order.
type globalEntry struct {
	Activateable          bool       `json:"activateable"`
	AssociateEntityType   *string    `json:"associateEntityType"`
	AssociateParentEntity *string    `json:"associateParentEntity"`
	Createable            bool       `json:"createable"`
	Custom                bool       `json:"custom"`
	CustomSetting         bool       `json:"customSetting"`
	DeepCloneable         bool       `json:"deepCloneable"`
	Deletable             bool       `json:"deletable"`
	DeprecatedAndHidden   bool       `json:"deprecatedAndHidden"`
	FeedEnabled           bool       `json:"feedEnabled"`
	HasSubtypes           bool       `json:"hasSubtypes"`
	IsInterface           bool       `json:"isInterface"`
	IsSubtype             bool       `json:"isSubtype"`
	KeyPrefix             string     `json:"keyPrefix"`
	Label                 string     `json:"label"`
	LabelPlural           string     `json:"labelPlural"`
	Layoutable            bool       `json:"layoutable"`
	Mergeable             bool       `json:"mergeable"`
	MRUEnabled            bool       `json:"mruEnabled"`
	Name                  string     `json:"name"`
	Queryable             bool       `json:"queryable"`
	Replicateable         bool       `json:"replicateable"`
	Retrieveable          bool       `json:"retrieveable"`
	Searchable            bool       `json:"searchable"`
	Triggerable           bool       `json:"triggerable"`
	Undeletable           bool       `json:"undeletable"`
	Updateable            bool       `json:"updateable"`
	URLs                  globalURLs `json:"urls"`
}

type globalURLs struct {
	SObject     string `json:"sobject"`
	Describe    string `json:"describe"`
	RowTemplate string `json:"rowTemplate"`
}

func (opts DescribeOptions) entry(o *Object) globalEntry {
	a := opts.object(o)
	f := o.Flags
	base := opts.base(o)
	return globalEntry{
		Activateable: f.Activateable, Createable: f.Createable && a.Create, Custom: o.Custom,
		CustomSetting: f.CustomSetting, DeepCloneable: f.DeepCloneable, Deletable: f.Deletable && a.Delete,
		DeprecatedAndHidden: f.DeprecatedAndHidden, FeedEnabled: f.FeedEnabled, HasSubtypes: f.HasSubtypes,
		IsInterface: f.IsInterface, IsSubtype: f.IsSubtype, KeyPrefix: o.KeyPrefix, Label: o.Label,
		LabelPlural: o.LabelPlural, Layoutable: f.Layoutable, Mergeable: f.Mergeable && a.Edit && a.Delete,
		MRUEnabled: f.MRUEnabled, Name: o.Name, Queryable: f.Queryable && a.Read, Replicateable: f.Replicateable,
		Retrieveable: f.Retrieveable && a.Read, Searchable: f.Searchable && a.Read, Triggerable: f.Triggerable,
		Undeletable: f.Undeletable && a.Delete, Updateable: f.Updateable && a.Edit,
		URLs: globalURLs{SObject: base, Describe: base + "/describe", RowTemplate: base + "/{ID}"},
	}
}

// DescribeGlobal renders GET /sobjects/: every object the user may read.
func (r *Registry) DescribeGlobal(opts DescribeOptions) ([]byte, error) {
	out := struct {
		Encoding     string        `json:"encoding"`
		MaxBatchSize int           `json:"maxBatchSize"`
		SObjects     []globalEntry `json:"sobjects"`
	}{Encoding: "UTF-8", MaxBatchSize: 200, SObjects: []globalEntry{}}
	for _, o := range r.objects {
		if opts.object(o).Read {
			out.SObjects = append(out.SObjects, opts.entry(o))
		}
	}
	return marshal(out)
}

// BasicInfo renders GET /sobjects/{name}: the object's describeGlobal entry
// and the records the user viewed recently (recent is rendered as given;
// nil renders as an empty list).
func (o *Object) BasicInfo(opts DescribeOptions, recent []json.RawMessage) ([]byte, error) {
	if recent == nil {
		recent = []json.RawMessage{}
	}
	return marshal(struct {
		ObjectDescribe globalEntry       `json:"objectDescribe"`
		RecentItems    []json.RawMessage `json:"recentItems"`
	}{opts.entry(o), recent})
}

// describe is GET /sobjects/{name}/describe. Keys are in Salesforce's
// (alphabetical) order.
type describe struct {
	ActionOverrides       []struct{}        `json:"actionOverrides"`
	Activateable          bool              `json:"activateable"`
	AssociateEntityType   *string           `json:"associateEntityType"`
	AssociateParentEntity *string           `json:"associateParentEntity"`
	ChildRelationships    []childJSON       `json:"childRelationships"`
	CompactLayoutable     bool              `json:"compactLayoutable"`
	Createable            bool              `json:"createable"`
	Custom                bool              `json:"custom"`
	CustomSetting         bool              `json:"customSetting"`
	DeepCloneable         bool              `json:"deepCloneable"`
	DefaultImplementation *string           `json:"defaultImplementation"`
	Deletable             bool              `json:"deletable"`
	DeprecatedAndHidden   bool              `json:"deprecatedAndHidden"`
	ExtendedBy            *string           `json:"extendedBy"`
	ExtendsInterfaces     *string           `json:"extendsInterfaces"`
	FeedEnabled           bool              `json:"feedEnabled"`
	Fields                []fieldJSON       `json:"fields"`
	HasSubtypes           bool              `json:"hasSubtypes"`
	ImplementedBy         *string           `json:"implementedBy"`
	ImplementsInterfaces  *string           `json:"implementsInterfaces"`
	IsInterface           bool              `json:"isInterface"`
	IsSubtype             bool              `json:"isSubtype"`
	KeyPrefix             string            `json:"keyPrefix"`
	Label                 string            `json:"label"`
	LabelPlural           string            `json:"labelPlural"`
	Layoutable            bool              `json:"layoutable"`
	Listviewable          *bool             `json:"listviewable"`
	LookupLayoutable      *bool             `json:"lookupLayoutable"`
	Mergeable             bool              `json:"mergeable"`
	MRUEnabled            bool              `json:"mruEnabled"`
	Name                  string            `json:"name"`
	NamedLayoutInfos      []struct{}        `json:"namedLayoutInfos"`
	NetworkScopeFieldName *string           `json:"networkScopeFieldName"`
	Queryable             bool              `json:"queryable"`
	RecordTypeInfos       []recordTypeJSON  `json:"recordTypeInfos"`
	Replicateable         bool              `json:"replicateable"`
	Retrieveable          bool              `json:"retrieveable"`
	SearchLayoutable      bool              `json:"searchLayoutable"`
	Searchable            bool              `json:"searchable"`
	SObjectDescribeOption string            `json:"sobjectDescribeOption"`
	SupportedScopes       []scopeJSON       `json:"supportedScopes"`
	Triggerable           bool              `json:"triggerable"`
	Undeletable           bool              `json:"undeletable"`
	Updateable            bool              `json:"updateable"`
	URLs                  orderedStringsMap `json:"urls"`
}

type childJSON struct {
	CascadeDelete       bool     `json:"cascadeDelete"`
	ChildSObject        string   `json:"childSObject"`
	DeprecatedAndHidden bool     `json:"deprecatedAndHidden"`
	Field               string   `json:"field"`
	JunctionIDListNames []string `json:"junctionIdListNames"`
	JunctionReferenceTo []string `json:"junctionReferenceTo"`
	RelationshipName    *string  `json:"relationshipName"`
	RestrictedDelete    bool     `json:"restrictedDelete"`
}

type recordTypeJSON struct {
	Active                   bool              `json:"active"`
	Available                bool              `json:"available"`
	DefaultRecordTypeMapping bool              `json:"defaultRecordTypeMapping"`
	DeveloperName            string            `json:"developerName"`
	Master                   bool              `json:"master"`
	Name                     string            `json:"name"`
	RecordTypeID             string            `json:"recordTypeId"`
	URLs                     map[string]string `json:"urls"`
}

type scopeJSON struct {
	Label string `json:"label"`
	Name  string `json:"name"`
}

type picklistJSON struct {
	Active       bool    `json:"active"`
	DefaultValue bool    `json:"defaultValue"`
	Label        string  `json:"label"`
	ValidFor     *string `json:"validFor"`
	Value        string  `json:"value"`
}

type fieldJSON struct {
	Aggregatable                 bool           `json:"aggregatable"`
	AIPredictionField            bool           `json:"aiPredictionField"`
	AutoNumber                   bool           `json:"autoNumber"`
	ByteLength                   int            `json:"byteLength"`
	Calculated                   bool           `json:"calculated"`
	CalculatedFormula            *string        `json:"calculatedFormula"`
	CascadeDelete                bool           `json:"cascadeDelete"`
	CaseSensitive                bool           `json:"caseSensitive"`
	CompoundFieldName            *string        `json:"compoundFieldName"`
	ControllerName               *string        `json:"controllerName"`
	Createable                   bool           `json:"createable"`
	Custom                       bool           `json:"custom"`
	DefaultValue                 any            `json:"defaultValue"`
	DefaultValueFormula          *string        `json:"defaultValueFormula"`
	DefaultedOnCreate            bool           `json:"defaultedOnCreate"`
	DependentPicklist            bool           `json:"dependentPicklist"`
	DeprecatedAndHidden          bool           `json:"deprecatedAndHidden"`
	Digits                       int            `json:"digits"`
	DisplayLocationInDecimal     bool           `json:"displayLocationInDecimal"`
	Encrypted                    bool           `json:"encrypted"`
	ExternalID                   bool           `json:"externalId"`
	ExtraTypeInfo                *string        `json:"extraTypeInfo"`
	Filterable                   bool           `json:"filterable"`
	FilteredLookupInfo           *string        `json:"filteredLookupInfo"`
	FormulaTreatNullNumberAsZero bool           `json:"formulaTreatNullNumberAsZero"`
	Groupable                    bool           `json:"groupable"`
	HighScaleNumber              bool           `json:"highScaleNumber"`
	HTMLFormatted                bool           `json:"htmlFormatted"`
	IDLookup                     bool           `json:"idLookup"`
	InlineHelpText               *string        `json:"inlineHelpText"`
	Label                        string         `json:"label"`
	Length                       int            `json:"length"`
	Mask                         *string        `json:"mask"`
	MaskType                     *string        `json:"maskType"`
	Name                         string         `json:"name"`
	NameField                    bool           `json:"nameField"`
	NamePointing                 bool           `json:"namePointing"`
	Nillable                     bool           `json:"nillable"`
	Permissionable               bool           `json:"permissionable"`
	PicklistValues               []picklistJSON `json:"picklistValues"`
	PolymorphicForeignKey        bool           `json:"polymorphicForeignKey"`
	Precision                    int            `json:"precision"`
	QueryByDistance              bool           `json:"queryByDistance"`
	ReferenceTargetField         *string        `json:"referenceTargetField"`
	ReferenceTo                  []string       `json:"referenceTo"`
	RelationshipName             *string        `json:"relationshipName"`
	RelationshipOrder            *int           `json:"relationshipOrder"`
	RestrictedDelete             bool           `json:"restrictedDelete"`
	RestrictedPicklist           bool           `json:"restrictedPicklist"`
	Scale                        int            `json:"scale"`
	SearchPrefilterable          bool           `json:"searchPrefilterable"`
	SoapType                     string         `json:"soapType"`
	Sortable                     bool           `json:"sortable"`
	Type                         FieldType      `json:"type"`
	Unique                       bool           `json:"unique"`
	Updateable                   bool           `json:"updateable"`
	WriteRequiresMasterRead      bool           `json:"writeRequiresMasterRead"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Describe renders GET /sobjects/{name}/describe.
func (o *Object) Describe(opts DescribeOptions) ([]byte, error) {
	a := opts.object(o)
	g := opts.entry(o)
	base := opts.base(o)
	d := describe{
		ActionOverrides: []struct{}{}, Activateable: g.Activateable, ChildRelationships: []childJSON{},
		CompactLayoutable: o.Flags.CompactLayoutable, Createable: g.Createable, Custom: g.Custom,
		CustomSetting: g.CustomSetting, DeepCloneable: g.DeepCloneable, Deletable: g.Deletable,
		DeprecatedAndHidden: g.DeprecatedAndHidden, FeedEnabled: g.FeedEnabled, Fields: []fieldJSON{},
		HasSubtypes: g.HasSubtypes, IsInterface: g.IsInterface, IsSubtype: g.IsSubtype, KeyPrefix: o.KeyPrefix,
		Label: o.Label, LabelPlural: o.LabelPlural, Layoutable: g.Layoutable, Mergeable: g.Mergeable,
		MRUEnabled: g.MRUEnabled, Name: o.Name, NamedLayoutInfos: []struct{}{}, Queryable: g.Queryable,
		RecordTypeInfos: []recordTypeJSON{}, Replicateable: g.Replicateable, Retrieveable: g.Retrieveable,
		SearchLayoutable: o.Flags.SearchLayoutable, Searchable: g.Searchable, SObjectDescribeOption: "FULL",
		SupportedScopes: []scopeJSON{}, Triggerable: g.Triggerable, Undeletable: g.Undeletable,
		Updateable: g.Updateable,
	}
	for _, c := range o.Children {
		if !opts.object(c.Object).Read || !opts.field(c.Field).Read {
			continue
		}
		d.ChildRelationships = append(d.ChildRelationships, childJSON{
			CascadeDelete: c.CascadeDelete, ChildSObject: c.Object.Name, Field: c.Field.Name,
			JunctionIDListNames: []string{}, JunctionReferenceTo: []string{}, RelationshipName: strPtr(c.Name),
			RestrictedDelete: c.RestrictedDelete,
		})
	}
	for _, f := range o.Fields {
		fa := opts.field(f)
		if !fa.Read {
			continue
		}
		d.Fields = append(d.Fields, fieldDescribe(f, fa, a))
	}
	if o.RecordTypes {
		d.RecordTypeInfos = append(d.RecordTypeInfos, recordTypeJSON{
			Active: true, Available: true, DefaultRecordTypeMapping: true, DeveloperName: "Master", Master: true,
			Name: "Master", RecordTypeID: MasterRecordTypeID,
			URLs: map[string]string{"layout": base + "/describe/layouts/" + MasterRecordTypeID},
		})
	}
	scopes := o.Scopes
	if scopes == nil {
		plural := strings.ToLower(o.LabelPlural)
		scopes = []Scope{{Name: "everything", Label: "All " + plural}}
		if o.Owned() {
			scopes = append(scopes, Scope{Name: "mine", Label: "My " + plural})
		}
	}
	for _, s := range scopes {
		d.SupportedScopes = append(d.SupportedScopes, scopeJSON{Label: s.Label, Name: s.Name})
	}
	for _, k := range o.URLKeys {
		d.URLs = append(d.URLs, [2]string{k, opts.url(o, k)})
	}
	return marshal(d)
}

func (opts DescribeOptions) url(o *Object, key string) string {
	base := opts.base(o)
	switch key {
	case "compactLayouts", "approvalLayouts", "layouts":
		return base + "/describe/" + key
	case "rowTemplate":
		return base + "/{ID}"
	case "uiDetailTemplate":
		return opts.InstanceURL + "/{ID}"
	case "uiEditTemplate":
		return opts.InstanceURL + "/{ID}/e"
	case "uiNewRecord":
		return opts.InstanceURL + "/" + o.KeyPrefix + "/e"
	case "eventSeriesUpdates":
		return base + "/{ID}/fromThisEventOnwards"
	case "defaultValues":
		return base + "/defaultValues?recordTypeId&fields"
	case "caseArticleSuggestions":
		return base + "/suggestedArticles"
	case "caseRowArticleSuggestions":
		return base + "/{ID}/suggestedArticles"
	case "describe":
		return base + "/describe"
	case "sobject":
		return base
	default: // listviews, quickActions
		return base + "/" + key
	}
}

func fieldDescribe(f *Field, fa FieldAccess, a ObjectAccess) fieldJSON {
	j := fieldJSON{
		Aggregatable: f.Aggregatable, AutoNumber: f.AutoNumber, ByteLength: f.ByteLength, Calculated: f.Calculated,
		CalculatedFormula: strPtr(f.Formula), CascadeDelete: f.CascadeDelete, CaseSensitive: f.CaseSensitive,
		CompoundFieldName: strPtr(f.CompoundFieldName), Createable: f.Createable && fa.Edit && a.Create,
		Custom: f.Custom, DefaultValue: f.DefaultValue, DefaultedOnCreate: f.DefaultedOnCreate, Digits: f.Digits,
		ExternalID: f.ExternalID, ExtraTypeInfo: strPtr(f.ExtraTypeInfo), Filterable: f.Filterable,
		Groupable: f.Groupable, HTMLFormatted: f.HTMLFormatted, IDLookup: f.IDLookup,
		InlineHelpText: strPtr(f.InlineHelp), Label: f.Label, Length: f.Length, Name: f.Name,
		NameField: f.NameField, NamePointing: f.NamePointing, Nillable: f.Nillable,
		Permissionable: f.Permissionable, PicklistValues: []picklistJSON{}, PolymorphicForeignKey: f.Polymorphic,
		Precision: f.Precision, QueryByDistance: f.QueryByDistance, ReferenceTo: []string{},
		RelationshipName: strPtr(f.RelationshipName), RelationshipOrder: f.RelationshipOrder,
		RestrictedDelete: f.ChildRestrict, RestrictedPicklist: f.Restricted, Scale: f.Scale,
		SearchPrefilterable: f.SearchPrefilterable, SoapType: types[f.Type].soap, Sortable: f.Sortable,
		Type: f.Type, Unique: f.Unique, Updateable: f.Updateable && fa.Edit && a.Edit,
		WriteRequiresMasterRead: f.WriteRequiresMasterRead,
	}
	if f.ReferenceTo != nil {
		j.ReferenceTo = f.ReferenceTo
	}
	for _, p := range f.Picklist {
		j.PicklistValues = append(j.PicklistValues, picklistJSON{Active: p.Active, DefaultValue: p.Default, Label: p.Label, Value: p.Value})
	}
	return j
}

// orderedStringsMap is a JSON object whose keys keep their order.
type orderedStringsMap [][2]string

// MarshalJSON renders the pairs as an object, in order.
func (m orderedStringsMap) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, kv := range m {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, kv[0])
		b = append(b, ':')
		b = appendString(b, kv[1])
	}
	return append(b, '}'), nil
}

// marshal encodes v as Salesforce does: no HTML escaping, no trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}
