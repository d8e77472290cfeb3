package api

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"crypto/rand"

	"github.com/sfbridge/sfbridge/internal/access"
)

// TokenRequest creates a personal API token.
type TokenRequest struct {
	Name string `json:"name"`
	// ExpiresInDays is the token's lifetime; 0 or absent: it never expires.
	ExpiresInDays int `json:"expires_in_days,omitempty"`
}

// TokenInfo is a personal API token without its secret.
type TokenInfo struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Hint      string     `json:"hint"` // "…" and the secret's last 4 characters
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// NewToken is a token just created: the only time its secret is shown.
type NewToken struct {
	TokenInfo
	// Token is the secret to send as "Authorization: Bearer <token>". It is
	// shown once; sfbridge keeps only its hash.
	Token string `json:"token"`
}

// TokenList is the caller's tokens.
type TokenList struct {
	Tokens []TokenInfo `json:"tokens"`
}

const (
	maxTokenName = 100
	maxTokenDays = 3650
)

func tokenInfo(t Token) TokenInfo {
	info := TokenInfo{ID: t.ID, Name: t.Name, Hint: "…" + t.Hint, CreatedAt: t.CreatedAt}
	if !t.ExpiresAt.IsZero() {
		info.ExpiresAt = &t.ExpiresAt
	}
	return info
}

func (s *Server) createToken(c *call) (any, error) {
	var in TokenRequest
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	var bad []FieldError
	if in.Name == "" || utf8.RuneCountInString(in.Name) > maxTokenName {
		bad = append(bad, FieldError{"name", fmt.Sprintf("must be 1 to %d characters; name the token after where you use it (\"CI\", \"laptop\")", maxTokenName)})
	}
	if in.ExpiresInDays < 0 || in.ExpiresInDays > maxTokenDays {
		bad = append(bad, FieldError{"expires_in_days", fmt.Sprintf("must be between 0 (never) and %d", maxTokenDays)})
	}
	if len(bad) > 0 {
		return nil, invalid(bad...)
	}
	secret, err := access.NewSecret(access.TokenPrefix)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("making a token id: %w", err)
	}
	now := s.now()
	t := Token{ID: "tok_" + hex.EncodeToString(id), UserID: c.actor.ID, Name: in.Name,
		Hash: access.HashSecret(secret), Hint: secret[len(secret)-4:], CreatedAt: now}
	if in.ExpiresInDays > 0 {
		t.ExpiresAt = now.AddDate(0, 0, in.ExpiresInDays)
	}
	if err := s.opts.Store.CreateToken(c.r.Context(), t, c.audit("token.create", "token "+t.ID, "created token "+fmt.Sprintf("%q", t.Name))); err != nil {
		return nil, fmt.Errorf("creating a token: %w", err)
	}
	return NewToken{TokenInfo: tokenInfo(t), Token: secret}, nil
}

func (s *Server) listTokens(c *call) (any, error) {
	tokens, err := s.opts.Store.Tokens(c.r.Context(), c.actor.ID)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	out := TokenList{Tokens: make([]TokenInfo, len(tokens))}
	for i, t := range tokens {
		out.Tokens[i] = tokenInfo(t)
	}
	return out, nil
}

func (s *Server) revokeToken(c *call) (any, error) {
	id := c.r.PathValue("token")
	err := s.opts.Store.DeleteToken(c.r.Context(), c.actor.ID, id, c.audit("token.revoke", "token "+id, "revoked"))
	if errors.Is(err, ErrNotFound) {
		return nil, errorf(CodeNotFound, fmt.Sprintf("You have no token %q; list yours with GET /api/v1/me/tokens.", id))
	}
	if err != nil {
		return nil, fmt.Errorf("revoking token %q: %w", id, err)
	}
	return nil, nil
}
