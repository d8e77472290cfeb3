package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/sfbridge/sfbridge/internal/budget"
	"github.com/sfbridge/sfbridge/internal/config"
	"github.com/sfbridge/sfbridge/internal/jobs"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/postgres"
	"github.com/sfbridge/sfbridge/internal/store/sqlite"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// dataFlags are the flags of every command that works on a data directory.
type dataFlags struct {
	Config string `help:"YAML configuration file (default $SFBRIDGE_CONFIG)." placeholder:"FILE"`
	Data   string `help:"Data directory (default $SFBRIDGE_DATA, else ./.sfbridge)." placeholder:"DIR"`
}

// load reads the configuration from the file, the environment and the
// flags (config.Load), with the global --log-level.
func (d dataFlags) load(e *env, more config.Flags) (*config.Config, error) {
	more.File, more.DataDir, more.LogLevel = d.Config, d.Data, e.logLevel
	cfg, err := config.Load(more, e.lookupEnv)
	if err != nil {
		return nil, invalid(err)
	}
	return cfg, nil
}

// open loads the configuration and opens the data directory, which must
// exist unless create is set.
func (d dataFlags) open(e *env, create bool) (*app, error) {
	cfg, err := d.load(e, config.Flags{})
	if err != nil {
		return nil, err
	}
	return openApp(e.ctx, cfg, e.stderr, create)
}

// app is what the commands that work on a data directory share: the
// configuration, the log and the store.
type app struct {
	cfg    *config.Config
	log    *slog.Logger
	logOut io.Writer // where log writes
	store  *store.Store
	conns  *syncer.StoreConnector // see connector
	watch  *budget.Watcher        // see watcher
}

// openApp opens the store of cfg's data directory, creating the directory,
// the key file and the database when create is set; on PostgreSQL, the
// configured database (which must exist) gets its tables only when create
// is set too. Without create, a database without sfbridge's data is
// refused (errNoData). The log goes to logOut.
func openApp(ctx context.Context, cfg *config.Config, logOut io.Writer, create bool) (*app, error) {
	log := newLogger(logOut, cfg.Level())
	var (
		drv   store.Driver
		where string // the database, as messages name it
		keys  *secret.Keyring
	)
	if cfg.Database.Driver == config.DriverPostgres {
		where = postgres.RedactDSN(cfg.Database.DSN)
		pg, err := postgres.Open(cfg.Database.DSN, postgres.Options{})
		if err != nil {
			return nil, environment(fmt.Errorf("opening the database: %w", err))
		}
		migrated, err := pg.Migrated(ctx)
		if err != nil {
			_ = pg.Close()
			return nil, environment(fmt.Errorf("opening the database %s: %w", where, err))
		}
		if !create && !migrated {
			_ = pg.Close()
			return nil, invalid(noData(where, "database.dsn or $"+config.EnvDatabaseDSN))
		}
		if keys, err = keyring(cfg, where, migrated, log); err != nil {
			_ = pg.Close()
			return nil, invalid(err)
		}
		drv = pg
	} else {
		where = cfg.Database.DSN
		if where == "" {
			where = sqlite.Path(cfg.DataDir)
		}
		_, statErr := os.Stat(where)
		if !create && errors.Is(statErr, fs.ErrNotExist) {
			return nil, invalid(noData(cfg.DataDir, "--data DIR or $"+config.EnvData))
		}
		var err error
		if keys, err = keyring(cfg, where, statErr == nil, log); err != nil {
			return nil, invalid(err)
		}
		if err := os.MkdirAll(filepath.Dir(where), 0o700); err != nil {
			return nil, environment(fmt.Errorf("creating the data directory: %w", err))
		}
		if drv, err = sqlite.Open(where, sqlite.Options{}); err != nil {
			return nil, environment(fmt.Errorf("opening the database %s: %w", where, err))
		}
	}
	st, err := store.Open(ctx, drv, store.Options{Keyring: keys})
	if err != nil {
		return nil, environment(fmt.Errorf("opening the database %s: %w", where, err))
	}
	return &app{cfg: cfg, log: log, logOut: logOut, store: st}, nil
}

// noData is the refusal of a command that reads data where there is none
// yet: where names the data directory or the (redacted) database, point how
// to name another.
func noData(where, point string) error {
	return fmt.Errorf("no sfbridge data in %s: register an org first (sfbridge org add), or point to the data with %s", where, point)
}

// openScheduler opens the job database and a River scheduler on it that
// works handlers: on PostgreSQL the store's own database, shared by every
// worker; on SQLite the file jobsFile of the data directory, apart from the
// store's (ADR 0071, 0280). closeJobs closes the database once the
// scheduler has stopped.
func (a *app) openScheduler(ctx context.Context, handlers jobs.Handlers) (sched jobs.Scheduler, closeJobs func(), err error) {
	cfg := jobs.Config{Logger: a.jobsLog()}
	if a.cfg.Database.Driver == config.DriverPostgres {
		pool, err := jobs.OpenPostgres(ctx, a.cfg.Database.DSN, postgres.RedactDSN)
		if err != nil {
			return nil, nil, environment(err)
		}
		if sched, err = jobs.NewPostgres(ctx, pool, handlers, cfg); err != nil {
			pool.Close()
			return nil, nil, environment(fmt.Errorf("starting the scheduler: %w", err))
		}
		return sched, pool.Close, nil
	}
	db, err := jobs.OpenSQLite(filepath.Join(a.cfg.DataDir, jobsFile))
	if err != nil {
		return nil, nil, environment(fmt.Errorf("opening the job database: %w", err))
	}
	if sched, err = jobs.NewSQLite(ctx, db, handlers, cfg); err != nil {
		_ = db.Close()
		return nil, nil, environment(fmt.Errorf("starting the scheduler: %w", err))
	}
	return sched, func() { _ = db.Close() }, nil
}

// keyring loads the keys that seal stored secrets: from $SFBRIDGE_SECRET_KEYS,
// the configured key file, or the data directory's key file, generated on
// the first start. It refuses to generate a key for an existing database
// (where, as messages name it), whose secrets a new key could not open.
func keyring(cfg *config.Config, where string, existing bool, log *slog.Logger) (*secret.Keyring, error) {
	switch {
	case !cfg.SecretKeys.IsZero():
		return secret.ParseKeyring("$"+config.EnvSecretKeys, cfg.SecretKeys.Reveal())
	case cfg.KeyFile != "":
		kr, err := secret.LoadKeyFile(cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading the key file (key_file): %w", err)
		}
		return kr, nil
	}
	keyFile := filepath.Join(cfg.DataDir, secret.KeyFileName)
	if _, err := os.Stat(keyFile); errors.Is(err, fs.ErrNotExist) && existing {
		return nil, fmt.Errorf("the key file %s is missing, and the database %s needs it to open the secrets it holds: restore the key file from your backup, or set $%s",
			keyFile, where, config.EnvSecretKeys)
	}
	return secret.LoadOrCreate(cfg.DataDir, "", log)
}

// close closes the store.
func (a *app) close() {
	if a.watch != nil {
		a.watch.Stop() // records the webhook deliveries under way
	}
	if err := a.store.Close(); err != nil {
		a.log.Warn("closing the database", "err", err)
	}
}

// newLogger returns the text logger commands write to stderr.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// user returns the sfbridge user with the given login, creating it when it
// does not exist yet (there is no user management before the console).
func (a *app) user(ctx context.Context, login string) (store.User, error) {
	u, err := a.store.Users().ByLogin(ctx, login)
	if errors.Is(err, store.ErrNotFound) {
		u, err = a.store.Users().Create(ctx, store.User{Login: login, DisplayName: login})
	}
	if err != nil {
		return store.User{}, environment(err)
	}
	return u, nil
}

// org returns the registered org named name.
func (a *app) org(ctx context.Context, name string) (store.Org, error) {
	o, err := a.store.Orgs().ByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.Org{}, invalid(fmt.Errorf("no org named %q in %s: sfbridge org list shows the registered orgs", name, a.cfg.DataDir))
	}
	if err != nil {
		return store.Org{}, environment(err)
	}
	return o, nil
}
