// Package golden checks test output against golden files, for the tests of
// the emulator (internal/sfemu and its packages) and of internal/soql.
//
// A golden file holds the expected output of a test, byte for byte. Check
// compares the output with it; `go test -update` rewrites it instead, and
// the diff is reviewed like code. ReadCases reads the case files that drive
// table tests over SOQL and SOSL text: a "# name" line, then the input.
//
// It imports only the standard library and go-cmp, so that any test package
// may use it, including the internal tests of the packages that
// sfemutest itself imports (sfemu, auth, schema).
//
// Decision: docs/adr/0210-shared-golden-helper.md.
package golden
