package workflow

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// Env is what Compile checks a workflow against.
type Env struct {
	// Describe returns the describes of the workflow's org (required).
	Describe DescribeFunc
	// Orgs are the names of the registered orgs; nil skips the check.
	Orgs []string
	// Objects are the org's object names, for "did you mean" suggestions;
	// nil gives none.
	Objects []string
}

// Compile checks a workflow against its org's describes and returns the
// plan the sync engine runs. Every problem is reported at once, with its
// position, in a *ValidationError: unknown objects and fields (with a
// suggestion), relationship paths, field and column types that do not
// convert, unreadable or unwritable fields, operators and values that do
// not fit a field, picklist values that do not exist, required fields left
// unmapped, an upsert key that is not an External ID, a lookup set through
// a parent's field that does not identify the parent. Other errors come
// from Describe (the org cannot be reached ...).
func Compile(ctx context.Context, def *Definition, env Env) (*Plan, error) {
	if env.Describe == nil {
		return nil, errors.New("compiling workflow: no describe function")
	}
	pos := def.pos
	if pos == nil {
		pos = positions{}
	}
	c := &compiler{
		ctx: ctx, def: def, env: env,
		describe: &describer{fn: env.Describe, cache: map[string]*salesforce.SObjectDescribe{}, miss: map[string]bool{}},
		problems: problems{pos: pos},
		writers:  map[string]string{},
	}
	if err := c.run(); err != nil {
		return nil, err
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return c.plan, nil
}

type compiler struct {
	ctx      context.Context
	def      *Definition
	env      Env
	describe *describer
	problems
	root    *salesforce.SObjectDescribe
	plan    *Plan
	writers map[string]string // Salesforce field written -> the key path that writes it
}

// broken reports whether path, or something under it, had a problem when
// the file was read: it is not checked again.
func (c *compiler) broken(path string) bool {
	for p := range c.def.broken {
		if p == path || strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[") {
			return true
		}
	}
	return false
}

// run compiles; it returns only errors that are not problems in the
// workflow (a describe that failed).
func (c *compiler) run() error {
	def := c.def
	if def.Object == "" || def.Direction == 0 {
		return nil // reported when the file was read; nothing to check against
	}
	c.plan = &Plan{
		Workflow: def.Name, Org: def.Org, Owner: def.Owner, Enabled: def.Enabled,
		Object: def.Object, Sheet: def.Sheet, Direction: def.Direction,
		Timezone: cmp.Or(def.Timezone, "UTC"), Country: def.Country, WeekStart: cmp.Or(def.WeekStart, Sunday),
	}
	if def.Direction.Has(mapping.Inbound) {
		c.plan.NoLongerMatching = cmp.Or(def.NoLongerMatching, UnmatchedMark)
	}
	c.plan.loc, _ = time.LoadLocation(c.plan.Timezone) // checked when read
	if c.plan.loc == nil {
		c.plan.loc = time.UTC
	}
	if c.env.Orgs != nil && def.Org != "" && !slices.Contains(c.env.Orgs, def.Org) {
		hint := didYouMean(def.Org, c.env.Orgs)
		if hint == "" {
			hint = "register the org first (sfbridge org add), or use one of: " + strings.Join(c.env.Orgs, ", ")
		}
		c.add("org", CodeUnknownOrg, hint, "no registered org %q", def.Org)
	}
	root, err := c.describe.get(c.ctx, def.Object)
	if err != nil {
		return err
	}
	if root == nil {
		c.add("object", CodeUnknownObject, didYouMean(def.Object, c.env.Objects),
			"the org has no object %q (or the workflow owner cannot see it)", def.Object)
		return nil
	}
	c.root = root
	c.plan.Object = root.Name
	c.checkSettings()
	if err := c.compileFields(); err != nil {
		return err
	}
	if err := c.compileWhen(); err != nil {
		return err
	}
	if err := c.compileOutbound(); err != nil {
		return err
	}
	c.buildSelect()
	return nil
}

// operation returns the outbound operation, "" when there is none.
func (c *compiler) operation() Operation {
	if c.def.Outbound == nil {
		return ""
	}
	return c.def.Outbound.Operation
}

// checkSettings checks the workflow-level settings against the direction
// and the object's permissions.
func (c *compiler) checkSettings() {
	def, obj := c.def, c.root
	in, out := def.Direction.Has(mapping.Inbound), def.Direction.Has(mapping.Outbound)
	if in && !obj.Queryable {
		c.add("object", CodeObjectPermission, "use another object, or ask an admin for read access", "%s cannot be queried", obj.Name)
	}
	if def.When != nil && !in {
		c.add("when", CodeDirection, "remove the conditions, or make the workflow inbound or both",
			"conditions select Salesforce records, and an outbound workflow sends every row")
	}
	switch {
	case out && def.Outbound == nil:
		c.add("direction", CodeMissingKey, "add outbound: {operation: create}, or update, or upsert with an external_id",
			"a %s workflow needs an outbound section saying how rows reach Salesforce", def.Direction)
	case !out && def.Outbound != nil:
		c.add("outbound", CodeDirection, "remove the outbound section, or make the workflow outbound or both",
			"an inbound workflow writes nothing to Salesforce")
	}
	op := c.operation()
	if (op == OpCreate || op == OpUpsert) && !obj.Createable {
		c.add("outbound.operation", CodeObjectPermission, "use update, or ask an admin for create access", "%s records cannot be created", obj.Name)
	}
	if (op == OpUpdate || op == OpUpsert) && !obj.Updateable {
		c.add("outbound.operation", CodeObjectPermission, "ask an admin for edit access", "%s records cannot be updated", obj.Name)
	}
	if def.Conflicts != "" && def.Direction != mapping.Both {
		c.add("conflicts", CodeDirection, "remove it", "conflicts only happen in two-way workflows (direction: both)")
	} else if def.Direction == mapping.Both {
		c.plan.Conflicts = cmp.Or(def.Conflicts, SalesforceWins)
	}
	if d := def.Deletes; d != nil {
		if d.Inbound != "" && !in {
			c.add("deletes.inbound", CodeDirection, "remove it", "an outbound workflow does not follow Salesforce deletes")
		}
		if d.Outbound != "" && !out {
			c.add("deletes.outbound", CodeDirection, "remove it", "an inbound workflow does not delete in Salesforce")
		}
		if d.Outbound == DeletePropagate && !obj.Deletable {
			c.add("deletes.outbound", CodeObjectPermission, "use ignore", "%s records cannot be deleted", obj.Name)
		}
		c.plan.Deletes = *d
	}
	if in {
		c.plan.Deletes.Inbound = cmp.Or(c.plan.Deletes.Inbound, DeletePropagate)
	}
	if out {
		c.plan.Deletes.Outbound = cmp.Or(c.plan.Deletes.Outbound, DeleteIgnore)
	}
	c.plan.Schedule = def.Schedule
}

// ---- fields ----

func (c *compiler) compileFields() error {
	columns := map[string]string{}
	for i := range c.def.Fields {
		path := index("fields", i)
		if c.broken(path) {
			continue
		}
		fp, err := c.compileField(&c.def.Fields[i], path)
		if err != nil {
			return err
		}
		if fp == nil {
			continue
		}
		c.plan.Fields = append(c.plan.Fields, fp)
		if fp.Column == "" {
			continue
		}
		if first, dup := columns[fp.Column]; dup {
			c.add(child(path, "column"), CodeDuplicate, "give each field its own column", "column %q is already mapped by %s", fp.Column, first)
			continue
		}
		columns[fp.Column] = path
		c.plan.Columns = append(c.plan.Columns, Column{
			Name: fp.Column, Type: fp.Mapping.ColumnType(), Direction: fp.Direction,
			Source: fp.Source, Options: fp.Mapping.Options(),
		})
	}
	return nil
}

// compileField resolves, type-checks and compiles one mapped field; it
// returns nil when the field has problems.
func (c *compiler) compileField(f *Field, path string) (*FieldPlan, error) {
	dir := f.Direction
	switch {
	case f.Value != nil && (dir == 0 || dir == mapping.Outbound):
		dir = mapping.Outbound
		if !c.def.Direction.Has(dir) {
			c.add(child(path, "value"), CodeDirection, "map the field to a column instead",
				"a fixed value is written to Salesforce, and this workflow is %s", c.def.Direction)
			return nil, nil
		}
	case f.Value != nil:
		c.add(child(path, "direction"), CodeDirection, "remove the direction", "a fixed value only flows to Salesforce (outbound)")
		return nil, nil
	case dir == 0:
		dir = c.def.Direction
	case !c.def.Direction.Has(dir):
		c.add(child(path, "direction"), CodeDirection, "remove the field's direction, or change the workflow's",
			"the field flows %s, but the workflow is %s", dir, c.def.Direction)
		return nil, nil
	}
	spec := mapping.Spec{
		Column: f.Column, Direction: dir, Steps: f.Transform, Constant: f.Value,
		Env: mapping.Env{Country: c.def.Country, Location: c.plan.loc},
	}
	ok := true
	for j, p := range f.Salesforce {
		sp := child(path, "salesforce")
		if len(f.Salesforce) > 1 {
			sp = index(sp, j)
		}
		r, err := c.resolve(c.root, p)
		var re *resolveError
		switch {
		case errors.As(err, &re):
			c.add(sp, re.code, re.hint, "%s", re.message)
			ok = false
			continue
		case err != nil:
			return nil, err
		}
		if _, syncable := mapping.FieldKind(r.field.Type); !syncable {
			c.add(sp, CodeUnreadableField, "leave it out of the workflow", "%s is a %s field, which sfbridge does not sync", r.path, r.field.Type)
			ok = false
			continue
		}
		spec.Sources = append(spec.Sources, mapping.Source{Path: r.path, Field: r.field, Parts: r.parts})
	}
	if !ok || len(spec.Sources) == 0 {
		return nil, nil
	}
	if dir.Has(mapping.Outbound) {
		fix := "add direction: inbound to this field"
		switch {
		case len(spec.Sources) > 1:
			c.add(child(path, "salesforce"), CodeDirection, fix, "a column joined from several fields cannot be written back to Salesforce")
			return nil, nil
		case strings.Contains(spec.Sources[0].Path, "."):
			if ok, err := c.compileLookup(&spec.Sources[0], child(path, "salesforce"), f.Direction == 0); !ok || err != nil {
				return nil, err
			}
		}
	}
	if f.Value == nil {
		spec.ColumnType = f.Type
		if spec.ColumnType == "" {
			spec.ColumnType, _ = mapping.DefaultColumn(spec.Sources[0].Field.Type)
			if len(spec.Sources) > 1 {
				spec.ColumnType = mapping.ColumnText
			}
		}
	}
	if ok, err := c.compileCountry(f, &spec, path); !ok || err != nil {
		return nil, err
	}
	m, err := mapping.Compile(spec)
	if err != nil {
		c.mappingProblems(err, f, path)
		return nil, nil
	}
	fp := &FieldPlan{Column: f.Column, Direction: dir, Mapping: m, Value: f.Value, Formula: true, CountryColumn: spec.CountryColumn}
	if spec.Country != nil {
		fp.CountryField = spec.Country.Path
	}
	for _, s := range spec.Sources {
		fp.Source = append(fp.Source, s.Path)
		fp.Formula = fp.Formula && s.Field.Calculated
		if s.Field.Calculated && !slices.Contains(c.plan.FormulaFields, s.Path) {
			c.plan.FormulaFields = append(c.plan.FormulaFields, s.Path)
		}
	}
	if in := m.InboundChain(); len(in) > 0 {
		fp.Inbound = in.String()
	}
	if out := m.OutboundChain(); len(out) > 0 {
		fp.Outbound = out.String()
	}
	if dir.Has(mapping.Outbound) {
		c.checkWrites(m, fp, path)
	}
	return fp, nil
}

// compileLookup makes a field of a parent record flowing outbound
// ("Account.Ext_Id__c") set the lookup to that parent: the relationship
// must be one hop to a single object, and the field the parent's Id or one
// that identifies it (an External ID or idLookup field), which Salesforce
// resolves when the record is written (docs/adr/0240-lookups-through-a-parents-key.md).
// It reports false when there is a problem.
func (c *compiler) compileLookup(src *mapping.Source, at string, defaultDirection bool) (bool, error) {
	inbound := "make the field inbound (direction: inbound)"
	if defaultDirection {
		inbound = "add direction: inbound to this field"
	}
	rel, _, _ := strings.Cut(src.Path, ".")
	ref := relationship(c.root, rel)
	switch {
	case strings.Count(src.Path, ".") > 1:
		c.add(at, CodeDirection, fmt.Sprintf("set the lookup through a field of %s itself (%s.<External ID field>), or %s", rel, rel, inbound),
			"%s is a field of a record further away than a parent: the workflow can read it but not write it", src.Path)
		return false, nil
	case len(ref.ReferenceTo) != 1 || ref.PolymorphicForeign:
		c.add(at, CodeDirection, fmt.Sprintf("map the lookup field %s to a column of Salesforce IDs, or %s", ref.Name, inbound),
			"%s is a field of a related record of several possible types (%s): the workflow can read it, but cannot set %s through it without knowing which object to look the key up in",
			src.Path, strings.Join(ref.ReferenceTo, ", "), ref.Name)
		return false, nil
	}
	parent, err := c.describe.get(c.ctx, ref.ReferenceTo[0])
	if err != nil || parent == nil {
		return false, err // a missing parent was reported by resolve
	}
	if key := src.Field; key.Name != "Id" && !key.ExternalID && !key.IDLookup {
		c.add(at, CodeNotExternalID, lookupKeyHint(parent, *ref.RelationshipName, ref.Name)+", or "+inbound,
			"%s.%s does not identify %s %s record (it is not an External ID field): the workflow can read it but cannot set %s through it",
			parent.Name, key.Name, article(strings.ToLower(parent.Name)), parent.Name, ref.Name)
		return false, nil
	}
	src.Lookup, src.Parent = ref, parent.Name
	return true, nil
}

// lookupKeyHint says which fields of parent a lookup (relationship rel,
// field lookup) can be set through.
func lookupKeyHint(parent *salesforce.SObjectDescribe, rel, lookup string) string {
	var keys []string
	for _, f := range parent.Fields {
		if f.Name != "Id" && (f.ExternalID || f.IDLookup) {
			keys = append(keys, rel+"."+f.Name)
		}
	}
	ids := fmt.Sprintf("%s.Id (or %s) for a column of Salesforce IDs", rel, lookup)
	if len(keys) == 0 {
		return fmt.Sprintf("%s has no External ID field: create one in Setup and map %s.<its name>, or map %s", parent.Name, rel, ids)
	}
	return fmt.Sprintf("map a field that identifies %s %s record (%s), or %s", article(strings.ToLower(parent.Name)), parent.Name, strings.Join(keys, ", "), ids)
}

// compileCountry resolves the field a phone step reads each record's
// country from (country_field): a text field of the object or a related
// one, selected by the query; a field flowing outbound also needs a column
// holding it, the row's country. It reports false when there is a problem.
func (c *compiler) compileCountry(f *Field, spec *mapping.Spec, path string) (bool, error) {
	j := slices.IndexFunc(f.Transform, func(s *mapping.Step) bool { return s.CountryField() != "" })
	if j < 0 {
		return true, nil
	}
	at := index(child(path, "transform"), j)
	name := f.Transform[j].CountryField()
	r, err := c.resolve(c.root, name)
	var re *resolveError
	switch {
	case errors.As(err, &re):
		c.add(at, re.code, re.hint, "country_field: %s", re.message)
		return false, nil
	case err != nil:
		return false, err
	}
	switch r.field.Type {
	case "string", "picklist", "combobox":
	case "address":
		c.add(at, CodeCountryField, fmt.Sprintf("name its country part instead (%sCountry, or %sCountryCode)",
			strings.TrimSuffix(r.path, "Address"), strings.TrimSuffix(r.path, "Address")),
			"country_field: %s is a whole address", r.path)
		return false, nil
	default:
		c.add(at, CodeCountryField, "name a text or picklist field holding a country name or ISO code (BillingCountry, MailingCountryCode)",
			"country_field: %s is a %s field, not a country", r.path, r.field.Type)
		return false, nil
	}
	spec.Country = &mapping.Source{Path: r.path, Field: r.field}
	if !spec.Direction.Has(mapping.Outbound) {
		return true, nil
	}
	compound := ""
	if r.field.CompoundFieldName != nil {
		compound = strings.TrimSuffix(r.path, r.field.Name) + *r.field.CompoundFieldName
	}
	for _, other := range c.def.Fields {
		if other.Column != "" && len(other.Salesforce) == 1 &&
			(strings.EqualFold(other.Salesforce[0], r.path) || compound != "" && strings.EqualFold(other.Salesforce[0], compound)) {
			spec.CountryColumn = other.Column
			return true, nil
		}
	}
	hint := "map " + r.path + " to a column"
	if compound != "" {
		hint += " (or " + compound + ")"
	}
	c.add(at, CodeCountryField, hint+", or make this field inbound (direction: inbound)",
		"country_field: a number written back to Salesforce is read as one of its row's country, and no column holds %s", r.path)
	return false, nil
}

// mappingProblems turns the errors of mapping.Compile into problems placed
// on the key they are about.
func (c *compiler) mappingProblems(err error, f *Field, path string) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	typePath := child(path, "column")
	if f.Type != "" {
		typePath = child(path, "type")
	}
	for _, e := range errs {
		var se *mapping.StepError
		var ce *mapping.ConversionError
		var ve *mapping.ValueError
		switch {
		case errors.As(e, &se) && errors.Is(e, mapping.ErrOneWay):
			c.add(index(child(path, "transform"), se.Index), CodeOneWayTransform,
				"make the field one-way (direction: inbound), or remove the step",
				"%s has no inverse, so the field cannot flow back to Salesforce: %v", se.Step, unwrapOneWay(se.Err))
		case errors.As(e, &se):
			c.add(index(child(path, "transform"), se.Index), CodeInvalidTransform, "", "%s: %v", se.Step, se.Err)
		case errors.As(e, &ce):
			direction := map[mapping.Direction]string{mapping.Inbound: "from Salesforce", mapping.Outbound: "to Salesforce"}[ce.Direction]
			c.add(typePath, CodeIncompatibleTypes, ce.Hint, "%s cannot become %s (%s): %s", ce.From, ce.To, direction, ce.Reason)
		case errors.As(e, &ve):
			c.add(child(path, "value"), CodeInvalidValue, "", "%v", ve)
		default:
			c.add(path, CodeInvalidValue, "", "%v", e)
		}
	}
}

func unwrapOneWay(err error) string {
	return strings.TrimPrefix(err.Error(), mapping.ErrOneWay.Error()+": ")
}

// checkWrites checks that the fields a mapped field writes can be written
// by the workflow's operation, and that no other field writes them.
func (c *compiler) checkWrites(m *mapping.Field, fp *FieldPlan, path string) {
	op := c.operation()
	where := child(path, "salesforce")
	createOnly := false
	for _, w := range m.Writes() {
		fp.Writes = append(fp.Writes, w.Name)
		if first, dup := c.writers[strings.ToLower(w.Name)]; dup {
			c.add(path, CodeDuplicate, "keep one of them, or make one inbound", "%s is already written by %s", w.Name, first)
		} else {
			c.writers[strings.ToLower(w.Name)] = path
		}
		switch {
		case !w.Createable && !w.Updateable:
			c.add(where, CodeFieldNotWritable, readOnlyHint(c.root, w),
				"%s.%s is read-only: Salesforce computes it (a formula, a compound field, an auto-number or a system field)", c.root.Name, w.Name)
		case (op == OpCreate || op == OpUpsert) && !w.Createable:
			c.add(where, CodeFieldNotWritable, "use operation: update, or make the field inbound",
				"%s.%s cannot be set when a record is created", c.root.Name, w.Name)
		case (op == OpUpdate || op == OpUpsert) && !w.Updateable:
			c.add(where, CodeFieldNotWritable, "make the field inbound, or use operation: create (it is then set on new records only)",
				"%s.%s cannot be changed once the record exists", c.root.Name, w.Name)
		case op == OpCreate && !w.Updateable:
			createOnly = true
		}
	}
	fp.CreateOnly = createOnly
}

// readOnlyHint says how to deal with a read-only field: write the parts of
// a compound field, or read it only.
func readOnlyHint(obj *salesforce.SObjectDescribe, f *salesforce.Field) string {
	var parts []string
	for _, p := range obj.Fields {
		if p.CompoundFieldName != nil && *p.CompoundFieldName == f.Name && p.Name != f.Name && p.Createable {
			parts = append(parts, p.Name)
		}
	}
	if len(parts) > 0 {
		return "write its parts instead (" + strings.Join(parts, ", ") + "), or make the field inbound (direction: inbound)"
	}
	return "make the field inbound (direction: inbound)"
}

// ---- conditions ----

func (c *compiler) compileWhen() error {
	if c.def.When == nil || !c.def.Direction.Has(mapping.Inbound) {
		return nil
	}
	f, err := c.compileCondition(c.def.When, "when")
	if err != nil {
		return err
	}
	if f != nil {
		c.plan.filter = f
		c.plan.Condition = f.cond()
		c.plan.Where = whereText(c.plan.Condition)
	}
	return nil
}

// compileCondition compiles one node; it returns nil when it (or a child)
// has a problem.
func (c *compiler) compileCondition(cond *Condition, path string) (filter, error) {
	if cond == nil {
		return nil, nil // it could not be read; that is reported
	}
	group := func(children []*Condition, p string) ([]filter, error) {
		out := make([]filter, 0, len(children))
		ok := true
		for i, ch := range children {
			f, err := c.compileCondition(ch, index(p, i))
			if err != nil {
				return nil, err
			}
			ok = ok && f != nil
			out = append(out, f)
		}
		if !ok || len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	switch {
	case cond.All != nil:
		fs, err := group(cond.All, child(path, "all"))
		if fs == nil || err != nil {
			return nil, err
		}
		return allFilter(fs), nil
	case cond.Any != nil:
		fs, err := group(cond.Any, child(path, "any"))
		if fs == nil || err != nil {
			return nil, err
		}
		return anyFilter(fs), nil
	case cond.Not != nil:
		f, err := c.compileCondition(cond.Not, child(path, "not"))
		if f == nil || err != nil {
			return nil, err
		}
		return notFilter{f}, nil
	}
	return c.compileComparison(cond, path)
}

func (c *compiler) compileComparison(cond *Condition, path string) (filter, error) {
	if c.broken(path) {
		return nil, nil
	}
	fieldPath := child(path, "field")
	r, err := c.resolve(c.root, cond.Field)
	var re *resolveError
	switch {
	case errors.As(err, &re):
		c.add(fieldPath, re.code, re.hint, "%s", re.message)
		return nil, nil
	case err != nil:
		return nil, err
	}
	if !r.field.Filterable {
		c.add(fieldPath, CodeNotFilterable, "filter on another field, or map it and filter in the sheet",
			"Salesforce cannot filter on %s (long text, encrypted and compound fields cannot be queried on)", r.path)
		return nil, nil
	}
	if msg, hint := operatorProblem(r.field.Type, cond.Op); msg != "" {
		c.add(child(path, "op"), CodeOperator, hint, "operator %q does not apply to %s (%s %s field): %s", cond.Op, r.path, article(r.field.Type), r.field.Type, msg)
		return nil, nil
	}
	cmp := &comparison{path: r.path, field: r.field, op: cond.Op}
	valuePath := child(path, "value")
	switch {
	case !cond.Op.takesValue():
		return cmp, nil
	case cond.Op.takesList():
		items, _ := cond.Value.([]any)
		ok := true
		for i, raw := range items {
			v, lit, hint, err := literal(r.field, cond.Op, raw)
			if err != nil {
				c.add(index(valuePath, i), conditionCode(r.field), hint, "%v", err)
				ok = false
				continue
			}
			cmp.vals = append(cmp.vals, v)
			cmp.lits = append(cmp.lits, lit)
			if cond.Op == OpIncludes || cond.Op == OpExcludes {
				cmp.sets = append(cmp.sets, v.Items())
			}
		}
		if !ok {
			return nil, nil
		}
		return cmp, nil
	}
	kind, _ := mapping.FieldKind(r.field.Type)
	if s, isText := cond.Value.(string); isText && (kind == mapping.KindDate || kind == mapping.KindDateTime) {
		dl, err := parseDateLiteral(s)
		switch {
		case err == nil:
			cmp.date, cmp.lits = &dl, []soql.Expr{dl.lit}
			return cmp, nil
		case !errors.Is(err, errNotDateLiteral):
			c.add(valuePath, CodeConditionValue, "", "%v", err)
			return nil, nil
		}
	}
	v, lit, hint, err := literal(r.field, cond.Op, cond.Value)
	if err != nil {
		c.add(valuePath, conditionCode(r.field), hint, "%v", err)
		return nil, nil
	}
	cmp.vals, cmp.lits = []mapping.Value{v}, []soql.Expr{lit}
	if cond.Op == OpLike {
		cmp.like = likeRegexp(v.Str())
	}
	return cmp, nil
}

func conditionCode(f *salesforce.Field) Code {
	if f.Type == "picklist" || f.Type == "multipicklist" {
		return CodePicklistValue
	}
	return CodeConditionValue
}

// ---- outbound ----

func (c *compiler) compileOutbound() error {
	o := c.def.Outbound
	if o == nil || c.broken("outbound") || !c.def.Direction.Has(mapping.Outbound) {
		return nil
	}
	plan := &OutboundPlan{Operation: o.Operation}
	c.plan.Outbound = plan
	if o.MatchBy != "" && o.Operation != OpUpdate {
		c.add("outbound.match_by", CodeInvalidValue, "remove it", "match_by only applies to operation: update")
	}
	if o.ExternalID != "" && o.Operation != OpUpsert {
		c.add("outbound.external_id", CodeInvalidValue, "remove it", "external_id only applies to operation: upsert")
	}
	switch o.Operation {
	case OpUpdate:
		c.compileMatch(plan, cmp.Or(o.MatchBy, MatchByID))
	case OpUpsert:
		c.compileExternalID(plan, o.ExternalID)
		c.checkRequired()
	case OpCreate:
		c.checkRequired()
	}
	return nil
}

func (c *compiler) compileMatch(plan *OutboundPlan, matchBy string) {
	plan.MatchBy = matchBy
	if matchBy == MatchByID {
		return
	}
	var names []string
	for _, fp := range c.plan.Fields {
		if fp.Column == "" {
			continue
		}
		names = append(names, fp.Column)
		if fp.Column != matchBy {
			continue
		}
		src := fp.Mapping.Sources()
		switch {
		case len(src) != 1 || strings.Contains(src[0].Path, "."):
			c.add("outbound.match_by", CodeMatchColumn, "match on a column mapped to one field of "+c.root.Name,
				"column %q does not map to a single field of %s", matchBy, c.root.Name)
		case !src[0].Field.Filterable:
			c.add("outbound.match_by", CodeMatchColumn, "match on another column", "Salesforce cannot search records by %s", src[0].Path)
		default:
			plan.MatchField = src[0].Path
		}
		return
	}
	hint := didYouMean(matchBy, names)
	if hint == "" {
		hint = `use "id" (the row's linked record), or one of the mapped columns`
	}
	c.add("outbound.match_by", CodeMatchColumn, hint, "no mapped column %q to match records by", matchBy)
}

func (c *compiler) compileExternalID(plan *OutboundPlan, name string) {
	if name == "" {
		c.add("outbound", CodeMissingKey, externalIDHint(c.root), "operation upsert needs external_id: the field that decides between creating and updating")
		return
	}
	r, err := c.resolve(c.root, name)
	var re *resolveError
	if errors.As(err, &re) || err != nil || !r.direct {
		msg := fmt.Sprintf("%s has no field %q", c.root.Name, name)
		if re != nil {
			msg = re.message
		}
		c.add("outbound.external_id", CodeUnknownField, externalIDHint(c.root), "%s", msg)
		return
	}
	plan.ExternalID = r.field.Name
	if !r.field.ExternalID {
		c.add("outbound.external_id", CodeNotExternalID, externalIDHint(c.root), "%s.%s is not an External ID field", c.root.Name, r.field.Name)
		return
	}
	for _, fp := range c.plan.Fields {
		if fp.Column != "" && fp.Direction.Has(mapping.Outbound) && len(fp.Source) == 1 && strings.EqualFold(fp.Source[0], r.field.Name) {
			plan.ExternalIDColumn = fp.Column
			return
		}
	}
	c.add("outbound.external_id", CodeMissingKey, fmt.Sprintf("add {salesforce: %s, column: ...} to fields", r.field.Name),
		"no column writes %s, and its value decides which record each row updates", r.field.Name)
}

func externalIDHint(obj *salesforce.SObjectDescribe) string {
	var ext []string
	for _, f := range obj.Fields {
		if f.ExternalID {
			ext = append(ext, f.Name)
		}
	}
	if len(ext) == 0 {
		return fmt.Sprintf("%s has no External ID field: create one in Setup, or use operation: update with match_by", obj.Name)
	}
	return fmt.Sprintf("External ID fields of %s: %s", obj.Name, strings.Join(ext, ", "))
}

// checkRequired reports every field Salesforce requires on create that no
// mapped field (column or fixed value) writes.
func (c *compiler) checkRequired() {
	for i := range c.root.Fields {
		f := &c.root.Fields[i]
		if !f.Required() {
			continue
		}
		if _, written := c.writers[strings.ToLower(f.Name)]; written {
			continue
		}
		if c.mappedButBroken(f.Name) {
			continue // its own problem is reported
		}
		c.add("fields", CodeRequiredFieldUnmapped,
			fmt.Sprintf("map it ({salesforce: %s, column: ...}) or give it a fixed value ({salesforce: %s, value: ...})", f.Name, f.Name),
			"%s requires %s on create, and no field writes it", c.root.Name, f.Name)
	}
}

// mappedButBroken reports whether some field names this Salesforce field
// but could not be compiled.
func (c *compiler) mappedButBroken(name string) bool {
	for _, f := range c.def.Fields {
		for _, p := range f.Salesforce {
			if strings.EqualFold(p, name) {
				return true
			}
		}
	}
	return false
}

// ---- select ----

func (c *compiler) buildSelect() {
	var sel []string
	seen := map[string]bool{}
	add := func(p string) {
		if k := strings.ToLower(p); !seen[k] {
			seen[k] = true
			sel = append(sel, p)
		}
	}
	add("Id")
	for _, fp := range c.plan.Fields {
		if fp.Direction.Has(mapping.Inbound) {
			for _, p := range fp.Mapping.Paths() {
				add(p)
			}
			if fp.CountryField != "" {
				add(fp.CountryField)
			}
		}
	}
	if c.plan.filter != nil {
		for _, p := range c.plan.filter.paths() {
			add(p)
		}
	}
	system := []string{"SystemModstamp"}
	if c.def.Direction == mapping.Both {
		system = append(system, "LastModifiedDate", "LastModifiedById")
	}
	for _, s := range system {
		if f := c.root.Field(s); f != nil {
			add(f.Name)
		}
	}
	c.plan.Select = sel
}
