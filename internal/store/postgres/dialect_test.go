package postgres

import (
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
	"github.com/sfbridge/sfbridge/internal/store"
)

// TestDialectGolden pins the SQL the dialect renders: column types and
// checks, and the trigger functions of each kind of store.Trigger (the
// conformance suite runs them; this file shows what they are). Run
// go test -update and review the diff after a change.
func TestDialectGolden(t *testing.T) {
	d := dialect{}
	var b strings.Builder
	b.WriteString("-- column types and checks\n")
	for _, ty := range []store.Type{store.TypeText, store.TypeInteger, store.TypeDecimal, store.TypeBool,
		store.TypeDate, store.TypeDateTime, store.TypeTime, store.TypeJSON} {
		b.WriteString(d.ColumnType(ty))
		if c := d.ColumnCheck(ty, `"c"`); c != "" {
			b.WriteString(" CHECK (" + c + ")")
		}
		b.WriteString("\n")
	}
	b.WriteString("-- row id: " + d.RowIDColumn() + "\n-- now: " + d.Now() + "\n-- contains: " + d.ContainsFold(`"name"`, "$1") + "\n")
	for _, tr := range []store.Trigger{
		{Name: "t_ins", Table: "items", Event: store.OnInsert, When: "NEW.v IS NOT NULL",
			Do: []string{"INSERT INTO events (what) VALUES ('insert ' || NEW.v)"}},
		{Name: "t_upd", Table: "items", Key: "id", Event: store.OnUpdate, When: "NEW.v IS DISTINCT FROM OLD.v",
			Set: []store.Assignment{{Column: "state", Value: "'touched'"}, {Column: "v", Value: "upper(NEW.v)"}},
			Do:  []string{"INSERT INTO events (what) VALUES (NEW.state)"}},
		{Name: "t_keep", Table: "items", Key: "id", Event: store.OnDelete, When: "EXISTS (SELECT 1 FROM links WHERE row_id = OLD.id)",
			Set: []store.Assignment{{Column: "state", Value: "'kept'"}}},
		{Name: "t_del", Table: "items", Event: store.OnDelete, Do: []string{"DELETE FROM events WHERE what = OLD.v"}},
		{Name: "t_dollar", Table: "items", Event: store.OnInsert, Do: []string{"INSERT INTO events (what) VALUES ($sfbridge$quoted$sfbridge$)"}},
	} {
		b.WriteString("\n-- trigger " + tr.Name + "\n")
		for _, s := range d.CreateTrigger(tr) {
			b.WriteString(s + ";\n")
		}
		for _, s := range d.DropTrigger(tr.Name, tr.Table) {
			b.WriteString(s + ";\n")
		}
	}
	golden.Check(t, "testdata/dialect.golden", []byte(b.String()))
}
