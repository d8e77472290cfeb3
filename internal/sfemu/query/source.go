package query

import (
	"iter"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// Source is the record store as the engine sees it. The org package
// implements it; the engine never imports org.
//
// Records are schema.Record values: the engine reads every field through
// its object (schema.Object.Value), so derived fields work. Record IDs are
// the 18-character form. Iterators must not allocate per record beyond what
// the store already holds: yield the stored records themselves.
type Source interface {
	// Registry is the schema the records follow.
	Registry() *schema.Registry
	// Lookup returns the record with the given 18-character ID, whatever
	// its object, or nil: a live one, or a deleted one too (still in the
	// recycle bin) when deleted is true (queryAll).
	Lookup(id string, deleted bool) schema.Record
	// Scan yields the records of object o: the live ones, and the deleted
	// ones too (still in the recycle bin) when deleted is true (queryAll).
	Scan(o *schema.Object, deleted bool) iter.Seq[schema.Record]
	// Children yields the records whose reference field f holds parentID
	// (the contacts of an account through Contact.AccountId), live only or
	// with the deleted ones.
	Children(f *schema.Field, parentID string, deleted bool) iter.Seq[schema.Record]
}

// IndexedSource is a Source that keeps ordered indexes on some fields
// (SystemModstamp, CreatedDate, Id, external IDs). The engine uses one when
// the query bounds or sorts by an indexed field, so that a sync query
// (WHERE SystemModstamp > X ORDER BY SystemModstamp, Id LIMIT 2000) reads
// only the records it returns instead of sorting the whole object.
type IndexedSource interface {
	Source
	// ScanRange yields the records of o whose value of field f is not null
	// and lies within r, ordered by (value, Id), ascending or descending.
	// ok is false when f has no index; the engine then scans.
	ScanRange(f *schema.Field, r Range, desc, deleted bool) (seq iter.Seq[schema.Record], ok bool)
}

// Range bounds the values of an indexed field. A nil bound is open; values
// are canonical (time.Time for SystemModstamp).
type Range struct {
	Low, High         any
	LowIncl, HighIncl bool
}

// Contains tells whether canonical value v lies within the range.
func (r Range) Contains(v any) bool {
	if v == nil {
		return false
	}
	if r.Low != nil {
		c := schema.Compare(v, r.Low)
		if c < 0 || c == 0 && !r.LowIncl {
			return false
		}
	}
	if r.High != nil {
		c := schema.Compare(v, r.High)
		if c > 0 || c == 0 && !r.HighIncl {
			return false
		}
	}
	return true
}

// Principal is who runs a query: what they may read and see, and how dates
// are evaluated for them. The org package implements it from its users and
// profiles.
type Principal interface {
	// UserID is the 18-character ID of the user (USING SCOPE mine).
	UserID() string
	// CanReadObject tells whether the user may query the object; an
	// unreadable object is an unknown object (INVALID_TYPE).
	CanReadObject(o *schema.Object) bool
	// CanReadField tells whether the user may read the field; an unreadable
	// field is an unknown field (INVALID_FIELD), as in Salesforce.
	CanReadField(f *schema.Field) bool
	// CanSee tells whether sharing lets the user see the record of object o.
	CanSee(o *schema.Object, r schema.Record) bool
	// Location is the user's time zone, for date literals and date
	// functions with convertTimezone.
	Location() *time.Location
	// Locale is the user's locale (en_US), for FORMAT().
	Locale() string
	// FiscalYearStart is the first month of the org's fiscal year.
	FiscalYearStart() time.Month
	// Now is the current time on the org's clock.
	Now() time.Time
}

// Options tune one query or search.
type Options struct {
	// APIVersion is the version in attributes.url ("60.0").
	APIVersion string
	// All includes deleted records, as the queryAll resource does.
	All bool
}
