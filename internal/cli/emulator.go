package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/sfbridge/sfbridge/internal/config"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
)

type emulatorCmd struct {
	Listen         string        `help:"Address to listen on; port 0 picks a free port." default:"127.0.0.1:8383" placeholder:"HOST:PORT"`
	AllowRemote    bool          `help:"Allow a --listen address reachable from other machines (the admin API then needs the printed token)."`
	Data           string        `help:"Keep the org in FILE across restarts: loaded at start, saved every --save-every and on exit." placeholder:"FILE" type:"path"`
	Schema         string        `help:"Schema file (YAML) adding custom objects and fields." placeholder:"FILE" type:"existingfile"`
	Seed           string        `help:"The records a new org starts with: demo or empty." enum:"demo,empty" default:"demo"`
	SaveEvery      time.Duration `help:"How often to save the org to --data." default:"1m"`
	DailyLimit     int           `help:"Daily API request limit." default:"15000"`
	SessionTimeout time.Duration `help:"How long an access token lives without use." default:"2h"`
	AdminToken     string        `help:"Token the admin API requires from callers not on loopback; default random, printed at start." env:"SFBRIDGE_EMULATOR_ADMIN_TOKEN"`
}

func (c *emulatorCmd) Run(e *env) error {
	if err := config.CheckListen(c.Listen, c.AllowRemote); err != nil {
		return invalid(fmt.Errorf("--listen: %w", err))
	}
	if c.SaveEvery <= 0 {
		return invalid(fmt.Errorf("--save-every %s: the interval must be positive, e.g. 1m", c.SaveEvery))
	}
	level, err := levelFlag(e)
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, level)
	emu, err := sfemu.New(sfemu.Options{
		Seed: c.Seed, SchemaFile: c.Schema, DataFile: c.Data, SessionTimeout: c.SessionTimeout,
		DailyAPILimit: c.DailyLimit, AdminToken: c.AdminToken, Logger: log,
	})
	if err != nil {
		return invalid(err)
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return environment(fmt.Errorf("listening on %s: %w (free the port, or pick another with --listen)", c.Listen, err))
	}
	host, _, _ := net.SplitHostPort(c.Listen)
	if !config.IsLoopback(host) {
		fmt.Fprintf(e.stderr, "warning: the emulator listens on %s, reachable from other machines; its users and passwords are public\n", ln.Addr())
	}
	srv := serveHTTP(ln, emu, log)
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(e.stdout, "emulator ready: %s\n", base)
	printEmulatorGuide(e.stdout, emu, base, c.Data, c.Seed, !config.IsLoopback(host))

	var tick <-chan time.Time
	if c.Data != "" {
		t := time.NewTicker(c.SaveEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-tick:
			if err := emu.Save(); err != nil {
				log.Warn("saving the emulator's org", "file", c.Data, "err", err)
			}
		case err := <-srv.done:
			return environment(fmt.Errorf("serving the emulator: %w", err))
		case <-e.ctx.Done():
			srv.stop()
			if c.Data != "" {
				if err := emu.Save(); err != nil {
					return environment(fmt.Errorf("saving the org to %s: %w", c.Data, err))
				}
				fmt.Fprintf(e.stderr, "emulator stopped; org saved to %s\n", c.Data)
			}
			return nil
		}
	}
}

// printEmulatorGuide prints, under the ready line, how to use the
// emulator: credentials, URLs, the admin API and the command that connects
// sfbridge to it.
func printEmulatorGuide(w io.Writer, emu *sfemu.Emulator, base, dataFile, seed string, remote bool) {
	where := "in memory (lost on exit; keep it with --data FILE)"
	if dataFile != "" {
		where = "kept in " + dataFile
	}
	fmt.Fprintf(w, "  org:           %s, %s seed, %s\n", emu.OrgID(), seed, where)
	fmt.Fprintf(w, "  connected app: consumer key %s, secret %s, callback %s (any port)\n",
		auth.DevConsumerKey, auth.DevConsumerSecret, auth.DevCallbackURL)
	fmt.Fprintf(w, "  users:         %s and %s, password %s\n", org.AdminUsername, org.StandardUsername, org.DevPassword)
	fmt.Fprintf(w, "  REST API:      %s/services/data/v%s/\n", base, salesforce.DefaultAPIVersion)
	fmt.Fprintf(w, "  admin API:     %s%sstate (faults, limits, clock, revoke: see internal/sfemu docs)\n", base, sfemu.AdminPrefix)
	if remote {
		fmt.Fprintf(w, "  admin token:   %s (send it as X-Emulator-Admin-Token from other machines)\n", emu.AdminToken())
	}
	fmt.Fprintf(w, "  connect:       SF_SECRET=%s SF_PASSWORD=%s sfbridge org add emulator --login %s --client-id %s --client-secret-env SF_SECRET --flow password --username %s --password-env SF_PASSWORD\n",
		auth.DevConsumerSecret, org.DevPassword, base, auth.DevConsumerKey, org.AdminUsername)
}

// server is an HTTP server running in the background.
type server struct {
	srv  *http.Server
	done chan error // receives the error that stopped Serve, unless stop did
}

// serveHTTP serves h on ln in the background.
func serveHTTP(ln net.Listener, h http.Handler, log *slog.Logger) *server {
	s := &server{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		},
		done: make(chan error, 1),
	}
	go func() {
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.done <- err
		}
	}()
	return s
}

// stop lets the requests in flight finish, for up to 5 seconds.
func (s *server) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
}

// levelSet reports whether the user chose a log level (--log-level or
// $SFBRIDGE_LOG_LEVEL).
func (e *env) levelSet() bool {
	v, _ := e.lookupEnv(config.EnvLogLevel)
	return e.logLevel != "" || v != ""
}

// levelFlag is the log level of commands that read no configuration: the
// global --log-level, else $SFBRIDGE_LOG_LEVEL, else info.
func levelFlag(e *env) (slog.Level, error) {
	c := config.Default()
	if v, ok := e.lookupEnv(config.EnvLogLevel); ok && v != "" {
		c.LogLevel = v
	}
	if e.logLevel != "" {
		c.LogLevel = e.logLevel
	}
	if err := c.Validate(); err != nil {
		return 0, invalid(err)
	}
	return c.Level(), nil
}
