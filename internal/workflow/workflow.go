package workflow

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/mapping"
)

// Version is the workflow format version this package reads.
const Version = 1

// Definition is a workflow as written: which Salesforce records belong in
// which sheet, how fields map, and what happens on changes and deletes. It
// is the document itself (no defaults filled in); Compile resolves it
// against the org into a Plan. It marshals to JSON in the same shape as the
// YAML, and Parse reads that JSON back.
type Definition struct {
	Version     int    `json:"version"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Org         string `json:"org"`
	Owner       string `json:"owner"`
	Enabled     bool   `json:"enabled"`

	Object    string            `json:"object"`
	Sheet     string            `json:"sheet"`
	Direction mapping.Direction `json:"direction"`

	// Country is the ISO code of the country whose phone numbers are
	// written without a country code.
	Country string `json:"country,omitempty"`
	// Timezone is the IANA time zone dates are shown and read in, and the
	// one relative dates (TODAY, LAST_N_DAYS:7) are evaluated in; it should
	// be the workflow owner's Salesforce time zone. Default UTC.
	Timezone string `json:"timezone,omitempty"`
	// WeekStart is the first day of the week for THIS_WEEK-style dates:
	// sunday (the default, Salesforce's en_US locale) or monday.
	WeekStart WeekStart `json:"week_start,omitempty"`

	When   *Condition `json:"when,omitempty"`
	Fields []Field    `json:"fields"`

	NoLongerMatching Unmatched `json:"no_longer_matching,omitempty"`
	Deletes          *Deletes  `json:"deletes,omitempty"`
	Outbound         *Outbound `json:"outbound,omitempty"`
	Conflicts        Conflict  `json:"conflicts,omitempty"`
	Schedule         *Schedule `json:"schedule,omitempty"`

	pos    positions       // where each key path is written
	broken map[string]bool // key paths that had a problem when read
}

// Field maps Salesforce fields to a sheet column, or gives a Salesforce
// field a fixed value.
type Field struct {
	// Salesforce is the field, a relationship path ("Account.Name"), or
	// several fields joined by a concat transform.
	Salesforce Paths `json:"salesforce"`
	// Column is the sheet column; empty when Value is set.
	Column string `json:"column,omitempty"`
	// Type is the column type; empty means the default for the field type.
	Type mapping.ColumnType `json:"type,omitempty"`
	// Direction is the way this field flows; zero means the workflow's.
	Direction mapping.Direction `json:"direction,omitempty"`
	// Transform is the chain of transforms, in the direction the field flows.
	Transform []*mapping.Step `json:"transform,omitempty"`
	// Value is a fixed value written to Salesforce (outbound), instead of a
	// column: plain data as written.
	Value any `json:"value,omitempty"`
}

// MarshalJSON writes the field in the shape a workflow file uses; a fixed
// value of false or 0 is kept.
func (f Field) MarshalJSON() ([]byte, error) {
	type plain Field
	out := struct {
		plain
		Value json.RawMessage `json:"value,omitempty"`
	}{plain: plain(f)}
	if f.Value != nil {
		b, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		out.Value = b
	}
	return json.Marshal(out)
}

// Paths is one or several Salesforce field paths; it marshals as a string
// when there is one.
type Paths []string

// MarshalJSON writes one path as a string, several as a list.
func (p Paths) MarshalJSON() ([]byte, error) {
	if len(p) == 1 {
		return json.Marshal(p[0])
	}
	return json.Marshal([]string(p))
}

// Unmatched says what happens to a row whose record stops matching the
// conditions.
type Unmatched string

const (
	// UnmatchedMark keeps the row and marks it as no longer matching (the default).
	UnmatchedMark Unmatched = "mark"
	// UnmatchedRemove deletes the row.
	UnmatchedRemove Unmatched = "remove"
)

// DeletePolicy says whether a delete on one side is applied to the other.
type DeletePolicy string

const (
	DeletePropagate DeletePolicy = "propagate"
	DeleteIgnore    DeletePolicy = "ignore"
)

// Deletes holds the delete policy each way: Inbound is a Salesforce record
// deleted (its row), Outbound a row deleted (its record).
type Deletes struct {
	Inbound  DeletePolicy `json:"inbound,omitempty"`
	Outbound DeletePolicy `json:"outbound,omitempty"`
}

// Operation is how rows reach Salesforce.
type Operation string

const (
	// OpCreate creates a record for each new row, then updates it when the row changes.
	OpCreate Operation = "create"
	// OpUpdate only updates existing records, found by Salesforce ID or by a key column.
	OpUpdate Operation = "update"
	// OpUpsert creates or updates by an External ID field.
	OpUpsert Operation = "upsert"
)

// Outbound says how rows are written to Salesforce.
type Outbound struct {
	Operation Operation `json:"operation"`
	// MatchBy is, for update, "id" (the row's linked record, the default)
	// or the name of a column whose field identifies the record.
	MatchBy string `json:"match_by,omitempty"`
	// ExternalID is, for upsert, the External ID field that decides
	// between creating and updating.
	ExternalID string `json:"external_id,omitempty"`
}

// MatchByID is the MatchBy value for the row's linked Salesforce ID.
const MatchByID = "id"

// Conflict is the policy when a field changed on both sides since the last
// sync.
type Conflict string

const (
	SalesforceWins Conflict = "salesforce_wins" // the default
	SheetWins      Conflict = "sheet_wins"
	NewestWins     Conflict = "newest_wins"
	ManualConflict Conflict = "manual" // keep both, and let someone choose
)

// WeekStart is the first day of a week.
type WeekStart string

const (
	Sunday WeekStart = "sunday"
	Monday WeekStart = "monday"
)

// Schedule overrides the org's timing for this workflow.
type Schedule struct {
	// PollEvery is how often Salesforce is polled for changes.
	PollEvery Duration `json:"poll_every,omitempty"`
	// RefreshFormulasEvery is how often the formula fields of synced
	// records are re-read (a formula changes without its record's
	// modification stamp moving).
	RefreshFormulasEvery Duration `json:"refresh_formulas_every,omitempty"`
}

// Minimum schedule intervals, to keep a workflow from eating the org's API
// budget.
const (
	MinPollEvery            = 30 * time.Second
	MinRefreshFormulasEvery = 5 * time.Minute
)

// Duration is a time.Duration written like "5m" or "1h30m".
type Duration time.Duration

// MarshalText writes the duration without zero units ("5m", not "5m0s").
func (d Duration) MarshalText() ([]byte, error) {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return []byte(s), nil
}
