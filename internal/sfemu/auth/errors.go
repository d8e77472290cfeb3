package auth

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinels returned by the Server's Go API (not the HTTP endpoints, which
// answer with an *Error shaped the way Salesforce shapes it).
var (
	// ErrInvalidSession means the access token is unknown, revoked or
	// expired. The REST front answers 401 INVALID_SESSION_ID.
	ErrInvalidSession = errors.New("session expired or invalid")
	// ErrInvalidAuthHeader means the Authorization header is present but is
	// neither "Bearer <token>" nor "OAuth <token>". The REST front answers
	// 401 INVALID_AUTH_HEADER.
	ErrInvalidAuthHeader = errors.New("authorization header is not of type Bearer or OAuth")
	// ErrUnknownApp means no connected app has the given consumer key.
	ErrUnknownApp = errors.New("no connected app with this consumer key")
	// ErrUnknownToken means a token given to Revoke is neither a live access
	// token nor a live refresh token.
	ErrUnknownToken = errors.New("token is neither a live access token nor a live refresh token")
	// ErrUnsupportedSnapshot means Load was given a snapshot written by a
	// newer or unknown format version.
	ErrUnsupportedSnapshot = errors.New("unsupported auth snapshot version")
)

// Error is an OAuth error as Salesforce's token, revoke and authorize
// endpoints report it: an error code, a description, and the HTTP status
// (400 unless stated).
type Error struct {
	Code        string // e.g. "invalid_grant"
	Description string // e.g. "authentication failure"
	Status      int    // HTTP status; 0 means 400
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Description) }

func (e *Error) status() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// oauthErr builds an *Error with status 400.
func oauthErr(code, description string) *Error { return &Error{Code: code, Description: description} }

// The errors Salesforce's endpoints answer with, by name. Texts follow the
// recorded responses listed in docs/adr/0030-emulator-oauth-server.md.
var (
	errMustPost             = oauthErr("invalid_request", "must use HTTP POST")
	errGrantTypeMissing     = oauthErr("invalid_request", "grant type is missing")
	errUnsupportedGrant     = oauthErr("unsupported_grant_type", "grant type not supported")
	errClientID             = oauthErr("invalid_client_id", "client identifier invalid")
	errClientCredentials    = oauthErr("invalid_client", "invalid client credentials")
	errAuthFailure          = oauthErr("invalid_grant", "authentication failure")
	errExpiredToken         = oauthErr("invalid_grant", "expired access/refresh token")
	errInvalidCode          = oauthErr("invalid_grant", "invalid authorization code")
	errExpiredCode          = oauthErr("invalid_grant", "expired authorization code")
	errRedirectMismatch     = oauthErr("redirect_uri_mismatch", "redirect_uri must match configuration")
	errRedirectMissing      = oauthErr("redirect_uri_missing", "redirect_uri must be provided")
	errCodeVerifierMissing  = oauthErr("invalid_grant", "invalid code verifier")
	errCodeVerifierMismatch = oauthErr("invalid_request", "invalid code verifier")
	errInactiveUser         = oauthErr("inactive_user", "user is inactive")
	errNoRunAsUser          = oauthErr("invalid_grant", "no client credentials user enabled")
	errInvalidAssertion     = oauthErr("invalid_grant", "invalid assertion")
	errAudience             = oauthErr("invalid_grant", "audience is invalid")
	errAssertionExpired     = oauthErr("invalid_grant", "expired authorization code")
	errNotApproved          = oauthErr("invalid_grant", "user hasn't approved this consumer")
	errInvalidScope         = oauthErr("invalid_scope", "the requested scope is not allowed")
	errResponseType         = oauthErr("unsupported_response_type", "response type not supported")
	errChallengeMethod      = oauthErr("invalid_request", "invalid code challenge method")
	errAccessDenied         = oauthErr("access_denied", "end-user denied authorization")
	errImmediate            = oauthErr("immediate_unsuccessful", "immediate unsuccessful")
	errRevokeToken          = oauthErr("invalid_token", "invalid token")
	errNotAdminApproved     = oauthErr("invalid_app_access", "user is not admin approved to access this app")
)
