package api

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Health is the answer of /healthz and /readyz.
type Health struct {
	Status string            `json:"status"`           // "ok"
	Checks map[string]string `json:"checks,omitempty"` // check name -> "ok"
}

func (s *Server) healthz(*call) (any, error) { return Health{Status: "ok"}, nil }

// readyTimeout bounds every readiness check.
const readyTimeout = 5 * time.Second

func (s *Server) readyz(c *call) (any, error) {
	ctx, cancel := context.WithTimeout(c.r.Context(), readyTimeout)
	defer cancel()
	out := Health{Status: "ok", Checks: map[string]string{}}
	var failed []string
	for _, ch := range s.opts.Checks {
		if err := ch.Check(ctx); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", ch.Name, err))
			continue
		}
		out.Checks[ch.Name] = "ok"
	}
	if len(failed) > 0 {
		slices.Sort(failed)
		return nil, errorf(CodeNotReady, "Not ready: "+strings.Join(failed, "; ")+".")
	}
	return out, nil
}
