package recipe

// Canonical is canonical, for the tests' comparisons.
var Canonical = canonical
