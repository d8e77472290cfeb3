package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/access"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "sfbridge_session"

// authenticate finds who calls: a bearer token in the Authorization header,
// else the session cookie. A request with an Authorization header is judged
// by it alone, never by a cookie.
func (s *Server) authenticate(c *call) error {
	ctx := c.r.Context()
	var userID int64
	if h := c.r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || !strings.HasPrefix(secret, access.TokenPrefix) {
			return errorf(CodeAuthRequired, `The Authorization header must be "Bearer sfbp_…" with a personal API token.`)
		}
		tok, err := s.opts.Store.TokenByHash(ctx, access.HashSecret(secret))
		if errors.Is(err, ErrNotFound) || (err == nil && !tok.ExpiresAt.IsZero() && !s.now().Before(tok.ExpiresAt)) {
			return errorf(CodeAuthRequired, "This API token is unknown, revoked or expired. Create a new one at POST /api/v1/me/tokens.")
		}
		if err != nil {
			return fmt.Errorf("reading a token: %w", err)
		}
		userID, c.via = tok.UserID, "token"
	} else {
		ck, err := c.r.Cookie(SessionCookie)
		if err != nil {
			return errorf(CodeAuthRequired, "Sign in first (POST /api/v1/session), or send a personal API token as \"Authorization: Bearer sfbp_…\".")
		}
		hash := access.HashSecret(ck.Value)
		sess, err := s.opts.Store.SessionByHash(ctx, hash)
		if err == nil && !s.now().Before(sess.ExpiresAt) {
			if err := s.opts.Store.DeleteSession(ctx, hash); err != nil {
				return fmt.Errorf("deleting an expired session: %w", err)
			}
			err = ErrNotFound
		}
		if errors.Is(err, ErrNotFound) {
			return errorf(CodeAuthRequired, "Your session has expired or was ended. Sign in again.")
		}
		if err != nil {
			return fmt.Errorf("reading a session: %w", err)
		}
		userID, c.via = sess.UserID, "session"
	}
	u, err := s.opts.Store.User(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return errorf(CodeAuthRequired, "The account of this session or token no longer exists.")
	}
	if err != nil {
		return fmt.Errorf("reading the caller: %w", err)
	}
	list, err := s.opts.Store.Restricted(ctx)
	if err != nil {
		return fmt.Errorf("reading the restricted-access list: %w", err)
	}
	c.user = u
	c.actor = actorOf(u, list)
	return nil
}

// actorOf builds the access.Actor of a user. A token acts with its owner's
// roles as they are now, not as they were when it was created.
func actorOf(u User, list Restricted) access.Actor {
	return access.Actor{ID: u.ID, Roles: u.Roles, ListOn: list.On, OnList: list.has(u.ID)}
}

func (l Restricted) has(id int64) bool {
	for _, m := range l.Members {
		if m == id {
			return true
		}
	}
	return false
}

// startSession creates a session for u and sets its cookie.
func (s *Server) startSession(c *call, u User) error {
	secret, err := access.NewSecret("")
	if err != nil {
		return err
	}
	now := s.now()
	sess := Session{Hash: access.HashSecret(secret), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL)}
	if err := s.opts.Store.CreateSession(c.r.Context(), sess); err != nil {
		return fmt.Errorf("creating a session: %w", err)
	}
	http.SetCookie(c.w, &http.Cookie{
		Name: SessionCookie, Value: secret, Path: "/", Expires: sess.ExpiresAt,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	c.via = "session"
	return nil
}

// LoginRequest signs in with a login and a password.
type LoginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

func (s *Server) login(c *call) (any, error) {
	var in LoginRequest
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	u, err := s.opts.Store.UserByLogin(c.r.Context(), strings.TrimSpace(in.Login))
	hash := u.PasswordHash
	switch {
	case errors.Is(err, ErrNotFound):
		hash = s.dummyHash
	case err != nil:
		return nil, fmt.Errorf("reading user %q: %w", in.Login, err)
	}
	var ok bool
	verr := s.withHashSlot(c.r.Context(), func() (err error) {
		ok, err = access.VerifyPassword(hash, in.Password)
		return err
	})
	if verr != nil {
		return nil, fmt.Errorf("verifying the password of %q: %w", in.Login, verr)
	}
	if !ok || err != nil {
		return nil, errorf(CodeInvalidCredentials, "The login or the password is wrong.")
	}
	if err := s.startSession(c, u); err != nil {
		return nil, err
	}
	return s.me(c, u)
}

// logout ends the caller's session. With a token it does nothing: revoke the
// token instead.
func (s *Server) logout(c *call) (any, error) {
	if ck, err := c.r.Cookie(SessionCookie); err == nil && c.via == "session" {
		if err := s.opts.Store.DeleteSession(c.r.Context(), access.HashSecret(ck.Value)); err != nil {
			return nil, fmt.Errorf("ending the session: %w", err)
		}
	}
	http.SetCookie(c.w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return nil, nil
}

// SetupRequest creates the first system admin.
type SetupRequest struct {
	Login       string `json:"login"`
	DisplayName string `json:"display_name,omitempty"`
	Password    string `json:"password"`
}

// SetupStatus says whether first-run setup is still to be done.
type SetupStatus struct {
	Needed bool `json:"needed"`
}

func (s *Server) setupStatus(c *call) (any, error) {
	needed, err := s.setupNeeded(c)
	if err != nil {
		return nil, err
	}
	return SetupStatus{Needed: needed}, nil
}

// setupNeeded reports whether first-run setup is still to be done: no
// system admin can sign in with a password. Users the CLI created without
// a password (sfbridge org connect --as LOGIN) do not end it
// (docs/adr/0291-first-run-setup-adopts-cli-users.md).
func (s *Server) setupNeeded(c *call) (bool, error) {
	users, err := s.opts.Store.Users(c.r.Context())
	if err != nil {
		return false, fmt.Errorf("listing users: %w", err)
	}
	for _, u := range users {
		if u.Roles.Has(access.SystemAdmin) && u.PasswordHash != "" {
			return false, nil
		}
	}
	return true, nil
}

var errSetupDone = errorf(CodeSetupDone, "Setup was already done: sfbridge has a system admin. Sign in, or ask a system admin for an account.")

// setup creates the first system admin, only while no system admin can sign
// in, and signs them in. A user the CLI created without a password under
// the same login is adopted, with their connections.
func (s *Server) setup(c *call) (any, error) {
	var in SetupRequest
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	// Refuse before hashing once setup is done, so that anonymous requests
	// cannot make the server hash passwords; CreateFirstUser decides races.
	if needed, err := s.setupNeeded(c); err != nil {
		return nil, err
	} else if !needed {
		return nil, errSetupDone
	}
	nu, err := s.newUser(c, in.Login, in.DisplayName, in.Password, access.RolesOf(access.SystemAdmin))
	if err != nil {
		return nil, err
	}
	u, err := s.opts.Store.CreateFirstUser(c.r.Context(), nu,
		AuditEntry{Action: "setup", Subject: "user " + nu.Login, Detail: "first-run setup created the first system admin", At: s.now()})
	if errors.Is(err, ErrConflict) {
		return nil, errSetupDone
	}
	if err != nil {
		return nil, fmt.Errorf("creating the first user: %w", err)
	}
	if err := s.startSession(c, u); err != nil {
		return nil, err
	}
	return s.me(c, u)
}

// Limits on what people choose.
const (
	minPassword = 12
	maxPassword = 1024
	maxLogin    = 254
)

// newUser validates a new user's fields and hashes the password.
func (s *Server) newUser(c *call, login, displayName, password string, roles access.Roles) (NewUser, error) {
	login = strings.TrimSpace(login)
	var bad []FieldError
	switch n := utf8.RuneCountInString(login); {
	case n == 0:
		bad = append(bad, FieldError{"login", "is empty; give the person's login, usually their email address"})
	case n > maxLogin:
		bad = append(bad, FieldError{"login", fmt.Sprintf("has %d characters; use at most %d", n, maxLogin)})
	case strings.ContainsFunc(login, unicode.IsSpace):
		bad = append(bad, FieldError{"login", "contains a space; logins have none (use the person's email address)"})
	}
	switch n := utf8.RuneCountInString(password); {
	case n < minPassword:
		bad = append(bad, FieldError{"password", fmt.Sprintf("has %d characters; use at least %d", n, minPassword)})
	case len(password) > maxPassword:
		bad = append(bad, FieldError{"password", fmt.Sprintf("is over %d bytes", maxPassword)})
	}
	if len(bad) > 0 {
		return NewUser{}, invalid(bad...)
	}
	var hash string
	err := s.withHashSlot(c.r.Context(), func() (err error) {
		hash, err = s.opts.Password.HashPassword(password)
		return err
	})
	if err != nil {
		return NewUser{}, err
	}
	if displayName = strings.TrimSpace(displayName); displayName == "" {
		displayName = login
	}
	return NewUser{Login: login, DisplayName: displayName, PasswordHash: hash, Roles: roles}, nil
}
