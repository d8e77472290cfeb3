package workflow

import "errors"

var (
	// ErrInvalid is wrapped by every *ValidationError: the workflow file
	// is wrong, and the problems say where and how to fix it.
	ErrInvalid = errors.New("invalid workflow")

	// ErrObjectNotFound is what a DescribeFunc returns (wrapped or not)
	// when the org has no object of that name, or the user cannot see it.
	// Any other describe error aborts validation as an environment error.
	ErrObjectNotFound = errors.New("no such object")
)

// Code identifies a kind of problem in a workflow, stable across releases:
// the API returns it, scripts and documentation refer to it.
type Code string

// The problem codes.
const (
	CodeSyntax                Code = "workflow.syntax"                  // the file is not valid YAML (or JSON)
	CodeVersion               Code = "workflow.version"                 // version missing or not supported
	CodeUnknownKey            Code = "workflow.unknown_key"             // a key the format does not have
	CodeMissingKey            Code = "workflow.missing_key"             // a required key is absent
	CodeInvalidValue          Code = "workflow.invalid_value"           // a value of the wrong shape or out of its set
	CodeUnknownOrg            Code = "workflow.unknown_org"             // no registered org of that name
	CodeUnknownObject         Code = "workflow.unknown_object"          // the org has no such object (or it is hidden)
	CodeObjectPermission      Code = "workflow.object_permission"       // the object cannot be queried, created, updated or deleted
	CodeUnknownField          Code = "workflow.unknown_field"           // no such field on the object
	CodeUnknownRelationship   Code = "workflow.unknown_relationship"    // no such relationship in a field path
	CodeUnreadableField       Code = "workflow.unreadable_field"        // the field exists but cannot be read or synced
	CodeIncompatibleTypes     Code = "workflow.incompatible_types"      // field and column types do not convert that way
	CodeInvalidTransform      Code = "workflow.invalid_transform"       // unknown transform, bad argument, or wrong input
	CodeOneWayTransform       Code = "workflow.one_way_transform"       // a transform without inverse on a two-way field
	CodeDirection             Code = "workflow.direction"               // a field flows where its workflow or Salesforce does not allow
	CodeOperator              Code = "workflow.operator_not_applicable" // the condition operator does not apply to the field's type
	CodeConditionValue        Code = "workflow.invalid_condition_value" // the condition value does not fit the field's type
	CodePicklistValue         Code = "workflow.unknown_picklist_value"  // a value the picklist does not have
	CodeNotFilterable         Code = "workflow.field_not_filterable"    // the field cannot be used in a query filter
	CodeRequiredFieldUnmapped Code = "workflow.required_field_unmapped" // Salesforce requires the field on create and nothing writes it
	CodeFieldNotWritable      Code = "workflow.field_not_writable"      // the field cannot be created or updated
	CodeNotExternalID         Code = "workflow.not_external_id"         // the upsert key, or the parent field a lookup is set through, is not an External ID field
	CodeDuplicate             Code = "workflow.duplicate"               // a column or a written field appears twice
	CodeMatchColumn           Code = "workflow.match_column"            // the update match column is missing or unusable
	CodeCountryField          Code = "workflow.country_field"           // a phone step's country_field cannot give each row its country
)
