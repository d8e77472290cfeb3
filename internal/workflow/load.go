package workflow

import (
	"context"
	"errors"
)

// Load reads and compiles a workflow file in one go, and reports the
// problems of both steps together, sorted by position: what a user fixing
// a file wants to see. name labels the file in the error. The definition is
// returned whenever the file could be parsed; the plan only when there is
// no problem. Errors other than a *ValidationError come from Describe.
func Load(ctx context.Context, name string, data []byte, env Env) (*Definition, *Plan, error) {
	def, err := ParseFile(name, data)
	var parsed *ValidationError
	if err != nil && !errors.As(err, &parsed) {
		return nil, nil, err
	}
	if def == nil {
		return nil, nil, err
	}
	plan, err := Compile(ctx, def, env)
	var compiled *ValidationError
	if err != nil && !errors.As(err, &compiled) {
		return def, nil, err
	}
	if parsed == nil && compiled == nil {
		return def, plan, nil
	}
	all := &ValidationError{File: name}
	for _, ve := range []*ValidationError{parsed, compiled} {
		if ve != nil {
			all.Problems = append(all.Problems, ve.Problems...)
		}
	}
	all.Problems = sortProblems(all.Problems)
	return def, nil, all
}
