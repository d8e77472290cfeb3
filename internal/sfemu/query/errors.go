package query

import (
	"fmt"

	"github.com/sfbridge/sfbridge/internal/soql"
)

// Query errors are *soql.Error values, with Salesforce's codes; test them
// with errors.Is and soql's sentinels (soql.ErrInvalidField, ...).

const (
	hintField = "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. " +
		"Please reference your WSDL or the describe call for the appropriate names."
	hintObject = "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. " +
		"Please reference your WSDL or the describe call for the appropriate names."
	hintRelationship = "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom " +
		"relationship name. Please reference your WSDL or the describe call for the appropriate names."
)

// errorf builds a positioned query error.
func (c *compiler) errorf(code soql.Code, pos soql.Pos, format string, args ...any) error {
	return soql.NewError(code, c.text, pos, fmt.Sprintf(format, args...))
}

func (c *compiler) noSuchColumn(pos soql.Pos, column, entity string) error {
	return c.errorf(soql.CodeInvalidField, pos, "No such column '%s' on entity '%s'. %s", column, entity, hintField)
}

func (c *compiler) badRelationship(pos soql.Pos, name string) error {
	return c.errorf(soql.CodeInvalidField, pos, "Didn't understand relationship '%s' in field path. %s", name, hintRelationship)
}

func (c *compiler) unsupportedType(pos soql.Pos, name string) error {
	return c.errorf(soql.CodeInvalidType, pos, "sObject type '%s' is not supported. %s", name, hintObject)
}

func (c *compiler) badChildRelationship(pos soql.Pos, name string) error {
	return c.errorf(soql.CodeInvalidType, pos, "Didn't understand relationship '%s' in FROM part of query call. %s", name, hintRelationship)
}

func (c *compiler) malformed(pos soql.Pos, format string, args ...any) error {
	return c.errorf(soql.CodeMalformedQuery, pos, format, args...)
}

func (c *compiler) invalidField(pos soql.Pos, format string, args ...any) error {
	return c.errorf(soql.CodeInvalidField, pos, format, args...)
}
