package cli

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"runtime"
	"time"

	"github.com/sfbridge/sfbridge/internal/config"
	"github.com/sfbridge/sfbridge/internal/salesforce"
)

// webLogin runs the OAuth web-server flow with PKCE: it listens on the
// loopback callback URL, sends the user's browser to Salesforce's login
// page, waits for the callback and exchanges its code for a token.
func webLogin(e *env, cfg salesforce.Config, c webFlags, loginHint string) (*salesforce.Client, error) {
	cb, err := url.Parse(c.Callback)
	if err != nil || cb.Scheme != "http" || !config.IsLoopback(cb.Hostname()) || cb.Port() == "" {
		return nil, invalid(fmt.Errorf("--callback %q: use an http URL on 127.0.0.1 or localhost with a port, e.g. http://127.0.0.1:1717/callback", c.Callback))
	}
	ln, err := net.Listen("tcp", cb.Host)
	if err != nil {
		return nil, environment(fmt.Errorf("listening for the OAuth callback on %s: %w (free the port, or pick another with --callback)", cb.Host, err))
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	cb.Host = net.JoinHostPort(cb.Hostname(), port)
	cfg.RedirectURL = cb.String()
	cfg.Scopes = []string{"api", "refresh_token"}
	oauth, err := salesforce.NewOAuth(cfg)
	if err != nil {
		return nil, invalid(err)
	}
	authz := oauth.Authorize(salesforce.AuthorizeOptions{Prompt: "login", LoginHint: loginHint})

	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+cb.Path, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var res result
		switch {
		case q.Get("state") != authz.State:
			res.err = errors.New("the callback's state does not match this login: start sfbridge org connect again")
		case q.Get("error") != "":
			res.err = fmt.Errorf("salesforce refused the login: %s: %s", q.Get("error"), q.Get("error_description"))
		case q.Get("code") == "":
			res.err = errors.New("the callback carries no authorization code")
		default:
			res.code = q.Get("code")
		}
		msg := "Connected. You can close this tab and go back to the terminal."
		if res.err != nil {
			msg = "Not connected: " + res.err.Error()
		}
		fmt.Fprintf(w, "<!doctype html><title>sfbridge</title><p>%s</p>\n", html.EscapeString(msg))
		select {
		case done <- res:
		default: // a second callback: the first one wins
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	fmt.Fprintf(e.stderr, "Log in to Salesforce in your browser; if it does not open, visit:\n  %s\nWaiting for the login (callback %s) ...\n", authz.URL, cfg.RedirectURL)
	if !c.NoBrowser {
		openBrowser(authz.URL)
	}
	ctx, cancel := context.WithTimeout(e.ctx, c.Timeout)
	defer cancel()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		return nil, environment(fmt.Errorf("waiting for the browser login: no callback within %s", c.Timeout))
	}
	if res.err != nil {
		return nil, environment(res.err)
	}
	tok, err := oauth.Exchange(e.ctx, res.code, authz.Verifier)
	if err != nil {
		return nil, err
	}
	return salesforce.New(cfg, tok, nil)
}

// openBrowser asks the desktop to open url; the URL is printed anyway, so
// a failure is ignored.
func openBrowser(url string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err == nil {
		go func() { _ = cmd.Wait() }()
	}
}
