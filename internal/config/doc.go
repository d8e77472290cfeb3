// Package config is sfbridge's server configuration: a plain struct
// ([Config]) whose field documentation states each default, [Default] to get
// those defaults, [Config.Validate] to check a configuration, and [Load],
// the one place that reads a configuration from its three sources.
//
// # Sources
//
// Load starts from Default, then applies, each over the previous one:
//
//  1. the YAML file (--config FILE, or $SFBRIDGE_CONFIG), decoded strictly:
//     an unknown key or a value of the wrong type is an error with its line
//     and column;
//  2. the environment: SFBRIDGE_DATA, SFBRIDGE_LISTEN, SFBRIDGE_LOG_LEVEL,
//     SFBRIDGE_PUBLIC_URL, SFBRIDGE_DATABASE_DRIVER, SFBRIDGE_DATABASE_DSN and
//     SFBRIDGE_SECRET_KEYS (the encryption keys, which are never read from
//     the file);
//  3. the command-line flags ([Flags]).
//
// Every value remembers where it came from, so that a problem found by
// Validate names the key and its source: "sfbridge.yaml:7:10: listen: ...",
// "$SFBRIDGE_LISTEN: listen: ..." or "--listen: listen: ...". Validate reports
// every problem at once ([*Error]), not only the first.
//
// Secrets never come from the file: it names the environment variables
// that hold them (client_secret_env, password_env), Load reads them, and
// [Config.CheckSecrets] reports the ones that are not set, for the commands
// that register orgs.
//
// Relative paths written in the file are relative to the file's directory;
// relative paths from the environment or flags are relative to the working
// directory.
//
// The package also holds the checks of what people write about an org or
// the console wherever they write it (file, CLI, API): [LoginURL],
// [CheckPollInterval] with its bounds, [CheckPublicURL].
//
// Decision records: docs/adr/0080-configuration.md,
// docs/adr/0342-one-set-of-polling-bounds.md, docs/adr/0343-public-url.md.
package config
