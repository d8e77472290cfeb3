package salesforce

import "strings"

// SObjectDescribe is the body of GET /sobjects/{Object}/describe, as much of
// it as sfbridge reads. Unknown keys are ignored when decoding.
type SObjectDescribe struct {
	Name               string              `json:"name"`
	Label              string              `json:"label"`
	LabelPlural        string              `json:"labelPlural"`
	KeyPrefix          string              `json:"keyPrefix"`
	Custom             bool                `json:"custom"`
	Createable         bool                `json:"createable"`
	Updateable         bool                `json:"updateable"`
	Deletable          bool                `json:"deletable"`
	Queryable          bool                `json:"queryable"`
	Retrieveable       bool                `json:"retrieveable"`
	Replicateable      bool                `json:"replicateable"`
	Searchable         bool                `json:"searchable"`
	Undeletable        bool                `json:"undeletable"`
	Fields             []Field             `json:"fields"`
	ChildRelationships []ChildRelationship `json:"childRelationships"`
}

// Field is one entry of a describe's fields array.
type Field struct {
	Name                string          `json:"name"`
	Label               string          `json:"label"`
	Type                string          `json:"type"` // id, string, textarea, picklist, multipicklist, combobox, reference, boolean, int, long, double, currency, percent, date, datetime, time, email, phone, url, encryptedstring, base64, address, location, anyType
	SoapType            string          `json:"soapType"`
	Length              int             `json:"length"`
	Precision           int             `json:"precision"`
	Scale               int             `json:"scale"`
	Digits              int             `json:"digits"`
	Nillable            bool            `json:"nillable"`
	Createable          bool            `json:"createable"`
	Updateable          bool            `json:"updateable"`
	DefaultedOnCreate   bool            `json:"defaultedOnCreate"`
	Calculated          bool            `json:"calculated"`
	CalculatedFormula   *string         `json:"calculatedFormula"`
	AutoNumber          bool            `json:"autoNumber"`
	Custom              bool            `json:"custom"`
	ExternalID          bool            `json:"externalId"`
	IDLookup            bool            `json:"idLookup"`
	Unique              bool            `json:"unique"`
	NameField           bool            `json:"nameField"`
	Filterable          bool            `json:"filterable"`
	Sortable            bool            `json:"sortable"`
	Groupable           bool            `json:"groupable"`
	ReferenceTo         []string        `json:"referenceTo"`
	RelationshipName    *string         `json:"relationshipName"`
	PolymorphicForeign  bool            `json:"polymorphicForeignKey"`
	CompoundFieldName   *string         `json:"compoundFieldName"`
	PicklistValues      []PicklistValue `json:"picklistValues"`
	RestrictedPicklist  bool            `json:"restrictedPicklist"`
	DependentPicklist   bool            `json:"dependentPicklist"`
	DefaultValue        any             `json:"defaultValue"`
	DeprecatedAndHidden bool            `json:"deprecatedAndHidden"`
}

// Required reports whether Salesforce requires a value for the field on
// create: not nillable, createable, and not defaulted on create. The REST
// describe has no "required" key; this is how it is derived.
func (f *Field) Required() bool {
	return !f.Nillable && f.Createable && !f.DefaultedOnCreate
}

// PicklistValue is one entry of a picklist field's values.
type PicklistValue struct {
	Value        string  `json:"value"`
	Label        string  `json:"label"`
	Active       bool    `json:"active"`
	DefaultValue bool    `json:"defaultValue"`
	ValidFor     *string `json:"validFor"`
}

// ChildRelationship is one entry of a describe's childRelationships array.
type ChildRelationship struct {
	ChildSObject     string  `json:"childSObject"`
	Field            string  `json:"field"`
	RelationshipName *string `json:"relationshipName"`
	CascadeDelete    bool    `json:"cascadeDelete"`
}

// Field returns the named field (case-insensitively, as Salesforce matches
// field names) or nil.
func (d *SObjectDescribe) Field(name string) *Field {
	for i := range d.Fields {
		if strings.EqualFold(d.Fields[i].Name, name) {
			return &d.Fields[i]
		}
	}
	return nil
}
