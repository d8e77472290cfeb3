package sqlite

import (
	"fmt"

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
