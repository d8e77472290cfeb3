package salesforce

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

const accountJSON = `{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/001B000000UnQ2vIAF"},"Id":"001B000000UnQ2vIAF","Name":"Edge Communications"}`

func TestRetriesTransientErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		method    string
		failures  []string // bodies of failing answers, then success
		status    int
		wantCalls int64
		wantOK    bool
	}{
		{"503 then ok", "GET", []string{`[{"errorCode":"SERVER_UNAVAILABLE","message":"busy"}]`}, 503, 2, true},
		{"500 unknown twice then ok", "GET", []string{`[{"errorCode":"UNKNOWN_EXCEPTION","message":"x"}]`, `[{"errorCode":"UNKNOWN_EXCEPTION","message":"x"}]`}, 500, 3, true},
		{"lock row then ok on POST", "POST", []string{`[{"errorCode":"UNABLE_TO_LOCK_ROW","message":"unable to obtain exclusive access to this record"}]`}, 400, 2, true},
		{"503 beyond max attempts", "GET", []string{"[]", "[]", "[]"}, 503, 3, false},
		{"validation not retried", "POST", []string{`[{"errorCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [Name]","fields":["Name"]}]`}, 400, 1, false},
		{"limit not retried", "GET", []string{`[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]`}, 403, 1, false},
		{"502 on POST not retried", "POST", []string{`Bad Gateway`}, 502, 1, false},
		{"502 on GET retried", "GET", []string{`Bad Gateway`}, 502, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := newOrg(t)
			var n atomic.Int64
			handler := func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				if i < len(tt.failures) {
					writeJSON(w, tt.status, tt.failures[i])
					return
				}
				if r.Method == "POST" {
					writeJSON(w, 201, `{"id":"001B000000UnQ2vIAF","success":true,"errors":[]}`)
				} else {
					writeJSON(w, 200, accountJSON)
				}
			}
			o.HandleFunc("GET "+restPath+"/sobjects/Account/001B000000UnQ2vIAF", handler)
			o.HandleFunc("POST "+restPath+"/sobjects/Account", handler)
			var events []RetryEvent
			cfg := o.config()
			cfg.Retry.OnRetry = func(e RetryEvent) { events = append(events, e) }
			c := o.client(t, cfg, nil)
			var err error
			if tt.method == "GET" {
				_, err = c.Retrieve(t.Context(), "Account", "001B000000UnQ2vIAF")
			} else {
				_, err = c.Create(t.Context(), "Account", NewRecord("").Set("Name", "Acme"))
			}
			if (err == nil) != tt.wantOK {
				t.Fatalf("err = %v, want success %t", err, tt.wantOK)
			}
			if got := c.Calls().API(); got != tt.wantCalls {
				t.Errorf("API calls = %d, want %d", got, tt.wantCalls)
			}
			if len(events) != int(tt.wantCalls)-1 {
				t.Errorf("OnRetry called %d times, want %d", len(events), tt.wantCalls-1)
			}
			for i, e := range events {
				if e.Attempt != i+1 || e.Err == nil || e.Delay <= 0 || e.Method != tt.method {
					t.Errorf("retry event %d = %+v", i, e)
				}
			}
			if !tt.wantOK {
				if _, ok := errors.AsType[*APIError](err); !ok {
					t.Errorf("err = %T %v, want *APIError", err, err)
				}
			}
		})
	}
}

func TestDroppedConnection(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	var gets, posts atomic.Int64
	o.HandleFunc("GET "+restPath+"/sobjects/Account/001B000000UnQ2vIAF", func(w http.ResponseWriter, r *http.Request) {
		if gets.Add(1) == 1 {
			dropConnection(t, w)
			return
		}
		writeJSON(w, 200, accountJSON)
	})
	o.HandleFunc("POST "+restPath+"/sobjects/Account", func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		dropConnection(t, w)
	})
	c := o.client(t, o.config(), nil)
	rec, err := c.Retrieve(t.Context(), "Account", "001B000000UnQ2vIAF")
	if err != nil || rec.ID() != "001B000000UnQ2vIAF" {
		t.Fatalf("GET after a dropped connection = %v, %v; want it retried", rec, err)
	}
	_, err = c.Create(t.Context(), "Account", NewRecord("").Set("Name", "Acme"))
	if err == nil {
		t.Fatal("POST succeeded against a server that drops every connection")
	}
	if !IsTransient(err) {
		t.Errorf("dropped POST: IsTransient(%v) = false", err)
	}
	if posts.Load() != 1 {
		t.Errorf("a create whose connection dropped was sent %d times, want 1 (it may have been applied)", posts.Load())
	}
}

// renewalOrg serves a record that needs the token "00Dx!new" and, unless
// tokenAnswer is nil, a token endpoint that answers after release is closed.
func renewalOrg(t *testing.T, release <-chan struct{}, tokenAnswer func(o *org) (int, string)) (o *org, tokenCalls, unauthorized *atomic.Int64) {
	o = newOrg(t)
	tokenCalls, unauthorized = new(atomic.Int64), new(atomic.Int64)
	if tokenAnswer != nil {
		o.HandleFunc("POST /services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
			tokenCalls.Add(1)
			<-release
			status, body := tokenAnswer(o)
			writeJSON(w, status, body)
		})
	}
	o.HandleFunc("GET "+restPath+"/sobjects/Account/001B000000UnQ2vIAF", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer 00Dx!new" {
			w.Header().Set("WWW-Authenticate", "Token")
			writeJSON(w, 401, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
			unauthorized.Add(1)
			return
		}
		writeJSON(w, 200, accountJSON)
	})
	return o, tokenCalls, unauthorized
}

func TestSessionRenewalIsSingleFlight(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	o, tokenCalls, unauthorized := renewalOrg(t, release, func(o *org) (int, string) { return 200, o.tokenBody("00Dx!new", false) })
	var persisted []Token
	var mu sync.Mutex
	cfg := o.config()
	cfg.OnToken = func(_ context.Context, tok *Token) error {
		mu.Lock()
		defer mu.Unlock()
		persisted = append(persisted, *tok)
		return nil
	}
	c, err := New(cfg, &Token{AccessToken: "00Dx!old", RefreshToken: "5Aep861", InstanceURL: o.srv.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const callers = 10
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			if _, err := c.Retrieve(t.Context(), "Account", "001B000000UnQ2vIAF"); err != nil {
				t.Error(err)
			}
		})
	}
	// The refresh is held until every caller has had its 401, so that they
	// ask for a renewal while it is in flight.
	waitFor(t, func() bool { return unauthorized.Load() == callers })
	close(release)
	wg.Wait()
	if got := tokenCalls.Load(); got != 1 {
		t.Errorf("%d concurrent 401s caused %d token requests, want 1", callers, got)
	}
	if got := c.Calls().API(); got != 2*callers {
		t.Errorf("API calls = %d, want %d (one 401 and one retry each)", got, 2*callers)
	}
	if len(persisted) != 1 || persisted[0].AccessToken != "00Dx!new" || persisted[0].RefreshToken != "5Aep861" {
		t.Errorf("persisted %+v, want the new token once, refresh token kept", persisted)
	}
	if tok := c.Token(); tok.AccessToken != "00Dx!new" {
		t.Errorf("current token = %q", tok.AccessToken)
	}
}

func TestSessionRenewalFailures(t *testing.T) {
	t.Parallel()
	released := make(chan struct{})
	close(released)
	tests := []struct {
		name       string
		tok        Token
		grant      Grant
		answer     func(o *org) (int, string)
		wantReauth bool
		wantCode   string
	}{
		{
			name: "revoked refresh token",
			tok:  Token{AccessToken: "00Dx!old", RefreshToken: "revoked"},
			answer: func(*org) (int, string) {
				return 400, `{"error":"invalid_grant","error_description":"expired access/refresh token"}`
			},
			wantReauth: true, wantCode: "invalid_grant",
		},
		{
			name:       "no refresh token and no grant",
			tok:        Token{AccessToken: "00Dx!old"},
			wantReauth: true,
		},
		{
			name:     "new token refused too",
			tok:      Token{AccessToken: "00Dx!old", RefreshToken: "5Aep861"},
			answer:   func(o *org) (int, string) { return 200, o.tokenBody("00Dx!still-bad", false) },
			wantCode: CodeInvalidSession,
		},
		{
			name:  "grant refused",
			tok:   Token{AccessToken: "00Dx!old"},
			grant: PasswordGrant("ada@example.com", "wrong"),
			answer: func(*org) (int, string) {
				return 400, `{"error":"invalid_grant","error_description":"authentication failure"}`
			},
			wantReauth: true, wantCode: "invalid_grant",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, tokenCalls, _ := renewalOrg(t, released, tt.answer)
			tok := tt.tok
			tok.InstanceURL = o.srv.URL
			c, err := New(o.config(), &tok, tt.grant)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Retrieve(t.Context(), "Account", "001B000000UnQ2vIAF")
			if got := errors.Is(err, ErrNeedsReauth); got != tt.wantReauth {
				t.Errorf("err = %v; errors.Is(ErrNeedsReauth) = %t, want %t", err, got, tt.wantReauth)
			}
			if tt.wantCode != "" && !IsCode(err, tt.wantCode) {
				t.Errorf("err = %v, want code %s", err, tt.wantCode)
			}
			if n := c.Calls().API(); n > 2 {
				t.Errorf("API calls = %d: renewal must happen at most once per call", n)
			}
			if tt.answer == nil && (tokenCalls.Load() != 0 || c.Calls().Auth() != 0) {
				t.Error("the token endpoint was called with nothing to renew with")
			}
		})
	}
}

func TestRenewalWithGrantAndStartWithoutAccessToken(t *testing.T) {
	t.Parallel()
	released := make(chan struct{})
	close(released)
	o, tokenCalls, _ := renewalOrg(t, released, func(o *org) (int, string) { return 200, o.tokenBody("00Dx!new", false) })
	// Only a refresh token stored: the first call renews before sending.
	c, err := New(o.config(), &Token{RefreshToken: "5Aep861"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Retrieve(t.Context(), "Account", "001B000000UnQ2vIAF"); err != nil {
		t.Fatal(err)
	}
	if c.Calls().API() != 1 || tokenCalls.Load() != 1 {
		t.Errorf("API calls = %d, token calls = %d; want 1 and 1", c.Calls().API(), tokenCalls.Load())
	}

	// Connect with a grant that yields no refresh token: renewals rerun it.
	cfg := o.config()
	var persisted atomic.Int64
	cfg.OnToken = func(context.Context, *Token) error { persisted.Add(1); return errors.New("store down") }
	cfg.Logger = slog.New(slog.DiscardHandler)
	c, err = Connect(t.Context(), cfg, PasswordGrant("ada@example.com", "pw"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Retrieve(t.Context(), "Account", "001B000000UnQ2vIAF"); err != nil {
		t.Fatalf("a failing OnToken must not fail the call: %v", err)
	}
	if persisted.Load() != 1 {
		t.Errorf("OnToken called %d times, want 1 (Connect)", persisted.Load())
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		tok  *Token
		want string
	}{
		{"no token", Config{ClientID: "x"}, nil, "no token"},
		{"no instance", Config{ClientID: "x"}, &Token{AccessToken: "a"}, "instance URL"},
		{"nothing to renew with", Config{ClientID: "x"}, &Token{InstanceURL: "https://na1.salesforce.com"}, "neither"},
		{"bad config", Config{}, &Token{AccessToken: "a", InstanceURL: "https://na1.salesforce.com"}, "client ID"},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg, tt.tok, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New = %v, want error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestBudgetAndHeaders(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	used := atomic.Int64{}
	o.HandleFunc("GET "+restPath+"/sobjects/Account/001B000000UnQ2vIAF", func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Sforce-Call-Options"); got != "client=sfbridge-test" {
			t.Errorf("Sforce-Call-Options = %q", got)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer 00Dx0000000BV7z!old" {
			t.Errorf("Authorization = %q", got)
		}
		n := used.Add(1)
		w.Header().Set(LimitInfoHeader, "api-usage="+strconv.Itoa(int(100+n))+"/15000; per-app-api-usage=3/250(appName=sfbridge)")
		w.Write([]byte(accountJSON))
	})
	budget := new(Budget)
	var observed []BudgetSnapshot
	budget.Observe(func(s BudgetSnapshot) { observed = append(observed, s) })
	cfg := o.config()
	cfg.Budget, cfg.CallClient = budget, "sfbridge-test"
	c := o.client(t, cfg, nil)
	for range 3 {
		if _, err := c.Retrieve(t.Context(), "Account", "001B000000UnQ2vIAF"); err != nil {
			t.Fatal(err)
		}
	}
	s := c.Budget().Snapshot()
	if s.Used != 103 || s.Max != 15000 || s.Remaining() != 14897 || s.AppName != "sfbridge" || s.Seen.IsZero() {
		t.Errorf("budget = %+v", s)
	}
	if len(observed) != 3 {
		t.Errorf("observer called %d times, want 3", len(observed))
	}
}

func TestConnectGrantsRenewTheirOwnWay(t *testing.T) {
	t.Parallel()
	key := rsaKey(t)
	tests := []struct {
		name  string
		grant Grant
		want  string // grant_type of the renewal
	}{
		{"jwt reruns the assertion", JWTBearerGrant("ada@example.com", key), "urn:ietf:params:oauth:grant-type:jwt-bearer"},
		{"refresh token grant refreshes", RefreshTokenGrant("5Aep861"), "refresh_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			released := make(chan struct{})
			close(released)
			var grants []string
			var mu sync.Mutex
			o, _, _ := renewalOrg(t, released, nil)
			o.tokenEndpoint(t, func(f url.Values) (int, string) {
				mu.Lock()
				defer mu.Unlock()
				grants = append(grants, f.Get("grant_type"))
				if len(grants) == 1 {
					return 200, o.tokenBody("00Dx!first", false)
				}
				return 200, o.tokenBody("00Dx!new", false)
			})
			c, err := Connect(t.Context(), o.config(), tt.grant)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Retrieve(t.Context(), "Account", "001B000000UnQ2vIAF"); err != nil {
				t.Fatal(err)
			}
			if len(grants) != 2 || grants[1] != tt.want {
				t.Errorf("token requests = %v, want the renewal to use %s", grants, tt.want)
			}
		})
	}
}
