package schema

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/formula"
)

// derivations compute standard fields that Salesforce derives from other
// fields of the same record. Values Salesforce derives from other records or
// from the time of a change (Case.ClosedDate, Opportunity.IsWon ...) are kept
// by the record store instead.
var derivations = map[string]func(o *Object) Compute{
	"Opportunity.ExpectedRevenue": func(o *Object) Compute {
		amount, prob := o.Field("Amount"), o.Field("Probability")
		return func(r Record) any {
			a, ok1 := r.Get(amount).(float64)
			p, ok2 := r.Get(prob).(float64)
			if !ok1 || !ok2 {
				return nil
			}
			return a * p / 100
		}
	},
	"Task.IsClosed":       equals("Status", "Completed"),
	"Task.IsHighPriority": equals("Priority", "High"),
}

// equals derives a checkbox that is true when field has the given value.
func equals(field, value string) func(o *Object) Compute {
	return func(o *Object) Compute {
		f := o.Field(field)
		return func(r Record) any { return r.Get(f) == value }
	}
}

// bindComputes attaches the computation of every derived field of o.
func bindComputes(o *Object) {
	for _, f := range o.Fields {
		if d, ok := derivations[o.Name+"."+f.Name]; ok {
			f.compute = d(o)
			continue
		}
		if len(f.Components) == 0 || f.CompoundFieldName == f.Name {
			continue
		}
		switch f.Type {
		case TypeAddress:
			f.compute = addressOf(f)
		case TypeLocation:
			f.compute = locationOf(f)
		case TypeString:
			if component(f, "LastName") != nil {
				f.compute = personName(f)
			}
		}
	}
}

// component returns the component of compound c whose name ends in part
// (BillingCity for part "City" of BillingAddress), or nil.
func component(c *Field, part string) *Field {
	for _, f := range c.Components {
		if strings.HasSuffix(strings.TrimSuffix(f.Name, "__s"), part) {
			return f
		}
	}
	return nil
}

func addressOf(c *Field) Compute {
	parts := [...]*Field{component(c, "City"), component(c, "Country"), component(c, "GeocodeAccuracy"),
		component(c, "Latitude"), component(c, "Longitude"), component(c, "PostalCode"), component(c, "State"),
		component(c, "Street")}
	return func(r Record) any {
		var v [len(parts)]any
		empty := true
		for i, p := range parts {
			if p != nil {
				v[i] = r.Get(p)
				empty = empty && v[i] == nil
			}
		}
		if empty {
			return nil
		}
		return Address{City: v[0], Country: v[1], GeocodeAccuracy: v[2], Latitude: v[3], Longitude: v[4],
			PostalCode: v[5], State: v[6], Street: v[7]}
	}
}

func locationOf(c *Field) Compute {
	lat, lon := component(c, "Latitude"), component(c, "Longitude")
	return func(r Record) any {
		la, lo := r.Get(lat), r.Get(lon)
		if la == nil && lo == nil {
			return nil
		}
		return Location{Latitude: la, Longitude: lo}
	}
}

// personName joins the name parts of Contact, Lead and User the way
// Salesforce shows Name: "FirstName LastName" (the salutation is not part
// of it).
func personName(c *Field) Compute {
	var parts []*Field
	for _, n := range []string{"FirstName", "MiddleName", "LastName", "Suffix"} {
		if f := c.Object.Field(n); f != nil && f.CompoundFieldName == c.Name {
			parts = append(parts, f)
		}
	}
	return func(r Record) any {
		var b strings.Builder
		for _, p := range parts {
			if s, ok := r.Get(p).(string); ok && s != "" {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(s)
			}
		}
		if b.Len() == 0 {
			return nil
		}
		return b.String()
	}
}

// formulaTextLength is the length describe reports for text formulas.
const formulaTextLength = 1300

// Linked is a Record that can reach beyond itself: the records its lookups
// point to, and the emulator's clock. Formula fields need it for parent
// paths (Account.Name, Owner.Alias) and for TODAY() and NOW(). It is the
// one hook formulas add to Record: a record store whose records implement
// it gets complete formulas; for a plain Record, parent paths are blank and
// TODAY() and NOW() read the machine's clock.
type Linked interface {
	Record
	// Related returns the live record with the given 18-character ID, or
	// nil.
	Related(id string) Record
	// Now returns the emulator's current time.
	Now() time.Time
}

// formulaInput is one field path a formula reads: the reference fields to
// follow, then the field.
type formulaInput struct {
	hops []*Field
	leaf *Field
}

// formulaRecord adapts a Record to formula.Inputs.
type formulaRecord struct {
	r      Record
	inputs []formulaInput
}

func (fr formulaRecord) Input(slot int) any {
	in := fr.inputs[slot]
	r := fr.r
	for _, h := range in.hops {
		l, ok := r.(Linked)
		if !ok {
			return nil
		}
		id, _ := h.Object.Value(r, h).(string)
		if id == "" {
			return nil
		}
		if r = l.Related(id); r == nil {
			return nil
		}
	}
	v := in.leaf.Object.Value(r, in.leaf)
	if n, ok := v.(int64); ok {
		return float64(n)
	}
	return v
}

func (fr formulaRecord) Now() time.Time {
	if l, ok := fr.r.(Linked); ok {
		return l.Now()
	}
	return time.Now().UTC()
}

// formulaResultTypes maps a formula field's describe type to its formula
// result type.
var formulaResultTypes = map[FieldType]formula.Type{TypeCurrency: formula.Number, TypeDouble: formula.Number,
	TypePercent: formula.Number, TypeString: formula.Text, TypeBoolean: formula.Boolean, TypeDate: formula.Date,
	TypeDateTime: formula.DateTime}

// inputType is the formula type of a field, or a message saying why a
// formula cannot read it.
func inputType(f *Field) (formula.Type, string) {
	switch {
	case f.Type == TypePicklist:
		return formula.Picklist, ""
	case f.Type == TypeBoolean:
		return formula.Boolean, ""
	case f.Type == TypeInt || f.Type == TypeLong || f.Type.IsNumber():
		return formula.Number, ""
	case f.Type == TypeDate:
		return formula.Date, ""
	case f.Type == TypeDateTime:
		return formula.DateTime, ""
	case f.Type == TypeMultiPicklist:
		return 0, "Field " + f.Name + " is a multi-select picklist field. Multi-select picklist fields are only supported in certain functions."
	case f.Type.IsText() || f.Type == TypeID || f.Type == TypeReference:
		return formula.Text, ""
	}
	return 0, "Field " + f.Name + " has type " + string(f.Type) + ", which formulas in the emulator cannot read."
}

// formulaState tracks formulas being compiled, to find circular references.
type formulaState struct {
	b        *builder
	srcs     map[*Field]fieldSource
	visiting map[*Field]bool
}

// bindFormulas compiles every formula field declared in a schema file once
// all objects are resolved, so formulas may read fields of any object.
func (b *builder) bindFormulas() error {
	st := &formulaState{b: b, srcs: map[*Field]fieldSource{}, visiting: map[*Field]bool{}}
	var order []*Field
	for _, o := range b.objects {
		for _, src := range b.specs[o] {
			if f := o.Field(src.spec.Name); f != nil && f.Calculated {
				st.srcs[f] = src
				order = append(order, f)
			}
		}
	}
	for _, f := range order {
		if err := st.compile(f); err != nil {
			return err
		}
	}
	return nil
}

// compile compiles formula field f, and first the formula fields it reads.
func (st *formulaState) compile(f *Field) error {
	if f.compute != nil {
		return nil
	}
	src := st.srcs[f]
	if st.visiting[f] {
		return &SpecError{File: src.file.name, Line: src.spec.pos.line, Column: src.spec.pos.column, Path: src.path + ".formula",
			Msg: fmt.Sprintf("formula field %s.%s refers to itself through other formulas (a circular reference)", f.Object.Name, f.Name)}
	}
	st.visiting[f] = true
	defer delete(st.visiting, f)
	var inputs []formulaInput
	var inner error
	resolve := func(path string) (formula.Field, string, bool) {
		in, msg, ok := resolvePath(f.Object, path)
		if !ok {
			return formula.Field{}, msg, false
		}
		if in.leaf.Calculated && st.srcs[in.leaf].file != nil {
			if err := st.compile(in.leaf); err != nil && inner == nil {
				inner = err
			}
		}
		t, msg := inputType(in.leaf)
		if msg != "" {
			return formula.Field{}, msg, false
		}
		inputs = append(inputs, in)
		return formula.Field{Type: t, Slot: len(inputs) - 1}, "", true
	}
	compiled, err := formula.Compile(f.Formula, formulaResultTypes[f.Type], resolve)
	if inner != nil {
		return inner
	}
	if err != nil {
		var fe *formula.Error
		msg := err.Error()
		if errors.As(err, &fe) {
			msg = fmt.Sprintf("at character %d of the formula: %s", fe.Pos, fe.Msg)
		}
		return &SpecError{File: src.file.name, Line: src.spec.pos.line, Column: src.spec.pos.column, Path: src.path + ".formula", Msg: msg}
	}
	f.compute = formulaCompute(f, compiled, inputs)
	return nil
}

// resolvePath resolves a formula field path on o: relationship names, then
// a field ("Account.Owner.Alias").
func resolvePath(o *Object, path string) (formulaInput, string, bool) {
	parts := strings.Split(path, ".")
	var in formulaInput
	for _, rel := range parts[:len(parts)-1] {
		h := o.Relationship(rel)
		if h == nil {
			return in, "Field " + rel + " does not exist. Check spelling.", false
		}
		if len(h.Targets) != 1 {
			return in, "Field " + rel + " is polymorphic: formulas in the emulator follow only lookups to one object.", false
		}
		in.hops = append(in.hops, h)
		o = h.Targets[0]
	}
	leaf := parts[len(parts)-1]
	if in.leaf = o.Field(leaf); in.leaf == nil {
		return in, "Field " + leaf + " does not exist. Check spelling.", false
	}
	return in, "", true
}

// formulaCompute turns a compiled formula into the field's computation,
// converting the result to the field's canonical value: numbers rounded to
// the field's scale, a blank checkbox false.
func formulaCompute(f *Field, c *formula.Formula, inputs []formulaInput) Compute {
	scale := math.Pow(10, float64(f.Scale))
	return func(r Record) any {
		v := c.Eval(formulaRecord{r: r, inputs: inputs})
		switch x := v.(type) {
		case float64:
			return math.Round(x*scale) / scale
		case nil:
			if f.Type == TypeBoolean {
				return false
			}
		case time.Time:
			if f.Type == TypeDate {
				return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
			}
		}
		return v
	}
}
