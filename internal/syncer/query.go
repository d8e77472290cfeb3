package syncer

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/soql"
)

// Fields every inbound read selects besides the workflow's own.
const (
	fieldID        = "Id"
	fieldModstamp  = "SystemModstamp"
	fieldIsDeleted = "IsDeleted"
)

// Source is what a workflow reads from Salesforce: one object, the fields
// its mapping needs (relationship paths such as Account.Owner.Name
// included, so that related values arrive in the same query, never a
// request per record), and the conditions a record must meet.
type Source struct {
	// Object is the sObject's API name.
	Object string
	// Fields are the field paths to select. Id and SystemModstamp are added
	// when missing.
	Fields []string
	// Where is the workflow's conditions; nil selects every record. The
	// initial load sends it to Salesforce; incremental reads evaluate it
	// in Go with Match, so that records which stop matching are seen.
	Where soql.Cond
	// Formulas are the calculated fields among Fields: Salesforce does not
	// move a record's SystemModstamp when only a formula's inputs on other
	// records change, so these are re-read on a schedule.
	Formulas []string
}

// selectList returns Id, SystemModstamp, then the source's other fields
// in order, each once (names compare case-insensitively, as Salesforce's
// do), then extra.
func (s Source) selectList(extra ...string) []string {
	out := []string{fieldID, fieldModstamp}
	for _, f := range slices.Concat(s.Fields, extra) {
		if !slices.ContainsFunc(out, func(g string) bool { return strings.EqualFold(f, g) }) {
			out = append(out, f)
		}
	}
	return out
}

// fingerprint identifies what the source reads, and the revision of the
// mapping applied to it: a change of object, fields, conditions or revision
// starts the stream over.
func (s Source) fingerprint(revision string) string {
	sum := sha256.Sum256([]byte(s.loadQuery(Start{}) + "\x00" + revision))
	return hex.EncodeToString(sum[:12])
}

// loadQuery reads the records that match the conditions, from start, in
// (SystemModstamp, Id) order.
func (s Source) loadQuery(start Start) string {
	return s.build(s.selectList(), and(s.Where, start.cond()), byModstamp)
}

// changesQuery reads every record changed from start, matching or not,
// deleted ones included (it is sent as queryAll), in (SystemModstamp, Id)
// order.
func (s Source) changesQuery(start Start) string {
	return s.build(s.selectList(fieldIsDeleted), start.cond(), byModstamp)
}

// floorQuery reads the object's latest SystemModstamp, deleted records
// included (sent as queryAll).
func (s Source) floorQuery() string {
	one := 1
	q := &soql.Query{
		Select:  selectItems([]string{fieldModstamp}),
		From:    s.Object,
		OrderBy: []soql.OrderItem{{Expr: field(fieldModstamp), Desc: true}},
		Limit:   &one,
	}
	return q.String()
}

// refreshQuery reads Id and the formula fields of the matching records
// whose Id is after afterID ("" for all), in Id order.
func (s Source) refreshQuery(afterID string) string {
	var after soql.Cond
	if afterID != "" {
		after = &soql.Comparison{Left: field(fieldID), Op: soql.OpGreater, Right: &soql.StringLit{Value: afterID}}
	}
	return s.build(append([]string{fieldID}, s.Formulas...), and(s.Where, after), []soql.OrderItem{{Expr: field(fieldID)}})
}

var byModstamp = []soql.OrderItem{{Expr: field(fieldModstamp)}, {Expr: field(fieldID)}}

func (s Source) build(fields []string, where soql.Cond, order []soql.OrderItem) string {
	q := &soql.Query{Select: selectItems(fields), From: s.Object, Where: where, OrderBy: order}
	return q.String()
}

// cond is SystemModstamp >= Second, or nil for the zero Start.
func (st Start) cond() soql.Cond {
	if st.Second.IsZero() {
		return nil
	}
	return modstampFrom(st.Second)
}

// modstampFrom is SystemModstamp >= t.
func modstampFrom(t time.Time) soql.Cond {
	return &soql.Comparison{Left: field(fieldModstamp), Op: soql.OpGreaterEqual, Right: &soql.DateTimeLit{Time: t.UTC()}}
}

// and joins the non-nil conditions with AND.
func and(conds ...soql.Cond) soql.Cond {
	var out []soql.Cond
	for _, c := range conds {
		if c != nil {
			out = append(out, c)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return &soql.Logic{Op: soql.And, Conds: out}
}

func field(path string) *soql.Field { return &soql.Field{Path: strings.Split(path, ".")} }

func selectItems(fields []string) []soql.SelectItem {
	items := make([]soql.SelectItem, len(fields))
	for i, f := range fields {
		items[i] = &soql.SelectExpr{Expr: field(f)}
	}
	return items
}
