package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// ErrNotConnected is what [Connections] returns for a person who has not
// linked a Salesforce identity; the API answers salesforce.not_connected.
var ErrNotConnected = errors.New("api: no Salesforce connection")

// Connections gives the Salesforce client of a signed-in person, so that
// activity logging, search and list views act with their own connection and
// Salesforce's sharing and field permissions apply. `sfbridge serve` supplies
// [StoreConnections] over the store and syncer.StoreConnector.
type Connections interface {
	// ClientFor returns the client of userID's own connection. A person
	// with none fails with an error matching ErrNotConnected; a connection
	// that must be authorized again, salesforce.ErrNeedsReauth (a
	// *syncer.RefusedError from StoreConnections, as are the client's calls
	// Salesforce refuses).
	ClientFor(ctx context.Context, userID int64) (*salesforce.Client, error)
}

// Connector builds the client of one user's connection to one org;
// syncer.StoreConnector is one (it caches clients and stores renewed
// tokens).
type Connector interface {
	Client(ctx context.Context, orgID, userID int64) (*salesforce.Client, error)
}

// StoreConnections returns the [Connections] that finds a person's
// connection in st and has connector build its client. A person connected
// to several orgs acts in the first by org name.
func StoreConnections(st *store.Store, connector Connector) Connections {
	return storeConnections{st: st, connector: connector}
}

type storeConnections struct {
	st        *store.Store
	connector Connector
}

func (s storeConnections) ClientFor(ctx context.Context, userID int64) (*salesforce.Client, error) {
	orgs, err := s.st.Orgs().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing orgs: %w", err)
	}
	for _, o := range orgs {
		_, err := s.st.Connections().ForUser(ctx, o.ID, userID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return s.connector.Client(ctx, o.ID, userID)
	}
	return nil, fmt.Errorf("user %d: %w", userID, ErrNotConnected)
}

// reconnectError is the answer to a call Salesforce refused because the
// caller's connection must be authorized again: where to reconnect. The
// connector has marked the connection and told its owner and the admins
// (syncer.StoreConnector.Tell).
func reconnectError(e *syncer.RefusedError) *Error {
	return errorf(CodeNeedsReauth, fmt.Sprintf("Salesforce refused your connection to org %q (%v). Reconnect on /orgs/%d, then try again.",
		e.Org, e.Err, e.OrgID))
}
