package auth

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// snapshotVersion is the format version Save writes.
const snapshotVersion = 1

// snapshot is what survives an emulator restart: connected apps, refresh
// tokens (as hashes) and users' approvals. Access tokens do not survive, so
// clients see 401 INVALID_SESSION_ID and refresh, as after a real session
// timeout.
type snapshot struct {
	Version       int            `json:"version"`
	Apps          []ConnectedApp `json:"apps"`
	RefreshTokens []refreshGrant `json:"refreshTokens"`
	Approvals     []approval     `json:"approvals"`
}

type approval struct {
	AppKey string   `json:"appKey"`
	UserID string   `json:"userId"`
	Scopes []string `json:"scopes"`
}

// Save writes the apps, refresh tokens and approvals as JSON.
func (s *Server) Save(w io.Writer) error {
	snap := snapshot{Version: snapshotVersion, Apps: s.Apps()}
	s.mu.Lock()
	for _, g := range s.refresh {
		snap.RefreshTokens = append(snap.RefreshTokens, *g)
	}
	for k, sc := range s.approvals {
		snap.Approvals = append(snap.Approvals, approval{k.AppKey, k.UserID, sc})
	}
	s.mu.Unlock()
	slices.SortFunc(snap.RefreshTokens, func(a, b refreshGrant) int { return strings.Compare(a.Hash, b.Hash) })
	slices.SortFunc(snap.Approvals, func(a, b approval) int {
		return strings.Compare(a.AppKey+"\x00"+a.UserID, b.AppKey+"\x00"+b.UserID)
	})
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(snap); err != nil {
		return fmt.Errorf("saving OAuth state: %w", err)
	}
	return nil
}

// Load replaces the apps, refresh tokens and approvals with what Save
// wrote, and drops every live access token and browser login.
func (s *Server) Load(r io.Reader) error {
	var snap snapshot
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&snap); err != nil {
		return fmt.Errorf("loading OAuth state: %w", err)
	}
	if snap.Version != snapshotVersion {
		return fmt.Errorf("loading OAuth state: version %d: %w (this build reads version %d)",
			snap.Version, ErrUnsupportedSnapshot, snapshotVersion)
	}
	apps := map[string]*ConnectedApp{}
	for _, a := range snap.Apps {
		if err := a.validate(); err != nil {
			return fmt.Errorf("loading OAuth state: %w", err)
		}
		apps[a.ConsumerKey] = &a
	}
	refresh := map[string]*refreshGrant{}
	for _, g := range snap.RefreshTokens {
		if _, ok := apps[g.AppKey]; !ok {
			return fmt.Errorf("loading OAuth state: refresh token of unknown connected app %q", g.AppKey)
		}
		refresh[g.Hash] = &g
	}
	approvals := map[approvalKey][]string{}
	for _, a := range snap.Approvals {
		approvals[approvalKey{a.AppKey, a.UserID}] = a.Scopes
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps, s.refresh, s.approvals = apps, refresh, approvals
	clear(s.sessions)
	clear(s.codes)
	clear(s.browsers)
	return nil
}
