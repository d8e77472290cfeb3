package sqlite

import (
	"fmt"
	"strings"

	"github.com/sfbridge/sfbridge/internal/store"
)

// dialect is SQLite's SQL. User tables are STRICT, so a column holds only
// values of its declared type; temporal and JSON values are text whose form
// CHECK constraints enforce.
type dialect struct{}

func (dialect) ColumnType(t store.Type) string {
	switch t {
	case store.TypeInteger, store.TypeBool:
		return "INTEGER"
	case store.TypeDecimal:
		return "REAL"
	default:
		return "TEXT"
	}
}

func (dialect) ColumnCheck(t store.Type, col string) string {
	switch t {
	case store.TypeBool:
		return col + " IN (0, 1)"
	case store.TypeDate:
		return fmt.Sprintf("date(%s) IS %[1]s", col)
	case store.TypeDateTime:
		return fmt.Sprintf("strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', %s) IS %[1]s", col)
	case store.TypeTime:
		return fmt.Sprintf("strftime('%%H:%%M:%%f', %s) IS %[1]s", col)
	case store.TypeJSON:
		return fmt.Sprintf("json_valid(%s)", col)
	default:
		return ""
	}
}

func (dialect) TableOptions() string { return " STRICT" }

func (dialect) RowIDColumn() string { return "INTEGER PRIMARY KEY AUTOINCREMENT" }

func (dialect) Now() string { return "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')" }

func (dialect) ContainsFold(expr, param string) string {
	return fmt.Sprintf(`%s LIKE '%%' || %s || '%%' ESCAPE '\'`, expr, param)
}

// CreateTrigger renders t as one SQLite trigger. Set on an update runs as an
// UPDATE of the row in an AFTER trigger (SQLite's triggers cannot assign to
// NEW); a delete with Set is a BEFORE trigger that updates the row and then
// skips its deletion with RAISE(IGNORE). The driver leaves recursive_triggers
// off, so the trigger's own UPDATE does not fire it again.
func (dialect) CreateTrigger(t store.Trigger) []string {
	q := store.QuoteIdent
	keep := t.Event == store.OnDelete && len(t.Set) > 0
	timing := "AFTER"
	if keep {
		timing = "BEFORE"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TRIGGER %s %s %s ON %s FOR EACH ROW", q(t.Name), timing, t.Event, q(t.Table))
	if t.When != "" {
		fmt.Fprintf(&b, " WHEN (%s)", t.When)
	}
	b.WriteString(" BEGIN\n")
	if len(t.Set) > 0 {
		row := "NEW"
		if keep {
			row = "OLD"
		}
		sets := make([]string, len(t.Set))
		for i, a := range t.Set {
			sets[i] = q(a.Column) + " = " + a.Value
		}
		fmt.Fprintf(&b, "\tUPDATE %s SET %s WHERE %s = %s.%[3]s;\n", q(t.Table), strings.Join(sets, ", "), q(t.Key), row)
	}
	for _, s := range t.Do {
		fmt.Fprintf(&b, "\t%s;\n", s)
	}
	if keep {
		b.WriteString("\tSELECT RAISE(IGNORE);\n")
	}
	b.WriteString("END")
	return []string{b.String()}
}

func (dialect) DropTrigger(name, _ string) []string {
	return []string{"DROP TRIGGER IF EXISTS " + store.QuoteIdent(name)}
}
