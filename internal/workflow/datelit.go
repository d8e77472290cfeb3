package workflow

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/soql"
)

// dateLiteral is one of SOQL's relative dates (TODAY, LAST_N_DAYS:30 ...).
// Its range comes from internal/soql, the code the emulator evaluates them
// with, so that the workflow's Go evaluation and a SOQL query agree
// (docs/adr/0012-relative-date-literals.md, docs/adr/0061-conditions.md).
type dateLiteral struct {
	lit  *soql.DateLiteral
	text string // as SOQL writes it: "LAST_N_DAYS:30"
	week bool   // counts in weeks: the week's first day matters
}

// maxN bounds the n of LAST_N_DAYS:n and friends.
const maxN = 100_000

var errNotDateLiteral = errors.New("not a date literal")

// parseDateLiteral reads a relative date, case aside. It returns
// errNotDateLiteral for text that is not one (so the caller can try a
// plain date), and a descriptive error for a malformed or unsupported one.
func parseDateLiteral(s string) (dateLiteral, error) {
	name, arg, hasN := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), ":")
	ok, takesN := soql.IsDateLiteral(name)
	switch {
	case !ok:
		return dateLiteral{}, errNotDateLiteral
	case strings.Contains(name, "FISCAL"):
		return dateLiteral{}, fmt.Errorf("%s: fiscal periods depend on the org's fiscal year settings, which sfbridge does not read; use calendar periods (THIS_QUARTER ...)", s)
	case !takesN && hasN:
		return dateLiteral{}, fmt.Errorf("%s: %s takes no :n", s, name)
	}
	l := dateLiteral{lit: &soql.DateLiteral{Name: name}, text: name, week: strings.Contains(name, "WEEK")}
	if takesN {
		n, err := strconv.Atoi(arg)
		if !hasN || err != nil || n < 0 || n > maxN {
			return dateLiteral{}, fmt.Errorf("%s: write %s:n with n a whole number from 0 to %d, e.g. %s:30", s, name, maxN, name)
		}
		l.lit.N, l.text = n, name+":"+strconv.Itoa(n)
	}
	return l, nil
}

// bounds returns the instants [start, end) the literal covers at time now
// for a user in loc whose weeks start on weekStart; days, when set, gives
// the calendar days instead (as UTC midnights, how date values are held).
func (l dateLiteral) bounds(now time.Time, loc *time.Location, weekStart time.Weekday, days bool) (time.Time, time.Time) {
	shift := l.week && weekStart == time.Monday
	if shift {
		// soql counts weeks from Sunday: a Monday week is the Sunday week
		// of the day before, one day later.
		now = now.In(loc).AddDate(0, 0, -1)
	}
	var start, end time.Time
	if days {
		start, end, _ = l.lit.DayRange(now, loc, time.January)
	} else {
		start, end, _ = l.lit.Range(now, loc, time.January)
	}
	if shift {
		zone := loc
		if days {
			zone = time.UTC
		}
		start, end = start.In(zone).AddDate(0, 0, 1), end.In(zone).AddDate(0, 0, 1)
	}
	return start, end
}
