// Package formula is the emulator's Salesforce formula language: a lexer, a
// parser, a type checker and an evaluator for the subset of formulas that
// admins write most (docs/adr/0220-formula-language-subset.md).
//
// [Parse] turns a formula into a syntax tree ([Node]). [Compile] parses,
// resolves every field path with a [Resolver] (the schema package resolves
// "Account.Owner.Alias" through relationship names), checks types against
// the wanted result [Type], and returns a [Formula] whose [Formula.Eval]
// computes a value from [Inputs]: the field values by slot and the current
// time (for TODAY and NOW).
//
// Types are Salesforce's formula types: Number (currency and percent
// included), Text, Boolean (checkbox), Date, DateTime, and Picklist, which
// only ISPICKVAL, TEXT, ISBLANK, ISNULL and CASE accept. Errors are [Error]
// values with the character position and Salesforce's wording: "Field Amout
// does not exist. Check spelling.", "Incorrect number of parameters for
// function 'IF()'. Expected 3, received 2".
//
// Blank fields are treated as blanks, not zeros: arithmetic on a blank is
// blank, & reads blank text as "", a comparison with a blank number or date
// is false (except = NULL), and IF, AND, OR and NOT read a blank condition as
// false. A runtime error (division by zero, an invalid DATE) is blank.
// Text comparisons are case-sensitive.
package formula
