package soql

import "strings"

// check applies the rules Salesforce enforces on a query without knowing
// the schema.
func (p *parser) check(q *Query, sub bool) error {
	agg := q.IsAggregate()
	if sub && agg {
		return errorf(p.code, p.src, q.Pos, "only root queries support aggregate expressions")
	}
	seen := map[string]bool{}
	for _, it := range q.Select {
		switch it := it.(type) {
		case *FieldsFunc:
			if it.Kind != FieldsStandard && (q.Limit == nil || *q.Limit > MaxFieldsLimit) {
				return errorf(p.code, p.src, Pos{}, "The SOQL FIELDS function must have a LIMIT of at most %d", MaxFieldsLimit)
			}
		case *SelectExpr:
			if c, ok := it.Expr.(*Call); ok && strings.EqualFold(c.Name, "COUNT") && len(c.Args) == 0 && len(q.Select) > 1 {
				return errorf(p.code, p.src, c.Pos, "COUNT() must be the only element of the select list")
			}
			f, ok := it.Expr.(*Field)
			if !ok {
				continue
			}
			if it.Alias != "" && !agg {
				return errorf(p.code, p.src, f.Pos, "only aggregate expressions use field aliasing")
			}
			key := strings.ToLower(f.Name())
			if seen[key] {
				return errorf(CodeInvalidField, p.src, Pos{}, "duplicate field selected: %s", f.Name())
			}
			seen[key] = true
		}
	}
	return nil
}
