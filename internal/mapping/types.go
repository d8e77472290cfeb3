package mapping

import "slices"

// ColumnType is the type of a sheet column, as written in workflow files.
type ColumnType string

// The sheet column types. Each holds values of one Kind (ColumnType.Kind).
const (
	ColumnText          ColumnType = "text"
	ColumnLongText      ColumnType = "long_text"
	ColumnNumber        ColumnType = "number"
	ColumnCurrency      ColumnType = "currency"
	ColumnPercent       ColumnType = "percent" // 12.5 means 12.5 %, as in Salesforce
	ColumnCheckbox      ColumnType = "checkbox"
	ColumnDate          ColumnType = "date"
	ColumnDateTime      ColumnType = "datetime"
	ColumnTime          ColumnType = "time"
	ColumnPicklist      ColumnType = "picklist"
	ColumnMultiPicklist ColumnType = "multi_picklist"
	ColumnEmail         ColumnType = "email"
	ColumnPhone         ColumnType = "phone"
	ColumnURL           ColumnType = "url"
	ColumnAddress       ColumnType = "address"
	ColumnReference     ColumnType = "reference" // a Salesforce record ID
)

// ColumnTypes lists every column type, in the order the documentation uses.
var ColumnTypes = []ColumnType{
	ColumnText, ColumnLongText, ColumnNumber, ColumnCurrency, ColumnPercent, ColumnCheckbox,
	ColumnDate, ColumnDateTime, ColumnTime, ColumnPicklist, ColumnMultiPicklist,
	ColumnEmail, ColumnPhone, ColumnURL, ColumnAddress, ColumnReference,
}

// Valid reports whether c is one of ColumnTypes.
func (c ColumnType) Valid() bool { return slices.Contains(ColumnTypes, c) }

// Kind returns the kind of value a cell of this column holds.
func (c ColumnType) Kind() Kind {
	switch c {
	case ColumnNumber, ColumnCurrency, ColumnPercent:
		return KindNumber
	case ColumnCheckbox:
		return KindBool
	case ColumnDate:
		return KindDate
	case ColumnDateTime:
		return KindDateTime
	case ColumnTime:
		return KindTime
	case ColumnMultiPicklist:
		return KindList
	case ColumnAddress:
		return KindAddress
	}
	return KindText
}

// typedText reports whether the column holds text with a meaning (an e-mail,
// a picklist value, a record ID ...) rather than free text: such a column
// takes only text, never a number or a date turned into text.
func (c ColumnType) typedText() bool {
	switch c {
	case ColumnPicklist, ColumnEmail, ColumnPhone, ColumnURL, ColumnReference:
		return true
	}
	return false
}

// FieldTypes lists the Salesforce field types a workflow can map, in the
// order the documentation uses. Other describe types (base64, anyType,
// encryptedstring, complexvalue ...) cannot be synced.
var FieldTypes = []string{
	"id", "string", "textarea", "picklist", "multipicklist", "combobox", "boolean",
	"int", "long", "double", "currency", "percent", "date", "datetime", "time",
	"email", "phone", "url", "address", "location", "reference",
}

// FieldKind returns the kind of value a Salesforce field type holds, and
// false for the types sfbridge does not sync.
func FieldKind(fieldType string) (Kind, bool) {
	switch fieldType {
	case "id", "string", "textarea", "picklist", "combobox", "email", "phone", "url", "reference":
		return KindText, true
	case "multipicklist":
		return KindList, true
	case "boolean":
		return KindBool, true
	case "int", "long", "double", "currency", "percent":
		return KindNumber, true
	case "date":
		return KindDate, true
	case "datetime":
		return KindDateTime, true
	case "time":
		return KindTime, true
	case "address":
		return KindAddress, true
	case "location":
		return KindLocation, true
	}
	return KindNull, false
}

// typedTextField reports whether a field of this type holds text with a
// meaning, which only text (not a number or a date turned into text) may
// fill.
func typedTextField(fieldType string) bool {
	switch fieldType {
	case "id", "reference", "picklist", "email", "phone", "url":
		return true
	}
	return false
}

// DefaultColumn returns the column type a field of this type gets when the
// workflow does not say, and false for types that cannot be synced.
func DefaultColumn(fieldType string) (ColumnType, bool) {
	switch fieldType {
	case "id", "reference":
		return ColumnReference, true
	case "string", "combobox", "location":
		return ColumnText, true
	case "textarea":
		return ColumnLongText, true
	case "picklist":
		return ColumnPicklist, true
	case "multipicklist":
		return ColumnMultiPicklist, true
	case "boolean":
		return ColumnCheckbox, true
	case "int", "long", "double":
		return ColumnNumber, true
	case "currency":
		return ColumnCurrency, true
	case "percent":
		return ColumnPercent, true
	case "date":
		return ColumnDate, true
	case "datetime":
		return ColumnDateTime, true
	case "time":
		return ColumnTime, true
	case "email":
		return ColumnEmail, true
	case "phone":
		return ColumnPhone, true
	case "url":
		return ColumnURL, true
	case "address":
		return ColumnAddress, true
	}
	return "", false
}
