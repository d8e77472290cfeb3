package web

import "embed"

// goSources are the package's Go files, for TestCatalogues to find the
// message keys the code uses.
//
//go:embed *.go
var goSources embed.FS
