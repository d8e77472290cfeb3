package sfemu

import (
	"fmt"
	"strconv"
	"strings"
)

// The REST API versions the emulator serves.
const (
	MinVersion = 31 // Summer '14
	MaxVersion = 66 // Spring '26
)

// version is a REST API major version (the ".0" is implied: Salesforce has
// never shipped another minor).
type version int

// parseVersion reads "v60.0" (the path segment) into 60; ok is false for
// anything else or a version the emulator does not serve.
func parseVersion(segment string) (version, bool) {
	s, ok := strings.CutPrefix(segment, "v")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, ".0")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < MinVersion || n > MaxVersion || strconv.Itoa(n) != s {
		return 0, false
	}
	return version(n), true
}

func (v version) String() string { return strconv.Itoa(int(v)) + ".0" }

// base is the version's REST root, "/services/data/v60.0".
func (v version) base() string { return "/services/data/v" + v.String() }

// label is the release name: v20.0 was Winter '11, and each release since
// added one (Winter, Spring, Summer; Winter is named after the next year).
func (v version) label() string {
	n := int(v) - 20
	season := [...]string{"Winter", "Spring", "Summer"}[n%3]
	return fmt.Sprintf("%s '%02d", season, 11+n/3)
}

// versionInfo is one entry of GET /services/data/.
type versionInfo struct {
	Version string `json:"version"`
	URL     string `json:"url"`
	Label   string `json:"label"`
}

func versions() []versionInfo {
	out := make([]versionInfo, 0, MaxVersion-MinVersion+1)
	for v := version(MinVersion); v <= MaxVersion; v++ {
		out = append(out, versionInfo{Version: v.String(), URL: v.base(), Label: v.label()})
	}
	return out
}
