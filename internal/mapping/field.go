package mapping

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

// Source is one Salesforce field a mapped field reads or writes.
type Source struct {
	// Path selects the field in a query: "Email", or a relationship path
	// such as "Account.Owner.Name". For a compound field, the path of the
	// compound field itself ("BillingAddress").
	Path string
	// Field is the field's describe.
	Field *salesforce.Field
	// Parts are the components of a compound address or location field
	// (the fields whose compoundFieldName is Field.Name). They are selected
	// and written in its place, which also works with the Bulk API.
	Parts []*salesforce.Field
	// Lookup is, for a field of a parent record ("Account.Ext_Id__c")
	// written to Salesforce, the reference field of the record's own
	// object that the relationship goes through (AccountId): the cell is
	// the parent's key, and the write sets the lookup to the parent it
	// names. Nil otherwise. Field is then the parent's External ID (or
	// idLookup) field, or its Id.
	Lookup *salesforce.Field
	// Parent is, with Lookup, the parent's object (Account).
	Parent string
}

// prefix returns the relationship part of the path ("Account.Owner.").
func (s Source) prefix() string {
	if i := strings.LastIndexByte(s.Path, '.'); i >= 0 {
		return s.Path[:i+1]
	}
	return ""
}

// written returns the field whose type a value written to Salesforce
// takes: the lookup field itself when a lookup is set by the parent's Id,
// else Field.
func (s Source) written() *salesforce.Field {
	if s.Lookup != nil && strings.EqualFold(s.Field.Name, "Id") {
		return s.Lookup
	}
	return s.Field
}

// Spec describes one mapped field of a workflow, with the describes
// resolved.
type Spec struct {
	Column     string     // sheet column; "" for a constant
	ColumnType ColumnType // the column's type
	Direction  Direction  // the way values flow for this field
	Sources    []Source   // one field; several only inbound, joined with a "concat" step
	Steps      []*Step    // transforms, written in the direction of the field (see Transform)
	// Constant is, for a field without a column (outbound only), the value
	// always written, as plain data ("Web", 10, true).
	Constant any
	Env      Env
	// Country is, when a phone step reads each record's country from a
	// field (country_field), that field as the query selects it: inbound,
	// a number is read as one of the record's country. Required then.
	Country *Source
	// CountryColumn is, for such a field flowing outbound, the column that
	// holds the record's country in the sheet (the country field's own
	// column, or the address column it is part of): outbound, a cell is
	// read as a number of its row's country. Required then.
	CountryColumn string
}

// Field is a compiled mapped field: it reads a Salesforce record into a
// cell value and a cell value into the Salesforce fields to write.
type Field struct {
	spec     Spec
	inbound  Chain
	outbound Chain
	outIn    Kind // the kind the outbound chain takes (a cell is converted to it first)
	constant any  // the Salesforce JSON value of a constant
}

// Compile checks spec and builds its field. Every problem is reported, as
// errors joined together: *ConversionError for types that cannot meet in
// some direction, *StepError for transforms (a step that cannot take what
// it is given, or a one-way step on a two-way field), other errors for a
// malformed spec.
func Compile(spec Spec) (*Field, error) {
	f := &Field{spec: spec}
	if err := spec.check(); err != nil {
		return nil, err
	}
	src := spec.Sources[0]
	kind, _ := FieldKind(src.Field.Type)
	env := spec.Env
	if kind == KindText {
		env.FieldLength = src.Field.Length
	}
	if spec.Constant != nil {
		v, err := FromSalesforce(src.written(), spec.Constant)
		if err == nil {
			f.constant, err = ToSalesforce(src.written(), v)
		}
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	var inErr, outErr error
	if spec.Direction.Has(Inbound) {
		inErr = f.compileInbound(env, kind)
	}
	// A two-way field whose inbound transforms failed (reported) has no
	// inverse to check.
	if spec.Direction.Has(Outbound) && (spec.Direction != Both || f.inbound != nil) {
		outErr = f.compileOutbound(env)
	}
	if err := errors.Join(inErr, outErr); err != nil {
		return nil, err
	}
	return f, nil
}

// compileInbound binds the transforms from the field's kind (a list for
// several fields) and checks what they produce against the column.
func (f *Field) compileInbound(env Env, kind Kind) error {
	in := kind
	if len(f.spec.Sources) > 1 {
		in = KindList
	}
	chain, err := Bind(f.spec.Steps, env, in)
	if err != nil {
		return err
	}
	f.inbound = chain
	v := ToColumn(chain.Out(in), f.spec.ColumnType)
	if len(chain) == 0 && len(f.spec.Sources) == 1 {
		v = fieldToColumn(f.spec.Sources[0].Field.Type, f.spec.ColumnType)
	}
	if !v.OK {
		return f.conversionError(Inbound, v, chain.Out(in))
	}
	return nil
}

// compileOutbound builds the outbound chain (the inverse of the inbound
// one on a two-way field, the steps as written on an outbound one) and
// checks what it produces against the field.
func (f *Field) compileOutbound(env Env) error {
	colKind := f.spec.ColumnType.Kind()
	var chain Chain
	var err error
	if f.spec.Direction == Both {
		chain, err = f.inbound.Inverse()
	} else {
		chain, err = Bind(f.spec.Steps, env, colKind)
	}
	if err != nil {
		return err
	}
	f.outIn = colKind
	if len(chain) > 0 {
		f.outIn = chain[0].In()
	}
	if v := cast(colKind, f.outIn); !v.OK {
		// A two-way field whose inverse chain starts from another kind
		// than the column holds.
		return f.conversionError(Outbound, v, colKind)
	}
	f.outbound = chain
	if v := ToField(chain.Out(f.outIn), f.spec.Sources[0].written().Type); !v.OK {
		return f.conversionError(Outbound, v, chain.Out(f.outIn))
	}
	return nil
}

// check refuses specs that cannot be compiled at all.
func (s Spec) check() error {
	switch {
	case len(s.Sources) == 0:
		return errors.New("a mapped field needs a Salesforce field")
	case s.Direction == 0 || s.Direction > Both:
		return errors.New("a mapped field needs a direction")
	case s.Column == "" && s.Constant == nil:
		return errors.New("a mapped field needs a column or a constant value")
	case s.Column != "" && s.Constant != nil:
		return errors.New("a mapped field takes a column or a constant value, not both")
	case s.Constant != nil && (s.Direction != Outbound || len(s.Steps) > 0):
		return errors.New("a constant value is only written to Salesforce, and takes no transform")
	case s.Constant == nil && !s.ColumnType.Valid():
		return fmt.Errorf("%q is not a column type", s.ColumnType)
	}
	if err := s.checkCountry(); err != nil {
		return err
	}
	for _, src := range s.Sources {
		if src.Field == nil {
			return fmt.Errorf("%s: no describe for the field", src.Path)
		}
		if _, ok := FieldKind(src.Field.Type); !ok {
			return &ConversionError{
				Direction: s.Direction, From: fmt.Sprintf("%s field %s", src.Field.Type, src.Path), To: s.columnName(),
				Reason: fmt.Sprintf("sfbridge does not sync %s fields", src.Field.Type), Hint: "leave this field out of the workflow",
			}
		}
	}
	if s.Direction.Has(Outbound) {
		switch {
		case len(s.Sources) > 1:
			return errors.New("a value joined from several fields cannot be written back: the field must be inbound")
		case strings.Contains(s.Sources[0].Path, ".") && s.Sources[0].Lookup == nil:
			return fmt.Errorf("%s is a field of a related record, which is read-only: the field must be inbound", s.Sources[0].Path)
		case s.Sources[0].Lookup != nil && (s.Sources[0].Parent == "" || strings.Count(s.Sources[0].Path, ".") != 1):
			return fmt.Errorf("%s: a lookup is set through one relationship of the record, to a parent object", s.Sources[0].Path)
		}
	}
	return nil
}

// checkCountry checks that a field whose phone steps read each record's
// country has that country to give them, each way it flows.
func (s Spec) checkCountry() error {
	var name string
	for _, st := range s.Steps {
		f := st.CountryField()
		switch {
		case f == "":
		case name == "":
			name = f
		case !strings.EqualFold(f, name):
			return fmt.Errorf("the steps read the country from %s and from %s: use one country field per mapped field", name, f)
		}
	}
	switch {
	case name == "":
		return nil
	case s.Country == nil || s.Country.Field == nil:
		return fmt.Errorf("country_field %s: no describe for the field", name)
	case s.Direction.Has(Outbound) && s.CountryColumn == "":
		return fmt.Errorf("country_field %s: a field written to Salesforce reads its row's country from a column: map %s to one", name, name)
	}
	return nil
}

func (s Spec) columnName() string {
	if s.Column == "" {
		return "constant"
	}
	return fmt.Sprintf("%s column %q", s.ColumnType, s.Column)
}

func (f *Field) conversionError(dir Direction, v Verdict, got Kind) error {
	src := f.spec.Sources[0]
	field := fmt.Sprintf("%s field %s", src.Field.Type, src.Path)
	if len(f.spec.Sources) > 1 {
		field = "the joined fields"
	}
	col := f.spec.columnName()
	if len(f.spec.Steps) > 0 {
		after := fmt.Sprintf(" (a %s after the transforms)", got)
		if dir == Inbound {
			field += after
		} else {
			col += after
		}
	}
	e := &ConversionError{Direction: dir, From: field, To: col, Reason: v.Reason, Hint: v.Hint}
	if dir == Outbound {
		e.From, e.To = col, field
	}
	return e
}

// ColumnType returns the column's type.
func (f *Field) ColumnType() ColumnType { return f.spec.ColumnType }

// Sources returns the Salesforce fields the field reads or writes.
func (f *Field) Sources() []Source { return slices.Clone(f.spec.Sources) }

// InboundChain and OutboundChain return the transforms each way (nil when
// the field does not flow that way).
func (f *Field) InboundChain() Chain  { return f.inbound }
func (f *Field) OutboundChain() Chain { return f.outbound }

// Paths returns what a query must select for this field: the paths of its
// sources, compound fields replaced by their parts.
func (f *Field) Paths() []string {
	var out []string
	for _, s := range f.spec.Sources {
		if len(s.Parts) == 0 {
			out = append(out, s.Path)
			continue
		}
		for _, p := range s.Parts {
			out = append(out, s.prefix()+p.Name)
		}
	}
	return out
}

// Writes returns the Salesforce fields an outbound write sets: the field,
// the text parts of a compound address, or the lookup field a parent's key
// sets.
func (f *Field) Writes() []*salesforce.Field {
	src := f.spec.Sources[0]
	if src.Lookup != nil {
		return []*salesforce.Field{src.Lookup}
	}
	if len(src.Parts) == 0 {
		return []*salesforce.Field{src.Field}
	}
	var out []*salesforce.Field
	for _, p := range src.Parts {
		if _, ok := writablePart(p.Name); ok {
			out = append(out, p)
		}
	}
	return out
}

// Inbound reads the field's sources from a record (as the query selecting
// Paths returned it) and returns the cell value.
func (f *Field) Inbound(record Record) (Value, error) {
	var v Value
	if len(f.spec.Sources) == 1 {
		var err error
		if v, err = f.read(record, f.spec.Sources[0]); err != nil {
			return Value{}, err
		}
	} else {
		items := make([]string, 0, len(f.spec.Sources))
		for _, s := range f.spec.Sources {
			sv, err := f.read(record, s)
			if err != nil {
				return Value{}, err
			}
			items = append(items, sv.String())
		}
		v = List(items...)
	}
	v, err := f.inbound.applyIn(f.recordContext(record), v)
	if err == nil {
		v, err = convert(v, f.spec.ColumnType.Kind(), f.spec.Env.location())
	}
	if err != nil {
		return Value{}, locate(err, f.spec.Sources[0].Path, f.spec.Column)
	}
	return v, nil
}

// read returns one source's value from a record.
func (f *Field) read(record Record, s Source) (Value, error) {
	if len(s.Parts) == 0 {
		v, err := FromSalesforce(s.Field, get(record, s.Path))
		if err != nil {
			return Value{}, locate(err, s.Path, f.spec.Column)
		}
		return v, nil
	}
	if raw, ok := get(record, s.Path).(map[string]any); ok {
		return FromSalesforce(s.Field, raw) // the compound field itself was selected
	}
	var a Address
	var loc Location
	for _, p := range s.Parts {
		pv, err := FromSalesforce(p, get(record, s.prefix()+p.Name))
		if err != nil {
			return Value{}, locate(err, s.prefix()+p.Name, f.spec.Column)
		}
		if s.Field.Type == "location" {
			setLocationPart(&loc, p.Name, pv.String())
		} else {
			setAddressPart(&a, p.Name, pv.String())
		}
	}
	switch {
	case s.Field.Type == "location" && loc != (Location{}):
		return LocationOf(loc), nil
	case s.Field.Type != "location" && a != (Address{}):
		return AddressOf(a), nil
	}
	return Null(), nil
}

// recordContext reads the record's own country, when the field's steps
// need it.
func (f *Field) recordContext(record Record) rowContext {
	if f.spec.Country == nil {
		return rowContext{}
	}
	s, _ := get(record, f.spec.Country.Path).(string)
	return countryContext(s)
}

// countryContext is the context of a record or row whose country is
// stored as s (a name or an ISO code).
func countryContext(s string) rowContext {
	s = strings.TrimSpace(s)
	if code, ok := CountryCode(s); ok {
		return rowContext{Country: code, Stored: s}
	}
	return rowContext{Country: s, Stored: s}
}

// Outbound returns the Salesforce fields to write for a cell value, by API
// name: one field, or the parts of a compound address. A field that reads
// its row's country (Spec.CountryColumn) needs the row: use OutboundRow.
func (f *Field) Outbound(cell Value) (map[string]any, error) {
	if f.spec.CountryColumn != "" {
		return nil, fmt.Errorf("column %s: its phone numbers are read as numbers of the row's country (column %s): the row is needed (OutboundRow)",
			f.spec.Column, f.spec.CountryColumn)
	}
	return f.outboundIn(rowContext{}, cell)
}

// OutboundRow is Outbound for the field's cell in a row (cells by column),
// whose other cells may say its country: the text of the CountryColumn,
// or the country code or country of an address there.
func (f *Field) OutboundRow(row map[string]Value) (map[string]any, error) {
	var ctx rowContext
	if c, ok := row[f.spec.CountryColumn]; ok && f.spec.CountryColumn != "" {
		switch c.Kind() {
		case KindAddress:
			a := c.Address()
			ctx = countryContext(cmp.Or(a.CountryCode, a.Country))
		case KindText:
			ctx = countryContext(c.Str())
		}
	}
	return f.outboundIn(ctx, row[f.spec.Column])
}

func (f *Field) outboundIn(ctx rowContext, cell Value) (map[string]any, error) {
	src := f.spec.Sources[0]
	if f.spec.Constant != nil {
		return src.write(f.constant), nil
	}
	v, err := convert(cell, f.spec.ColumnType.Kind(), f.spec.Env.location())
	if err == nil {
		v, err = convert(v, f.outIn, f.spec.Env.location())
	}
	if err == nil {
		v, err = f.outbound.applyIn(ctx, v)
	}
	if err != nil {
		return nil, locate(err, src.Path, f.spec.Column)
	}
	if len(src.Parts) == 0 {
		out, err := ToSalesforce(src.written(), v)
		if err != nil {
			return nil, locate(err, src.Path, f.spec.Column)
		}
		return src.write(out), nil
	}
	a := v.Address()
	out := make(map[string]any)
	for _, p := range src.Parts {
		part, ok := writablePart(p.Name)
		if !ok {
			continue
		}
		s := part(&a)
		if *s == "" && (strings.HasSuffix(p.Name, "StateCode") || strings.HasSuffix(p.Name, "CountryCode")) {
			continue // state and country codes only when given: they would clear the names
		}
		pv, err := ToSalesforce(p, Text(*s))
		if err != nil {
			return nil, locate(err, p.Name, f.spec.Column)
		}
		out[p.Name] = pv
	}
	return out, nil
}

// write returns the Salesforce fields that write v, a field's value as
// Salesforce takes it, to a (non-compound) source: the field itself, or a
// lookup set from its parent's key. The parent's Id goes into the lookup
// field, an External ID into the relationship as a reference to the parent
// ({"Account": {"attributes": {"type": "Account"}, "Ext_Id__c": "ACME-1"}}),
// which Salesforce resolves. An empty key clears the lookup: a reference
// cannot say "no parent".
func (s Source) write(v any) map[string]any {
	switch {
	case s.Lookup == nil:
		return map[string]any{s.Field.Name: v}
	case v == nil || strings.EqualFold(s.Field.Name, "Id"):
		return map[string]any{s.Lookup.Name: v}
	}
	rel := s.Lookup.Name
	if s.Lookup.RelationshipName != nil {
		rel = *s.Lookup.RelationshipName
	}
	return map[string]any{rel: map[string]any{
		"attributes": map[string]any{"type": s.Parent},
		s.Field.Name: v,
	}}
}

// Options returns, for a picklist or multi-picklist column fed by a
// picklist field, the column's choices: the field's active values as they
// land in the sheet (after the inbound transforms). Nil otherwise.
func (f *Field) Options() []string {
	ct := f.spec.ColumnType
	src := f.spec.Sources[0]
	if (ct != ColumnPicklist && ct != ColumnMultiPicklist) || len(f.spec.Sources) != 1 || f.inbound == nil ||
		(src.Field.Type != "picklist" && src.Field.Type != "multipicklist") {
		return nil
	}
	var out []string
	for _, p := range src.Field.PicklistValues {
		if !p.Active {
			continue
		}
		v, err := FromSalesforce(src.Field, p.Value)
		if err != nil {
			continue
		}
		if v, err = f.inbound.Apply(v); err != nil {
			continue
		}
		for _, s := range strings.Split(v.String(), ";") {
			if s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// Record gives the field values of a queried record by path: "Name", or
// "Account.Owner.Name" through relationships; ok is false when the path is
// absent. Values are what Salesforce sends: nil, string, bool, float64 or
// json.Number. A JSON-decoded record fits as a Map; the Salesforce
// client's records have the same method.
type Record interface {
	Get(path string) (value any, ok bool)
}

// Map is a JSON-decoded record: field names to values, relationship
// fields as nested maps.
type Map map[string]any

// Get returns the value at a field path. A missing key or an empty
// relationship gives nil and false. Keys are matched exactly, then ignoring
// case, as Salesforce matches field names.
func (m Map) Get(path string) (any, bool) {
	cur := map[string]any(m)
	for {
		name, rest, more := strings.Cut(path, ".")
		v, ok := cur[name]
		if !ok {
			for k, kv := range cur {
				if strings.EqualFold(k, name) {
					v, ok = kv, true
					break
				}
			}
		}
		if !more || !ok {
			return v, ok
		}
		next, isMap := v.(map[string]any)
		if !isMap {
			return nil, false
		}
		cur, path = next, rest
	}
}

// get returns a record's value at path, nil when absent.
func get(r Record, path string) any {
	v, _ := r.Get(path)
	return v
}

// The parts of a compound address, by the end of their field names
// (BillingStreet, MailingPostalCode, Street on Lead ...). Longer suffixes
// come first: StateCode before State.
var addressParts = []struct {
	suffix   string
	get      func(*Address) *string
	writable bool
}{
	{"StateCode", func(a *Address) *string { return &a.StateCode }, true},
	{"CountryCode", func(a *Address) *string { return &a.CountryCode }, true},
	{"PostalCode", func(a *Address) *string { return &a.PostalCode }, true},
	{"GeocodeAccuracy", func(a *Address) *string { return &a.GeocodeAccuracy }, false},
	{"Street", func(a *Address) *string { return &a.Street }, true},
	{"City", func(a *Address) *string { return &a.City }, true},
	{"State", func(a *Address) *string { return &a.State }, true},
	{"Country", func(a *Address) *string { return &a.Country }, true},
	// Coordinates are Salesforce's geocoding: read, never written back.
	{"Latitude", func(a *Address) *string { return &a.Latitude }, false},
	{"Longitude", func(a *Address) *string { return &a.Longitude }, false},
}

func setAddressPart(a *Address, name, value string) {
	for _, p := range addressParts {
		if strings.HasSuffix(name, p.suffix) {
			*p.get(a) = value
			return
		}
	}
}

// writablePart returns the accessor of the address part a field writes.
func writablePart(name string) (func(*Address) *string, bool) {
	for _, p := range addressParts {
		if strings.HasSuffix(name, p.suffix) {
			return p.get, p.writable
		}
	}
	return nil, false
}

func setLocationPart(l *Location, name, value string) {
	name = strings.TrimSuffix(name, "__s")
	switch {
	case strings.HasSuffix(name, "Latitude"):
		l.Latitude = value
	case strings.HasSuffix(name, "Longitude"):
		l.Longitude = value
	}
}
