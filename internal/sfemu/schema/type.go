package schema

// FieldType is the describe "type" of a field.
type FieldType string

// The field types Salesforce reports in describe results.
const (
	TypeID              FieldType = "id"
	TypeString          FieldType = "string"
	TypeTextArea        FieldType = "textarea"
	TypePicklist        FieldType = "picklist"
	TypeMultiPicklist   FieldType = "multipicklist"
	TypeCombobox        FieldType = "combobox"
	TypeReference       FieldType = "reference"
	TypeBoolean         FieldType = "boolean"
	TypeInt             FieldType = "int"
	TypeLong            FieldType = "long"
	TypeDouble          FieldType = "double"
	TypeCurrency        FieldType = "currency"
	TypePercent         FieldType = "percent"
	TypeDate            FieldType = "date"
	TypeDateTime        FieldType = "datetime"
	TypeTime            FieldType = "time"
	TypeEmail           FieldType = "email"
	TypePhone           FieldType = "phone"
	TypeURL             FieldType = "url"
	TypeEncryptedString FieldType = "encryptedstring"
	TypeBase64          FieldType = "base64"
	TypeAddress         FieldType = "address"
	TypeLocation        FieldType = "location"
	TypeAnyType         FieldType = "anyType"
)

// typeInfo holds what Salesforce derives from a field's type.
type typeInfo struct {
	soap      string // soapType
	text      bool   // value is a string with a length limit (byteLength = 3 × length)
	number    bool   // value is float64
	groupable bool   // groupable (and, for text, only when length ≤ 255)
	agg       bool   // aggregatable
	sortable  bool
	length    int // default length when the definition has none
}

var types = map[FieldType]typeInfo{
	TypeID:              {soap: "tns:ID", groupable: true, agg: true, sortable: true, length: 18},
	TypeReference:       {soap: "tns:ID", groupable: true, agg: true, sortable: true, length: 18},
	TypeString:          {soap: "xsd:string", text: true, groupable: true, agg: true, sortable: true, length: 255},
	TypeTextArea:        {soap: "xsd:string", text: true, groupable: true, agg: true, sortable: true, length: 255},
	TypePicklist:        {soap: "xsd:string", text: true, groupable: true, agg: true, sortable: true, length: 255},
	TypeMultiPicklist:   {soap: "xsd:string", text: true, length: 4099},
	TypeCombobox:        {soap: "xsd:string", text: true, agg: true, sortable: true, length: 255},
	TypeEmail:           {soap: "xsd:string", text: true, groupable: true, agg: true, sortable: true, length: 80},
	TypePhone:           {soap: "xsd:string", text: true, groupable: true, agg: true, sortable: true, length: 40},
	TypeURL:             {soap: "xsd:string", text: true, groupable: true, agg: true, sortable: true, length: 255},
	TypeEncryptedString: {soap: "xsd:string", text: true, length: 175},
	TypeBase64:          {soap: "xsd:base64Binary"},
	TypeBoolean:         {soap: "xsd:boolean", groupable: true, sortable: true},
	TypeInt:             {soap: "xsd:int", groupable: true, agg: true, sortable: true},
	TypeLong:            {soap: "xsd:long", groupable: true, agg: true, sortable: true},
	TypeDouble:          {soap: "xsd:double", number: true, agg: true, sortable: true},
	TypeCurrency:        {soap: "xsd:double", number: true, agg: true, sortable: true},
	TypePercent:         {soap: "xsd:double", number: true, agg: true, sortable: true},
	TypeDate:            {soap: "xsd:date", groupable: true, agg: true, sortable: true},
	TypeDateTime:        {soap: "xsd:dateTime", agg: true, sortable: true},
	TypeTime:            {soap: "xsd:time", agg: true, sortable: true},
	TypeAddress:         {soap: "urn:address"},
	TypeLocation:        {soap: "urn:location"},
	TypeAnyType:         {soap: "xsd:anyType"},
}

// IsText reports whether values of type t are strings with a length limit.
func (t FieldType) IsText() bool { return types[t].text }

// IsNumber reports whether values of type t are float64 (double, currency,
// percent).
func (t FieldType) IsNumber() bool { return types[t].number }

// IsCompound reports whether t is a compound type (address, location) whose
// value is built from component fields.
func (t FieldType) IsCompound() bool { return t == TypeAddress || t == TypeLocation }
