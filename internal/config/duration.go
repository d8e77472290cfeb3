package config

import (
	"strconv"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// Duration is a time.Duration written as Go writes durations: "90s", "5m",
// "1h30m".
type Duration time.Duration

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String returns the duration as time.Duration prints it.
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML reads a duration, reporting a bad one at its position in
// the file.
func (d *Duration) UnmarshalYAML(n ast.Node) error {
	s, ok := n.(*ast.StringNode)
	if !ok {
		return &yaml.SyntaxError{Message: "expected a duration with its unit, such as 90s, 5m or 1h", Token: n.GetToken()}
	}
	v, err := time.ParseDuration(s.Value)
	if err != nil {
		return &yaml.SyntaxError{Message: "expected a duration with its unit, such as 90s, 5m or 1h, not " + strconv.Quote(s.Value), Token: n.GetToken()}
	}
	*d = Duration(v)
	return nil
}
