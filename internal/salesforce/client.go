package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client calls one org's REST API as one user. It is safe for concurrent use;
// make one per (org, user) connection and keep it.
type Client struct {
	cfg   Config
	oauth *OAuth
	hc    *http.Client
	grant Grant
	now   func() time.Time

	mu       sync.Mutex // guards tok and gen
	tok      Token
	gen      uint64 // bumped by every renewal
	renewals flight[struct{}]

	describes      ttlCache[SObjectDescribe]
	globalDescribe ttlCache[GlobalDescribe]
}

// New returns a client using tok, typically loaded from storage or returned
// by OAuth.Exchange. When the session expires the client renews it with
// tok.RefreshToken if there is one, else with grant (which may be nil: the
// call then fails with ErrNeedsReauth). A token with a refresh token and no
// access token is renewed before the first call.
func New(cfg Config, tok *Token, grant Grant) (*Client, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("configuring salesforce client: %w", err)
	}
	if tok == nil {
		return nil, errors.New("configuring salesforce client: no token: obtain one with OAuth (or use Connect with a Grant)")
	}
	if tok.AccessToken != "" {
		if err := checkBaseURL(tok.InstanceURL); err != nil {
			return nil, fmt.Errorf("configuring salesforce client: token instance URL: %w", err)
		}
	} else if tok.RefreshToken == "" && grant == nil {
		return nil, errors.New("configuring salesforce client: the token has neither an access token nor a refresh token, and there is no grant")
	}
	return newClient(cfg, newOAuth(cfg), *tok, grant), nil
}

// Connect obtains a session with grant, hands the token to cfg.OnToken, and
// returns a client that renews the session with the token's refresh token or,
// if it has none, with grant again.
func Connect(ctx context.Context, cfg Config, grant Grant) (*Client, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("configuring salesforce client: %w", err)
	}
	o := newOAuth(cfg)
	tok, err := grant(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("connecting to salesforce: %w", err)
	}
	c := newClient(cfg, o, *tok, grant)
	c.persist(ctx, tok)
	return c, nil
}

func newClient(cfg Config, o *OAuth, tok Token, grant Grant) *Client {
	return &Client{
		cfg:   cfg,
		oauth: o,
		hc:    countingClient(cfg.HTTPClient, cfg.Calls),
		grant: grant,
		now:   time.Now,
		tok:   tok,
	}
}

// Token returns a copy of the current token.
func (c *Client) Token() Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tok
}

// Budget returns the org API budget the client reports into.
func (c *Client) Budget() *Budget { return c.cfg.Budget }

// Calls returns the counter of requests the client sent.
func (c *Client) Calls() *CallCounter { return c.cfg.Calls }

// OAuth returns the client's OAuth helper (same login URL and app).
func (c *Client) OAuth() *OAuth { return c.oauth }

// dataPath returns the path of a REST resource of the configured version;
// rel starts with "/" (e.g. "/sobjects/Account").
func (c *Client) dataPath(rel string) string {
	return "/services/data/v" + c.cfg.APIVersion + rel
}

func (c *Client) session() (Token, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tok, c.gen
}

// renew replaces the session seen at generation seen, once, however many
// callers ask: the first runs the refresh or grant, the others wait for it,
// and callers that saw an older generation find it already replaced.
func (c *Client) renew(ctx context.Context, seen uint64) error {
	_, err := c.renewals.do(ctx, "session", func(ctx context.Context) (struct{}, error) {
		cur, gen := c.session()
		if gen != seen {
			return struct{}{}, nil
		}
		var tok *Token
		var err error
		switch {
		case cur.RefreshToken != "":
			tok, err = c.oauth.Refresh(ctx, cur.RefreshToken)
		case c.grant != nil:
			tok, err = c.grant(ctx, c.oauth)
		default:
			err = fmt.Errorf("%w: the session expired and the connection has no refresh token or grant to renew it", ErrNeedsReauth)
		}
		if errors.Is(err, ErrNeedsReauth) && c.cfg.OnRefused != nil {
			err = c.cfg.OnRefused(ctx, err)
		}
		if err != nil {
			return struct{}{}, err
		}
		if tok.RefreshToken == "" {
			tok.RefreshToken = cur.RefreshToken
		}
		c.mu.Lock()
		c.tok = *tok
		c.gen++
		c.mu.Unlock()
		c.cfg.Logger.DebugContext(ctx, "salesforce session renewed", "instance", tok.InstanceURL, "org", tok.OrgID())
		c.persist(ctx, tok)
		return struct{}{}, nil
	})
	return err
}

func (c *Client) persist(ctx context.Context, tok *Token) {
	if c.cfg.OnToken == nil {
		return
	}
	if err := c.cfg.OnToken(ctx, tok); err != nil {
		c.cfg.Logger.WarnContext(ctx, "salesforce token not persisted; the next restart will renew the session again",
			"org", tok.OrgID(), "err", err)
	}
}

// call is one REST request.
type call struct {
	method string
	path   string // absolute path, e.g. c.dataPath("/query")
	query  url.Values
	body   any // marshalled to JSON once, resent as is on retries
	// stream, when not nil, is the request body instead of body's JSON,
	// sent with contentType. An io.Seeker is rewound for each attempt; any
	// other reader can be sent once, so its call is neither retried nor
	// resent after a session renewal.
	stream      io.Reader
	contentType string
	header      http.Header
	// idempotent: sending it twice has the effect of sending it once, so a
	// dropped connection or gateway error may be retried.
	idempotent bool
}

// do sends cl with session renewal and retries. For a response below 400,
// handle (if not nil) reads the body; an error it returns from reading a
// broken connection is retried like a transport error. Responses of 400 and
// above become *APIError.
func (c *Client) do(ctx context.Context, cl call, handle func(*http.Response) error) error {
	var body []byte
	if cl.body != nil {
		var err error
		if body, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("encoding %s %s body: %w", cl.method, cl.path, err)
		}
	}
	policy := c.cfg.Retry
	renewed := false
	rewind, err := rewinder(cl.stream)
	if err != nil {
		return fmt.Errorf("preparing %s %s body: %w", cl.method, cl.path, err)
	}
	for attempt := 1; ; {
		tok, gen := c.session()
		if tok.AccessToken == "" && !renewed {
			renewed = true
			if err := c.renew(ctx, gen); err != nil {
				return fmt.Errorf("starting session: %w", err)
			}
			continue
		}
		if err := rewind(); err != nil {
			return fmt.Errorf("rewinding %s %s body: %w", cl.method, cl.path, err)
		}
		err := c.send(ctx, cl, body, tok, handle)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		if cl.stream != nil && !canResend(cl.stream) {
			return fmt.Errorf("%w (not sent again: the body is a plain io.Reader; give an io.ReadSeeker to allow retries)", err)
		}
		if isInvalidSession(err) && !renewed {
			renewed = true
			if rerr := c.renew(ctx, gen); rerr != nil {
				return fmt.Errorf("renewing session after %s %s: %w", cl.method, cl.path, rerr)
			}
			continue
		}
		if attempt >= policy.MaxAttempts || !retryable(err, cl.idempotent) {
			return err
		}
		delay := policy.Backoff(attempt)
		c.cfg.Logger.DebugContext(ctx, "salesforce call retried",
			"method", cl.method, "path", cl.path, "attempt", attempt, "delay", delay, "err", err)
		if policy.OnRetry != nil {
			policy.OnRetry(RetryEvent{Method: cl.method, Path: cl.path, Attempt: attempt, Delay: delay, Err: err})
		}
		if serr := sleep(ctx, delay); serr != nil {
			return err
		}
		attempt++
	}
}

// rewinder returns a function that puts a seekable stream back where it
// was, before each attempt; for no stream or a plain reader it does nothing.
func rewinder(stream io.Reader) (func() error, error) {
	seeker, ok := stream.(io.Seeker)
	if !ok {
		return func() error { return nil }, nil
	}
	start, err := seeker.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, err
	}
	return func() error { _, err := seeker.Seek(start, io.SeekStart); return err }, nil
}

// remaining returns how many bytes s holds after its current position.
func remaining(s io.Seeker) (int64, error) {
	cur, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	end, err := s.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	_, err = s.Seek(cur, io.SeekStart)
	return end - cur, err
}

// canResend reports whether a stream body can be sent again.
func canResend(stream io.Reader) bool {
	_, ok := stream.(io.Seeker)
	return ok
}

func isInvalidSession(err error) bool {
	ae, ok := errors.AsType[*APIError](err)
	return ok && ae.Status == http.StatusUnauthorized && (ae.hasCode(CodeInvalidSession) || ae.Code() == "")
}

// send makes one attempt.
func (c *Client) send(ctx context.Context, cl call, body []byte, tok Token, handle func(*http.Response) error) error {
	u := tok.InstanceURL + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var rd io.Reader
	switch {
	case cl.stream != nil:
		rd = struct{ io.Reader }{cl.stream} // hides Close: the transport must not close the caller's file
	case body != nil:
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u, rd)
	if err != nil {
		return fmt.Errorf("building %s %s: %w", cl.method, cl.path, err)
	}
	if seeker, ok := cl.stream.(io.Seeker); ok { // a known length saves chunked encoding
		if req.ContentLength, err = remaining(seeker); err != nil {
			return fmt.Errorf("measuring %s %s body: %w", cl.method, cl.path, err)
		}
	}
	for k, v := range cl.header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	switch {
	case cl.stream != nil:
		req.Header.Set("Content-Type", cl.contentType)
	case body != nil:
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cfg.CallClient != "" {
		req.Header.Set("Sforce-Call-Options", "client="+c.cfg.CallClient)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err // *url.Error already says method and URL
	}
	defer resp.Body.Close()
	c.observeLimits(ctx, resp.Header)
	if resp.StatusCode >= http.StatusBadRequest {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return decodeError(resp.StatusCode, cl.method, cl.path, b)
	}
	if handle != nil {
		if err := handle(resp); err != nil {
			return fmt.Errorf("reading %s %s response: %w", cl.method, cl.path, err)
		}
	}
	// Drain a little so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return nil
}

func (c *Client) observeLimits(ctx context.Context, h http.Header) {
	v := h.Get(LimitInfoHeader)
	if v == "" {
		return
	}
	u, err := ParseLimitInfo(v)
	if err != nil {
		c.cfg.Logger.DebugContext(ctx, "salesforce limit header ignored", "err", err)
		return
	}
	c.cfg.Budget.Update(u, c.now())
}

// decodeJSON returns a handle func that decodes the body into v.
func decodeJSON(v any) func(*http.Response) error {
	return func(resp *http.Response) error {
		dec := json.NewDecoder(resp.Body)
		dec.UseNumber()
		return dec.Decode(v)
	}
}

// getJSON GETs path and decodes the JSON answer into v.
func (c *Client) getJSON(ctx context.Context, path string, query url.Values, v any) error {
	return c.do(ctx, call{method: http.MethodGet, path: path, query: query, idempotent: true}, decodeJSON(v))
}

// sendJSON sends body with method and decodes the JSON answer into v (nil:
// the body is discarded).
func (c *Client) sendJSON(ctx context.Context, method, path string, body, v any, idempotent bool) error {
	var handle func(*http.Response) error
	if v != nil {
		handle = decodeJSON(v)
	}
	return c.do(ctx, call{method: method, path: path, body: body, idempotent: idempotent}, handle)
}

// resolveDataPath checks that a URL Salesforce handed us (nextRecordsUrl) is
// a path on the instance under /services/data/, so that the bearer token is
// never sent elsewhere, and splits it into path and query.
func resolveDataPath(p string) (string, url.Values, error) {
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/services/data/") {
		return "", nil, fmt.Errorf("salesforce returned %q where a /services/data/ path was expected", p)
	}
	return u.Path, u.Query(), nil
}
