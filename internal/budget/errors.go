package budget

import (
	"errors"
	"fmt"
)

// ErrSpent means an org used the share of its daily API limit its budget
// allows: its workflows must wait until usage falls back below it.
var ErrSpent = errors.New("budget: the org's API budget is spent")

// SpentError says by how much an org's budget is spent. It matches
// ErrSpent.
type SpentError struct {
	Org                    string
	Used, Allowance, Limit int64
	SharePct               int
}

func (e *SpentError) Error() string {
	return fmt.Sprintf("org %q used %d of the %d daily API requests sfbridge may use (%d%% of the limit of %d)",
		e.Org, e.Used, e.Allowance, e.SharePct, e.Limit)
}

// Is matches ErrSpent.
func (e *SpentError) Is(target error) bool { return target == ErrSpent }
