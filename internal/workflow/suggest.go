package workflow

import (
	"strconv"
	"strings"
)

// didYouMean returns `did you mean "X"?` for the candidate closest to
// name, or "" when none is close enough to be a likely typo.
func didYouMean(name string, candidates []string) string {
	if best := closest(name, candidates); best != "" {
		return "did you mean " + strconv.Quote(best) + "?"
	}
	return ""
}

// closest returns the candidate nearest to name: equal ignoring case, or
// within a few edits (one for short names, two, three for long ones),
// counting a swap of two neighbours as one edit.
func closest(name string, candidates []string) string {
	lname := strings.ToLower(name)
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if lc == lname {
			return c
		}
		if d := editDistance(lname, lc); d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := 1
	switch n := len([]rune(name)); {
	case n > 8:
		limit = 3
	case n > 3:
		limit = 2
	}
	if bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b,
// in runes: insertions, deletions, substitutions and swaps of neighbours.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
