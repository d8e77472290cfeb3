package sheet

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/store"
)

// Type is the type of a sheet column. Types follow Salesforce's field types,
// so a field maps onto a column without loss.
type Type string

// Column types.
const (
	TypeText          Type = "text"           // one line of text, up to 255 characters by default
	TypeLongText      Type = "long_text"      // text with line breaks, up to 131,072 characters
	TypeNumber        Type = "number"         // a decimal number
	TypeCurrency      Type = "currency"       // an amount, a number
	TypePercent       Type = "percent"        // a percentage as a number: 12.5 is 12.5%
	TypeCheckbox      Type = "checkbox"       // true or false, never empty
	TypeDate          Type = "date"           // a calendar date, 2006-01-02
	TypeDateTime      Type = "datetime"       // an instant, kept in UTC to the millisecond
	TypeTime          Type = "time"           // a time of day, 15:04:05.000
	TypePicklist      Type = "picklist"       // one value, from Values when they are set
	TypeMultiPicklist Type = "multi_picklist" // several values, stored "A;B;C" as Salesforce does
	TypeEmail         Type = "email"          // an email address
	TypePhone         Type = "phone"          // a phone number, free form
	TypeURL           Type = "url"            // a web address
	TypeAddress       Type = "address"        // a compound address, stored as JSON
	TypeReference     Type = "reference"      // a Salesforce record ID, or "#<row id>" of a row not yet in Salesforce
)

// Types lists every column type.
var Types = []Type{
	TypeText, TypeLongText, TypeNumber, TypeCurrency, TypePercent, TypeCheckbox, TypeDate, TypeDateTime,
	TypeTime, TypePicklist, TypeMultiPicklist, TypeEmail, TypePhone, TypeURL, TypeAddress, TypeReference,
}

// ParseType returns the type named s (as in Types, case-insensitively).
func ParseType(s string) (Type, error) {
	for _, t := range Types {
		if strings.EqualFold(string(t), strings.TrimSpace(s)) {
			return t, nil
		}
	}
	names := make([]string, len(Types))
	for i, t := range Types {
		names[i] = string(t)
	}
	return "", fmt.Errorf("%w: unknown type %q; use one of %s", ErrInvalidColumn, s, strings.Join(names, ", "))
}

// storage returns the storage type a column of type t is kept in.
func (t Type) storage() store.Type {
	switch t {
	case TypeNumber, TypeCurrency, TypePercent:
		return store.TypeDecimal
	case TypeCheckbox:
		return store.TypeBool
	case TypeDate:
		return store.TypeDate
	case TypeDateTime:
		return store.TypeDateTime
	case TypeTime:
		return store.TypeTime
	case TypeAddress:
		return store.TypeJSON
	default:
		return store.TypeText
	}
}

// defaultLength is the maximum number of characters of a text-like type, as
// in Salesforce; 0 for types without one.
func (t Type) defaultLength() int {
	switch t {
	case TypeText, TypePicklist, TypeURL:
		return 255
	case TypeLongText:
		return 131072
	case TypeMultiPicklist:
		return 4099
	case TypeEmail:
		return 80
	case TypePhone:
		return 40
	default:
		return 0
	}
}

func (t Type) isNumber() bool { return t == TypeNumber || t == TypeCurrency || t == TypePercent }

// Column is a named, typed column of a sheet.
type Column struct {
	// Name is what users see ("Account Name"): unique in its sheet,
	// ignoring case, and not one of the system column names.
	Name string `json:"name"`
	Type Type   `json:"type"`
	// Length is the most characters a text-like value may have; 0 is the
	// type's default (text 255, long text 131072, email 80, phone 40 ...).
	Length int `json:"length,omitempty"`
	// Precision and Scale bound numbers as Salesforce does: at most
	// Precision digits, Scale of them after the point; values are rounded
	// to Scale digits. Precision 0 leaves numbers unbounded.
	Precision int `json:"precision,omitempty"`
	Scale     int `json:"scale,omitempty"`
	// Values are the allowed values of a picklist or multi-picklist; empty
	// allows any. Values are matched ignoring case and stored as listed.
	Values []string `json:"values,omitempty"`
	// Target is what a reference points to: a Salesforce object ("Account")
	// or another sheet. Informational for now.
	Target string `json:"target,omitempty"`
	// Ident is the column's SQL identifier in the sheet's table, chosen
	// when the column is added; see the package documentation.
	Ident string `json:"-"`
}

// maxLength returns the most characters a value may have, 0 for no limit.
func (c *Column) maxLength() int {
	if c.Length > 0 {
		return c.Length
	}
	return c.Type.defaultLength()
}

// check reports what makes the column definition unusable.
func (c *Column) check() error {
	if reason := checkName(c.Name); reason != "" {
		return fmt.Errorf("%w: column name %q %s", ErrInvalidColumn, c.Name, reason)
	}
	if _, ok := systemByName(c.Name); ok {
		return fmt.Errorf("%w: %q is the name of a system column; choose another name", ErrInvalidColumn, c.Name)
	}
	if _, err := ParseType(string(c.Type)); err != nil {
		return fmt.Errorf("column %q: %w", c.Name, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: column %q (%s): %s", ErrInvalidColumn, c.Name, c.Type, fmt.Sprintf(format, args...))
	}
	if c.Length < 0 || c.Length > 0 && c.Type.defaultLength() == 0 {
		return bad("a length applies only to text-like types, and is positive")
	}
	if c.Precision < 0 || c.Scale < 0 || c.Scale > c.Precision || c.Precision > 18 {
		return bad("precision %d and scale %d: use 0 ≤ scale ≤ precision ≤ 18", c.Precision, c.Scale)
	}
	if c.Precision > 0 && !c.Type.isNumber() {
		return bad("precision and scale apply only to number, currency and percent")
	}
	if len(c.Values) > 0 && c.Type != TypePicklist && c.Type != TypeMultiPicklist {
		return bad("values apply only to picklist and multi_picklist")
	}
	seen := map[string]bool{}
	for _, v := range c.Values {
		switch {
		case strings.TrimSpace(v) != v || v == "":
			return bad("the value %q is empty or has spaces around it", v)
		case c.Type == TypeMultiPicklist && strings.Contains(v, ";"):
			return bad("the value %q has a ';', which separates the values of a multi-picklist", v)
		case seen[strings.ToLower(v)]:
			return bad("the value %q is listed twice", v)
		}
		seen[strings.ToLower(v)] = true
	}
	if c.Target != "" && c.Type != TypeReference {
		return bad("a target applies only to reference")
	}
	return nil
}

// checkName returns why s cannot name a sheet or a column, or "".
func checkName(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "is empty"
	case strings.TrimSpace(s) != s:
		return "has spaces at either end"
	case utf8.RuneCountInString(s) > 80:
		return "is longer than 80 characters"
	case !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "has control characters or invalid UTF-8"
	}
	return ""
}

// Sheet is a local table with typed columns. Its rows live in a real SQL
// table (Table), which users may also edit directly. A Sheet value is an
// immutable description, safe for concurrent use; AddColumns returns a new
// one.
type Sheet struct {
	ID        int64
	Name      string // unique, ignoring case
	Table     string // the SQL table's name
	Columns   []Column
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Column returns the column with the given name, ignoring case.
func (sh *Sheet) Column(name string) (Column, bool) {
	if i := sh.columnIndex(name); i >= 0 {
		return sh.Columns[i], true
	}
	return Column{}, false
}

func (sh *Sheet) columnIndex(name string) int {
	for i := range sh.Columns {
		if strings.EqualFold(sh.Columns[i].Name, name) {
			return i
		}
	}
	return -1
}

// columnNames lists the user columns, for error messages.
func (sh *Sheet) columnNames() string {
	names := make([]string, len(sh.Columns))
	for i, c := range sh.Columns {
		names[i] = fmt.Sprintf("%q", c.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Status is where a row stands with Salesforce.
type Status string

// Row statuses.
const (
	StatusPending  Status = "pending"  // changed here, waiting to be sent to Salesforce
	StatusSynced   Status = "synced"   // in step with Salesforce
	StatusFailed   Status = "failed"   // Salesforce refused the last change; see the row's error
	StatusConflict Status = "conflict" // changed on both sides; waiting for a decision
	StatusRemoved  Status = "removed"  // the record is gone from Salesforce; the row is kept, no longer synced
	// StatusDeleted: the row was deleted here and is kept, hidden, until
	// the delete reaches Salesforce. Queries that name no status leave
	// these rows out.
	StatusDeleted Status = "deleted"
)

// Statuses lists every row status.
var Statuses = []Status{StatusPending, StatusSynced, StatusFailed, StatusConflict, StatusRemoved, StatusDeleted}

// Origin tells who wrote a row last.
type Origin string

// Origins.
const (
	OriginSync Origin = "sync" // sfbridge, from Salesforce
	OriginUser Origin = "user" // a person: the console, the API, or direct SQL
)

// Row is one row of a sheet.
type Row struct {
	ID        int64  // stable, never reused
	SFID      string // the Salesforce record ID (18 characters), or ""
	Status    Status
	Error     string // the last error, for failed and conflict rows
	WrittenBy Origin
	CreatedAt time.Time
	UpdatedAt time.Time
	// Values are the row's values in the order of the sheet's Columns, in
	// their canonical Go form: string for text-like, temporal and
	// reference types, float64 for numbers, bool for checkboxes, []string
	// for multi-picklists, Address for addresses, nil when empty.
	Values []any
}
