package workflow

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/mapping"
)

var (
	slugRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	identRE   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	apiNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,79}$`)
	countryRE = regexp.MustCompile(`^[A-Z]{2}$`)
)

// fieldPathMax is the longest field path: a field and at most five
// relationships above it (SOQL's limit).
const fieldPathMax = 6

// Parse reads a workflow file, YAML or JSON, strictly: unknown keys, values
// of the wrong shape and values outside their set are all reported at once,
// each with its line and column, in a *ValidationError. Parse checks the
// file on its own; Compile checks it against the org.
//
// When the file parses but has problems, Parse returns the definition as
// far as it could read it along with the error, so that Load can go on and
// report the org-level problems too.
func Parse(data []byte) (*Definition, error) {
	d := &decoder{problems: problems{pos: positions{}}, broken: map[string]bool{}}
	root := parseYAML(data, &d.problems)
	if root == nil {
		return nil, d.err()
	}
	d.pos[""] = root.pos
	def := &Definition{pos: d.pos, broken: d.broken}
	if root.kind != nodeMap {
		d.fail("", CodeInvalidValue, "start with version: 1", "expected a map of workflow settings, found %s", root.kind)
		return def, d.err()
	}
	if !d.decodeVersion(root, def) {
		return def, d.err()
	}
	d.fields(root, "", []key{
		{name: "version", decode: func(*node, string) {}},
		{name: "name", required: true, decode: d.pattern(&def.Name, slugRE, "lower-case letters, digits, - and _, e.g. hot-leads")},
		{name: "description", decode: d.str(&def.Description)},
		{name: "org", required: true, decode: d.nonEmpty(&def.Org)},
		{name: "owner", required: true, decode: d.nonEmpty(&def.Owner)},
		{name: "enabled", decode: d.boolean(&def.Enabled)},
		{name: "object", required: true, decode: d.pattern(&def.Object, apiNameRE, "an object API name such as Lead or Invoice__c")},
		{name: "sheet", required: true, decode: d.pattern(&def.Sheet, identRE, "lower-case letters, digits and _, starting with a letter, e.g. hot_leads")},
		{name: "direction", required: true, decode: d.direction(&def.Direction)},
		{name: "country", decode: d.country(&def.Country)},
		{name: "timezone", decode: d.timezone(&def.Timezone)},
		{name: "week_start", decode: enum(d, &def.WeekStart, Sunday, Monday)},
		{name: "when", decode: func(n *node, p string) { def.When = d.decodeCondition(n, p) }},
		{name: "fields", required: true, decode: func(n *node, p string) { def.Fields = d.decodeFields(n, p) }},
		{name: "no_longer_matching", decode: enum(d, &def.NoLongerMatching, UnmatchedMark, UnmatchedRemove)},
		{name: "deletes", decode: func(n *node, p string) {
			def.Deletes = &Deletes{}
			d.fields(n, p, []key{
				{name: "inbound", decode: enum(d, &def.Deletes.Inbound, DeletePropagate, DeleteIgnore)},
				{name: "outbound", decode: enum(d, &def.Deletes.Outbound, DeletePropagate, DeleteIgnore)},
			})
		}},
		{name: "outbound", decode: func(n *node, p string) {
			def.Outbound = &Outbound{}
			d.fields(n, p, []key{
				{name: "operation", required: true, decode: enum(d, &def.Outbound.Operation, OpCreate, OpUpdate, OpUpsert)},
				{name: "match_by", decode: d.nonEmpty(&def.Outbound.MatchBy)},
				{name: "external_id", decode: d.pattern(&def.Outbound.ExternalID, apiNameRE, "a field API name such as Customer_Number__c")},
			})
		}},
		{name: "conflicts", decode: enum(d, &def.Conflicts, SalesforceWins, SheetWins, NewestWins, ManualConflict)},
		{name: "schedule", decode: func(n *node, p string) {
			def.Schedule = &Schedule{}
			d.fields(n, p, []key{
				{name: "poll_every", decode: d.duration(&def.Schedule.PollEvery, MinPollEvery)},
				{name: "refresh_formulas_every", decode: d.duration(&def.Schedule.RefreshFormulasEvery, MinRefreshFormulasEvery)},
			})
		}},
	})
	return def, d.err()
}

// decodeVersion checks the version key; a missing or unknown version stops
// the reading, since the rest of the file may follow another format.
func (d *decoder) decodeVersion(root *node, def *Definition) bool {
	v := root.get("version")
	if v == nil {
		d.fail("", CodeVersion, "add version: 1 at the top of the file", "missing version")
		return false
	}
	d.pos["version"] = v.pos
	n, err := strconv.Atoi(v.text)
	switch {
	case v.kind != nodeScalar || err != nil:
		d.fail("version", CodeVersion, "write version: 1", "version must be a number, found %q", v.text)
		return false
	case n != Version:
		d.fail("version", CodeVersion, fmt.Sprintf("this sfbridge reads version %d; upgrade sfbridge or rewrite the file", Version),
			"unsupported version %d", n)
		return false
	}
	def.Version = n
	return true
}

func (d *decoder) pattern(dst *string, re *regexp.Regexp, want string) func(*node, string) {
	return func(n *node, path string) {
		if !d.want(n, path, nodeScalar, "") {
			return
		}
		if !re.MatchString(n.text) {
			d.fail(path, CodeInvalidValue, "use "+want, "%q is not a valid %s", n.text, lastKey(path))
			return
		}
		*dst = n.text
	}
}

func (d *decoder) nonEmpty(dst *string) func(*node, string) {
	return func(n *node, path string) {
		if d.want(n, path, nodeScalar, "") {
			if strings.TrimSpace(n.text) == "" {
				d.fail(path, CodeInvalidValue, "", "%s is empty", lastKey(path))
				return
			}
			*dst = n.text
		}
	}
}

func (d *decoder) boolean(dst *bool) func(*node, string) {
	return func(n *node, path string) {
		if n.kind != nodeScalar || n.typ != scalarBool {
			d.fail(path, CodeInvalidValue, "write true or false", "expected true or false, found %q", n.text)
			return
		}
		*dst = n.text == "true"
	}
}

func (d *decoder) direction(dst *mapping.Direction) func(*node, string) {
	return func(n *node, path string) {
		var s string
		d.str(&s)(n, path)
		if s == "" {
			return
		}
		dir, err := mapping.ParseDirection(s)
		if err != nil {
			d.fail(path, CodeInvalidValue, "use inbound (Salesforce to sheet), outbound (sheet to Salesforce) or both",
				"%q is not a direction", s)
			return
		}
		*dst = dir
	}
}

func (d *decoder) country(dst *string) func(*node, string) {
	return func(n *node, path string) {
		if !d.want(n, path, nodeScalar, "") {
			return
		}
		known := mapping.PhoneCountries()
		if !countryRE.MatchString(n.text) || !slices.Contains(known, n.text) {
			d.fail(path, CodeInvalidValue, "use one of "+strings.Join(known, ", "),
				"%q is not a country whose phone numbering sfbridge knows", n.text)
			return
		}
		*dst = n.text
	}
}

func (d *decoder) timezone(dst *string) func(*node, string) {
	return func(n *node, path string) {
		if !d.want(n, path, nodeScalar, "") {
			return
		}
		if _, err := time.LoadLocation(n.text); err != nil || n.text == "" || n.text == "Local" {
			d.fail(path, CodeInvalidValue, "use an IANA name such as Europe/Paris or America/New_York", "%q is not a time zone", n.text)
			return
		}
		*dst = n.text
	}
}

func (d *decoder) duration(dst *Duration, least time.Duration) func(*node, string) {
	return func(n *node, path string) {
		if !d.want(n, path, nodeScalar, "") {
			return
		}
		v, err := time.ParseDuration(n.text)
		switch {
		case err != nil:
			d.fail(path, CodeInvalidValue, "write a duration such as 30s, 5m or 1h", "%q is not a duration", n.text)
		case v < least:
			d.fail(path, CodeInvalidValue, fmt.Sprintf("use %s or more, to spare the org's API budget", Duration(least).text()),
				"%s is too often", n.text)
		default:
			*dst = Duration(v)
		}
	}
}

func (d Duration) text() string {
	b, _ := d.MarshalText()
	return string(b)
}

// lastKey returns the last key of a path, for messages.
func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// decodeFields reads the fields list.
func (d *decoder) decodeFields(n *node, path string) []Field {
	if !d.want(n, path, nodeList, "[{salesforce: Email, column: email}]") {
		return nil
	}
	if len(n.items) == 0 {
		d.fail(path, CodeInvalidValue, "map at least one field", "no fields")
	}
	out := make([]Field, 0, len(n.items))
	for i, it := range n.items {
		p := index(path, i)
		d.pos[p] = it.pos
		out = append(out, d.decodeField(it, p))
	}
	return out
}

func (d *decoder) decodeField(n *node, path string) Field {
	var f Field
	hasValue := false
	d.fields(n, path, []key{
		{name: "salesforce", required: true, decode: func(v *node, p string) { f.Salesforce = d.decodePaths(v, p) }},
		{name: "column", decode: d.pattern(&f.Column, identRE, "lower-case letters, digits and _, starting with a letter, e.g. first_name")},
		{name: "type", decode: d.columnType(&f.Type)},
		{name: "direction", decode: d.direction(&f.Direction)},
		{name: "transform", decode: func(v *node, p string) { f.Transform = d.decodeSteps(v, p) }},
		{name: "value", decode: func(v *node, p string) {
			hasValue = true
			if v.kind != nodeScalar {
				d.fail(p, CodeInvalidValue, "give text, a number or true/false", "a fixed value must be a single value, found %s", v.kind)
				return
			}
			f.Value = v.plain()
		}},
	})
	if n.kind != nodeMap {
		return f
	}
	switch {
	case n.get("column") == nil && !hasValue:
		d.fail(path, CodeMissingKey, "map it to a column (column: name), or give it a fixed value (value: ...)", `missing "column"`)
	case n.get("column") != nil && hasValue:
		d.fail(child(path, "value"), CodeInvalidValue, `remove "value", or remove "column"`, "a field takes a column or a fixed value, not both")
	case hasValue && (f.Type != "" || f.Transform != nil):
		d.fail(child(path, "value"), CodeInvalidValue, `remove "type" and "transform"`, "a fixed value takes no column type and no transform")
	}
	return f
}

func (d *decoder) columnType(dst *mapping.ColumnType) func(*node, string) {
	return func(n *node, path string) {
		if !d.want(n, path, nodeScalar, "") {
			return
		}
		if t := mapping.ColumnType(n.text); t.Valid() {
			*dst = t
			return
		}
		names := make([]string, len(mapping.ColumnTypes))
		for i, c := range mapping.ColumnTypes {
			names[i] = string(c)
		}
		hint := didYouMean(n.text, names)
		if hint == "" {
			hint = "use one of: " + strings.Join(names, ", ")
		}
		d.fail(path, CodeInvalidValue, hint, "%q is not a column type", n.text)
	}
}

// decodePaths reads "Email", "Account.Owner.Name" or a list of such paths.
func (d *decoder) decodePaths(n *node, path string) Paths {
	var items []*node
	switch n.kind {
	case nodeScalar:
		items = []*node{n}
	case nodeList:
		if len(n.items) < 2 {
			d.fail(path, CodeInvalidValue, "write a single field without a list", "a list of fields needs at least two")
		}
		items = n.items
	default:
		d.want(n, path, nodeScalar, "Email, Account.Name or [FirstName, LastName]")
		return nil
	}
	var out Paths
	for i, it := range items {
		p := path
		if n.kind == nodeList {
			p = index(path, i)
			d.pos[p] = it.pos
		}
		if !d.want(it, p, nodeScalar, "") {
			continue
		}
		segs := strings.Split(it.text, ".")
		bad := len(segs) > fieldPathMax
		for _, s := range segs {
			bad = bad || !apiNameRE.MatchString(s)
		}
		if bad {
			d.fail(p, CodeInvalidValue, "write a field API name (Email), or a relationship path of at most 5 relationships (Account.Owner.Name)",
				"%q is not a field path", it.text)
			continue
		}
		out = append(out, it.text)
	}
	return out
}

// decodeSteps reads a transform list: each step is a bare name (trim) or a
// one-key map (format_date: DD/MM/YYYY).
func (d *decoder) decodeSteps(n *node, path string) []*mapping.Step {
	if !d.want(n, path, nodeList, "[trim, {phone: national}]") {
		return nil
	}
	out := make([]*mapping.Step, 0, len(n.items))
	for i, it := range n.items {
		p := index(path, i)
		d.pos[p] = it.pos
		var name string
		var arg any
		switch {
		case it.kind == nodeScalar:
			name = it.text
		case it.kind == nodeMap && len(it.keys) == 1:
			name, arg = it.keys[0], it.vals[0].plain()
		default:
			d.fail(p, CodeInvalidTransform, "write a name (trim) or one name with its argument (format_date: DD/MM/YYYY)",
				"expected a transform, found %s", describeNode(it))
			continue
		}
		s, err := mapping.NewStep(name, arg)
		if err != nil {
			hint := ""
			if !slices.Contains(mapping.StepNames(), name) {
				if hint = didYouMean(name, mapping.StepNames()); hint == "" {
					hint = "use one of: " + strings.Join(mapping.StepNames(), ", ")
				}
			}
			d.fail(p, CodeInvalidTransform, hint, "%s", strings.TrimPrefix(err.Error(), mapping.ErrBadStep.Error()+": "))
			continue
		}
		out = append(out, s)
	}
	return out
}

func describeNode(n *node) string {
	if n.kind == nodeMap {
		return fmt.Sprintf("a map with %d keys", len(n.keys))
	}
	return n.kind.String()
}

// ParseFile is Parse with the file name recorded in the error.
func ParseFile(name string, data []byte) (*Definition, error) {
	def, err := Parse(data)
	var ve *ValidationError
	if errors.As(err, &ve) {
		ve.File = name
	}
	return def, err
}
