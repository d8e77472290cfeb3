package api

import (
	"errors"
	"fmt"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// clientFor returns the caller's own Salesforce client.
func (s *Server) clientFor(c *call) (*salesforce.Client, error) {
	if s.opts.Connections == nil {
		return nil, errorf(CodeUnavailable, "This server has no Salesforce connections set up.")
	}
	conn, err := s.opts.Connections.ClientFor(c.r.Context(), c.actor.ID)
	if err != nil {
		return nil, salesforceError(err)
	}
	return conn, nil
}

// salesforceError maps a connection or Salesforce failure onto an API
// error; anything else stays internal.
func salesforceError(err error) error {
	var (
		apiErr  *salesforce.APIError
		refused *syncer.RefusedError
	)
	switch {
	case errors.Is(err, ErrNotConnected):
		return errorf(CodeNotConnected, "You have not linked your Salesforce identity to sfbridge, so nothing can be done in Salesforce as you. "+
			"Connect it with `sfbridge org connect ORG` (or ask an admin to), then try again.")
	case errors.As(err, &refused):
		return reconnectError(refused)
	case errors.Is(err, salesforce.ErrNeedsReauth):
		return errorf(CodeNeedsReauth, "Salesforce ended your connection and nothing can renew it ("+err.Error()+"). Connect again with `sfbridge org connect ORG`.")
	case errors.Is(err, salesforce.ErrLimitExceeded):
		return errorf(CodeSalesforceLimit, "The org has used its daily Salesforce API requests; try again once the limit resets.")
	case errors.As(err, &apiErr):
		return errorf(CodeSalesforceRefused, fmt.Sprintf("Salesforce refused the request: %v.", apiErr))
	}
	return err
}
