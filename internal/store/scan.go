package store

import (
	"fmt"
	"time"
)

// anyTime scans a timestamp that may be NULL, and that the driver returns
// as a time.Time when it knows the column's type, or as text when it does
// not (an aggregate over a timestamp column on SQLite).
type anyTime struct{ t time.Time }

// Scan implements sql.Scanner.
func (a *anyTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		a.t = time.Time{}
		return nil
	case time.Time:
		a.t = x.UTC()
		return nil
	case []byte:
		v = string(x)
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("a %T is not a timestamp", v)
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			a.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("%q is not a timestamp", s)
}
