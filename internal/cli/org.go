package cli

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sfbridge/sfbridge/internal/config"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

type orgCmd struct {
	Add     orgAddCmd     `cmd:"" help:"Register a Salesforce org (and connect to it, with the jwt, client-credentials and password flows)."`
	Connect orgConnectCmd `cmd:"" help:"Connect to a registered org: log in and store the tokens, encrypted."`
	List    orgListCmd    `cmd:"" help:"List the registered orgs, their connection state and API usage."`
	Status  orgStatusCmd  `cmd:"" help:"Show an org's connection state, how to fix it, its API usage and workflows."`
}

// flowClientCredentials is the OAuth client-credentials flow: sfbridge acts
// as the connected app's Run As user with the app's consumer secret. The
// server configuration does not offer it yet; the org commands do.
const flowClientCredentials config.Flow = "client-credentials"

// errNoClientSecret: the client-credentials flow authenticates with the
// connected app's consumer secret alone.
var errNoClientSecret = errors.New("the client-credentials flow needs the connected app's consumer secret: register the org with --client-secret-env VAR (sfbridge org add NAME ... --client-secret-env VAR)")

// connectFlags say how to log in to an org.
type connectFlags struct {
	Flow        string `help:"How to log in: web (a browser, OAuth with PKCE), jwt (a private key, no person), client-credentials (the connected app's Run As user; needs --client-secret-env at org add and a My Domain login) or password (emulator and development orgs). Whatever renews the session is stored encrypted." enum:"web,jwt,client-credentials,password" default:"web"`
	Username    string `help:"Salesforce username to log in as (jwt and password flows)."`
	KeyFile     string `help:"PEM private key whose certificate is uploaded to the connected app (jwt flow). The key is stored encrypted in the data directory, so the file is needed only to connect." type:"existingfile" placeholder:"FILE"`
	Audience    string `help:"The JWT's audience (jwt flow); default https://login.salesforce.com, https://test.salesforce.com for sandboxes, the login URL itself for the emulator." placeholder:"URL"`
	PasswordEnv string `help:"Environment variable holding the Salesforce password, followed by the security token if the org asks for one (password flow)." placeholder:"VAR"`
	User        string `help:"The sfbridge user this connection belongs to (workflows owned by this user act with it); default the Salesforce username." placeholder:"LOGIN"`
}

// webFlags tune the web-server flow's browser login.
type webFlags struct {
	Callback  string        `help:"OAuth callback URL (web flow), registered in the connected app; on 127.0.0.1 or localhost. Port 0 picks a free port (the emulator accepts any)." default:"http://127.0.0.1:1717/callback"`
	NoBrowser bool          `help:"Print the login URL without opening a browser (web flow)."`
	Timeout   time.Duration `help:"How long to wait for the browser login (web flow)." default:"5m"`
}

type orgAddCmd struct {
	dataFlags
	Name            string        `arg:"" help:"A name for the org in sfbridge, e.g. production."`
	Login           string        `help:"Where users log in: production, sandbox, a My Domain URL, or any URL such as the emulator's (http://127.0.0.1:8383)." default:"production"`
	ClientID        string        `help:"The connected app's consumer key." required:""`
	ClientSecretEnv string        `help:"Environment variable holding the connected app's consumer secret (secrets never go on the command line)." placeholder:"VAR"`
	Poll            time.Duration `help:"How often the org's workflows poll Salesforce, from 1m to 24h." default:"5m"`
	connectFlags
}

func (c *orgAddCmd) Run(e *env) error {
	login, err := config.LoginURL(c.Login)
	if err != nil {
		return invalid(fmt.Errorf("--login: %w", err))
	}
	if err := config.CheckPollInterval(c.Poll); err != nil {
		return invalid(fmt.Errorf("--poll %s: %w", c.Poll, err))
	}
	clientSecret, err := envSecret(e, "--client-secret-env", c.ClientSecretEnv)
	if err != nil {
		return err
	}
	if config.Flow(c.Flow) == flowClientCredentials && clientSecret.IsZero() {
		return invalid(errNoClientSecret)
	}
	// Check the login flags before anything is stored.
	l, err := c.connectFlags.login(e)
	if err != nil {
		return err
	}
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer a.close()
	o, err := a.store.Orgs().Create(e.ctx, store.Org{
		Name: c.Name, LoginURL: login, ClientID: c.ClientID, ClientSecret: clientSecret, PollInterval: c.Poll,
	})
	switch {
	case errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrInvalid):
		return invalid(err)
	case err != nil:
		return environment(err)
	}
	fmt.Fprintf(e.stdout, "org %q registered: login %s, polling every %s\n", o.Name, o.LoginURL, o.PollInterval)
	if l == nil {
		fmt.Fprintf(e.stdout, "next: connect to it with: sfbridge org connect %s%s\n", o.Name, dataHint(c.dataFlags))
		return nil
	}
	if err := a.connect(e, o, c.connectFlags, l, webFlags{}); err != nil {
		return fmt.Errorf("%w\nthe org is registered: once that is fixed, connect with sfbridge org connect %s%s", err, o.Name, dataHint(c.dataFlags))
	}
	return nil
}

type orgConnectCmd struct {
	dataFlags
	Name string `arg:"" help:"The org to connect to."`
	connectFlags
	webFlags
}

func (c *orgConnectCmd) Run(e *env) error {
	l, err := c.connectFlags.login(e)
	if err != nil {
		return err
	}
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	o, err := a.org(e.ctx, c.Name)
	if err != nil {
		return err
	}
	if l != nil && l.grant.Type == store.GrantClientCredentials && o.ClientSecret.IsZero() {
		return invalid(fmt.Errorf("org %q: %w", o.Name, errNoClientSecret))
	}
	return a.connect(e, o, c.connectFlags, l, c.webFlags)
}

// login returns how to log in with the jwt, client-credentials and
// password flows, and nil for the web flow, which needs a browser.
func (c *connectFlags) login(e *env) (*login, error) {
	var pw secret.Value
	if c.Flow == string(config.FlowPassword) && c.PasswordEnv != "" {
		var err error
		if pw, err = envSecret(e, "--password-env", c.PasswordEnv); err != nil {
			return nil, err
		}
	}
	l, err := grantFor(config.Flow(c.Flow), c.Username, c.KeyFile, pw)
	if err == nil && c.Audience != "" {
		if l == nil || l.grant.Type != store.GrantJWTBearer {
			err = errors.New("--audience is for the jwt flow only")
		} else {
			l.grant.Audience = c.Audience
		}
	}
	if err != nil {
		return nil, invalid(fmt.Errorf("--flow %s: %w", c.Flow, err))
	}
	return l, nil
}

// login is how to log in to an org without a person: the Salesforce user,
// and the grant the connection stores (encrypted) to log in again by itself
// whenever the session ends.
type login struct {
	username string
	grant    store.Grant
}

// grantFor returns the login of the jwt, client-credentials and password
// flows, and nil for the web flow. The jwt flow's key is read from keyFile
// and checked here; the connection keeps the key itself, not the path.
func grantFor(flow config.Flow, username, keyFile string, password secret.Value) (*login, error) {
	switch flow {
	case config.FlowJWT:
		if username == "" || keyFile == "" {
			return nil, errors.New("the jwt flow needs a username and a key file")
		}
		pem, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, fmt.Errorf("reading the private key: %w", err)
		}
		if _, err := salesforce.ParseRSAPrivateKey(pem); err != nil {
			return nil, fmt.Errorf("reading the private key %s: %w", keyFile, err)
		}
		return &login{username, store.Grant{Type: store.GrantJWTBearer, Secret: secret.New(string(pem))}}, nil
	case flowClientCredentials:
		return &login{username, store.Grant{Type: store.GrantClientCredentials}}, nil
	case config.FlowPassword:
		if username == "" || password.IsZero() {
			return nil, errors.New("the password flow needs a username and a password (--password-env VAR, VAR holding it)")
		}
		return &login{username, store.Grant{Type: store.GrantPassword, Secret: password}}, nil
	}
	return nil, nil
}

// envSecret reads a secret from the environment variable a flag names;
// an empty name gives the empty secret.
func envSecret(e *env, flag, name string) (secret.Value, error) {
	if name == "" {
		return secret.Value{}, nil
	}
	v, ok := e.lookupEnv(name)
	if !ok || v == "" {
		return secret.Value{}, invalid(fmt.Errorf("%s %s: the environment variable $%s is not set", flag, name, name))
	}
	return secret.New(v), nil
}

// connect logs in to the org with l, or in a browser when l is nil, stores
// the connection for the sfbridge user with what renews its session, and
// records what the token tells about the org.
func (a *app) connect(e *env, o store.Org, c connectFlags, l *login, web webFlags) error {
	ctx := e.ctx
	var (
		client *salesforce.Client
		grant  store.Grant // the web flow's: a refresh token, if Salesforce gave one
		err    error
	)
	if l == nil {
		client, err = webLogin(e, a.salesforceConfig(o, grant), web, c.Username)
	} else {
		grant = l.grant
		var g salesforce.Grant
		if g, err = syncer.RenewalGrant(l.username, grant); err == nil {
			client, err = salesforce.Connect(ctx, a.salesforceConfig(o, grant), g)
		}
	}
	if err != nil {
		err = fmt.Errorf("logging in to org %q at %s: %w", o.Name, o.LoginURL, err)
		if errors.Is(err, salesforce.ErrNeedsReauth) { // the grant was refused
			err = fmt.Errorf("%w (check the username, password or key, and that the connected app allows this user)", err)
		}
		return environment(err)
	}
	username := c.Username
	if username == "" {
		if username, err = syncer.LoggedInUsername(ctx, client); err != nil {
			return environment(fmt.Errorf("connecting to org %q: %w", o.Name, err))
		}
	}
	u, err := a.user(ctx, cmp.Or(c.User, username))
	if err != nil {
		return err
	}
	linked, err := syncer.Link(ctx, a.store, syncer.Login{Org: o, UserID: u.ID, Client: client, Username: username, Grant: grant}, nil)
	if err != nil {
		return environment(err)
	}
	if a.conns != nil { // a client of the old connection must not outlive it
		a.conns.Forget(o.ID)
	}
	conn, tok := linked.Connection, client.Token()
	fmt.Fprintf(e.stdout, "connected to org %q (%s) as %s for sfbridge user %s\n", o.Name, tok.OrgID(), conn.Username, u.Login)
	if linked.Resumed {
		fmt.Fprintf(e.stdout, "org %q no longer waits for re-authorisation: its workflows run at their next poll\n", o.Name)
	}
	if conn.Grant.Type == store.GrantNone {
		fmt.Fprintf(e.stdout, "note: this login gave no refresh token: when the session expires, run sfbridge org connect %s again\n", o.Name)
	} else {
		fmt.Fprintf(e.stdout, "the session renews by itself %s, stored encrypted\n", renewalLabel(conn.Grant.Type))
	}
	return nil
}

// renewalLabel says what renews a session of a connection with the grant.
func renewalLabel(t store.GrantType) string {
	switch t {
	case store.GrantRefreshToken:
		return "with the refresh token"
	case store.GrantJWTBearer:
		return "with the JWT key"
	case store.GrantClientCredentials:
		return "with the connected app's secret"
	case store.GrantPassword:
		return "with the password"
	}
	return "never (log in again when it ends)"
}

// salesforceConfig is the client configuration of an org, for a connection
// with grant g.
func (a *app) salesforceConfig(o store.Org, g store.Grant) salesforce.Config {
	return syncer.ClientConfig(salesforce.Config{Logger: a.log}, o, g)
}

type orgListCmd struct {
	dataFlags
}

func (c *orgListCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	orgs, err := a.store.Orgs().List(e.ctx)
	if err != nil {
		return environment(err)
	}
	if len(orgs) == 0 {
		fmt.Fprintln(e.stdout, "no orgs registered: add one with sfbridge org add NAME --login ... --client-id ...")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tLOGIN\tAPI USAGE\tPOLL")
	for _, o := range orgs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.Name, stateLabel(o.State), o.LoginURL, usageLabel(o.APIUsage), o.PollInterval)
	}
	return tw.Flush()
}

type orgStatusCmd struct {
	dataFlags
	Name string `arg:"" help:"The org."`
}

func (c *orgStatusCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	o, err := a.org(e.ctx, c.Name)
	if err != nil {
		return err
	}
	conns, err := a.store.Connections().List(e.ctx, o.ID)
	if err != nil {
		return environment(err)
	}
	wfs, err := a.store.Workflows().List(e.ctx, store.WorkflowFilter{OrgID: o.ID})
	if err != nil {
		return environment(err)
	}
	w := e.stdout
	fmt.Fprintf(w, "org:          %s\n", o.Name)
	fmt.Fprintf(w, "state:        %s\n", stateLabel(o.State))
	if fix := howToFix(o, conns); fix != "" {
		fmt.Fprintf(w, "              %s\n", fix)
	}
	fmt.Fprintf(w, "login:        %s\n", o.LoginURL)
	fmt.Fprintf(w, "client id:    %s\n", o.ClientID)
	fmt.Fprintf(w, "salesforce:   %s %s\n", orDash(o.SalesforceOrgID), o.InstanceURL)
	fmt.Fprintf(w, "API usage:    %s", usageLabel(o.APIUsage))
	if !o.APIUsage.SeenAt.IsZero() {
		fmt.Fprintf(w, " (as of %s)", o.APIUsage.SeenAt.Local().Format(time.DateTime))
	}
	fmt.Fprintf(w, "\npolling:      every %s\n", o.PollInterval)
	fmt.Fprintf(w, "connections:  %d\n", len(conns))
	for _, cn := range conns {
		u, err := a.store.Users().Get(e.ctx, cn.UserID)
		if err != nil {
			return environment(err)
		}
		fmt.Fprintf(w, "  %s as %s: %s, renews %s", u.Login, cn.Username, stateLabel(cn.State), renewalLabel(cn.Grant.Type))
		if cn.StateReason != "" {
			fmt.Fprintf(w, " (%s)", cn.StateReason)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "workflows:    %d\n", len(wfs))
	for _, wf := range wfs {
		fmt.Fprintf(w, "  %s: %s\n", wf.Name, workflowLabel(wf))
	}
	return nil
}

// howToFix says what to do about an org that is not connected.
func howToFix(o store.Org, conns []store.Connection) string {
	switch o.State {
	case store.StateNeedsReauth:
		for _, c := range conns {
			if c.State == store.StateNeedsReauth {
				return fmt.Sprintf("%s; fix: sfbridge org connect %s (log in again)", o.StateReason, o.Name)
			}
		}
		return "every connection was renewed: the org resumes at its next poll"
	case store.StatePausedLimit:
		return cmp.Or(o.StateReason, "sfbridge resumes by itself once Salesforce reports API requests left")
	}
	if len(conns) == 0 {
		return fmt.Sprintf("no connection yet; fix: sfbridge org connect %s", o.Name)
	}
	return ""
}

func stateLabel(s store.State) string {
	switch s {
	case store.StateConnected:
		return "connected"
	case store.StateNeedsReauth:
		return "needs re-authorisation"
	case store.StatePausedLimit:
		return "paused at API limit"
	}
	return string(s)
}

func usageLabel(u store.APIUsage) string {
	if u.SeenAt.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%d/%d", u.Used, u.Limit)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// dataHint repeats the flags that located the data, for the commands a
// message suggests.
func dataHint(d dataFlags) string {
	var b strings.Builder
	if d.Config != "" {
		fmt.Fprintf(&b, " --config %s", d.Config)
	}
	if d.Data != "" {
		fmt.Fprintf(&b, " --data %s", d.Data)
	}
	return b.String()
}
