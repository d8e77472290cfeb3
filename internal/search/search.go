package search

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Object is one object searched and the fields shown for each record; the
// first field is the record's title. Fields may follow one relationship
// ("Account.Name").
type Object struct {
	Name   string
	Fields []string
}

// DefaultObjects are the objects and fields searched unless configured.
func DefaultObjects() []Object {
	return []Object{
		{Name: "Lead", Fields: []string{"Name", "Company", "Status"}},
		{Name: "Account", Fields: []string{"Name", "Type"}},
		{Name: "Contact", Fields: []string{"Name", "Account.Name"}},
		{Name: "Opportunity", Fields: []string{"Name", "StageName"}},
		{Name: "ContentDocument", Fields: []string{"Title", "FileType"}},
		{Name: "Report", Fields: []string{"Name", "FolderName"}},
		{Name: "Dashboard", Fields: []string{"Title", "FolderName"}},
		{Name: "Case", Fields: []string{"CaseNumber", "Subject", "Status"}},
	}
}

// DefaultTTL is how long a user's search results are reused.
const DefaultTTL = 5 * time.Minute

// DefaultPerObject is the most records returned per object.
const DefaultPerObject = 20

// Config is how an org searches.
type Config struct {
	// Objects are searched in this order; nil means DefaultObjects.
	Objects []Object
	// TTL is how long results are cached per user and term; 0 means
	// DefaultTTL, negative disables the cache.
	TTL time.Duration
	// PerObject caps the records of each object, 1 to 200; 0 means
	// DefaultPerObject.
	PerObject int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

var apiNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

func (c Config) withDefaults() Config {
	if c.Objects == nil {
		c.Objects = DefaultObjects()
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	if c.PerObject == 0 {
		c.PerObject = DefaultPerObject
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate checks the configuration without asking Salesforce.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if c.PerObject < 0 || c.PerObject > 200 {
		return bad("perObject %d is not between 1 and 200", c.PerObject)
	}
	seen := map[string]bool{}
	for i, o := range c.Objects {
		if !apiNameRE.MatchString(o.Name) {
			return bad("objects[%d]: %q is not an object API name such as Account or Project__c", i, o.Name)
		}
		if seen[strings.ToLower(o.Name)] {
			return bad("objects[%d]: %s is listed twice", i, o.Name)
		}
		seen[strings.ToLower(o.Name)] = true
		if len(o.Fields) == 0 {
			return bad("objects[%d] (%s): list at least one field to show", i, o.Name)
		}
		for j, f := range o.Fields {
			parts := strings.Split(f, ".")
			if len(parts) > 2 || !apiNameRE.MatchString(parts[0]) || (len(parts) == 2 && !apiNameRE.MatchString(parts[1])) {
				return bad("objects[%d] (%s) fields[%d]: %q is not a field or Relationship.Field", i, o.Name, j, f)
			}
		}
	}
	return nil
}

// Result is one search's answer, grouped by object.
type Result struct {
	Term string
	// Groups hold the objects with matches, in configured order.
	Groups []Group
	// Searched are the objects the user could search; configured objects
	// they cannot see are left out silently.
	Searched []string
	// At is when Salesforce answered (earlier than now when cached).
	At time.Time
}

// Group is the matches of one object.
type Group struct {
	Object string
	Label  string // plural label, e.g. "Accounts"
	Hits   []Hit
}

// Hit is one matching record.
type Hit struct {
	ID     string
	Title  string
	Fields []Value // the configured fields the user can read, title first
	URL    string  // opens the record in Salesforce (Lightning)
}

// Value is one shown field of a hit.
type Value struct {
	Field string
	Label string
	Value string
}

// RecordURL returns the Lightning URL of a record on an instance.
func RecordURL(instanceURL, object, id string) string {
	return strings.TrimSuffix(instanceURL, "/") + "/lightning/r/" + object + "/" + id + "/view"
}
