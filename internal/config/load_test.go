package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testEnv is the environment of the golden tests.
var testEnv = map[string]string{"SF_SECRET": "s3cret", "SF_PASSWORD": "sfbridge"}

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// render shows a loaded configuration, or the error, as the golden files
// hold them.
func render(t *testing.T, c *Config, err error) string {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("error %v does not match ErrInvalid", err)
		}
		return "error:\n" + err.Error() + "\n"
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var w strings.Builder
	w.WriteString("config:\n")
	w.Write(b)
	w.WriteString("\nsecrets: ")
	if err := c.CheckSecrets(); err != nil {
		w.WriteString(err.Error())
	} else {
		w.WriteString("ok")
	}
	w.WriteString("\nwhere:\n")
	for _, k := range slices.Sorted(maps.Keys(c.where)) {
		fmt.Fprintf(&w, "  %s: %s\n", k, c.where[k])
	}
	return w.String()
}

func TestLoadGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/load/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			c, err := Load(Flags{File: file}, lookup(testEnv))
			got := render(t, c, err)
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Load(%s) differs from %s (-want +got):\n%s", file, golden, diff)
			}
		})
	}
}

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "sfbridge.yaml")
	if err := os.WriteFile(file, []byte("data_dir: /srv/sfbridge\nlisten: 127.0.0.1:9000\nlog_level: warn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		flags Flags
		env   map[string]string
		want  Config
		where map[string]string
	}{
		{
			name:  "defaults",
			want:  Config{DataDir: DefaultDataDir, Listen: DefaultListen, LogLevel: DefaultLogLevel},
			where: map[string]string{},
		},
		{
			name:  "file",
			flags: Flags{File: file},
			want:  Config{DataDir: "/srv/sfbridge", Listen: "127.0.0.1:9000", LogLevel: "warn"},
			where: map[string]string{"data_dir": file + ":1:11", "listen": file + ":2:9", "log_level": file + ":3:12"},
		},
		{
			name:  "file named by the environment",
			env:   map[string]string{EnvConfig: file},
			want:  Config{DataDir: "/srv/sfbridge", Listen: "127.0.0.1:9000", LogLevel: "warn"},
			where: map[string]string{"data_dir": file + ":1:11", "listen": file + ":2:9", "log_level": file + ":3:12"},
		},
		{
			name:  "environment over file",
			flags: Flags{File: file},
			env:   map[string]string{EnvData: "/var/lib/sfbridge", EnvLogLevel: "error", EnvListen: ""},
			want:  Config{DataDir: "/var/lib/sfbridge", Listen: "127.0.0.1:9000", LogLevel: "error"},
			where: map[string]string{"data_dir": "$SFBRIDGE_DATA", "listen": file + ":2:9", "log_level": "$SFBRIDGE_LOG_LEVEL"},
		},
		{
			name:  "flags over environment",
			flags: Flags{File: file, DataDir: "here", Listen: "0.0.0.0:80", AllowRemote: true},
			env:   map[string]string{EnvData: "/var/lib/sfbridge", EnvListen: "127.0.0.1:1"},
			want:  Config{DataDir: "here", Listen: "0.0.0.0:80", AllowRemote: true, LogLevel: "warn"},
			where: map[string]string{"data_dir": "--data", "listen": "--listen", "allow_remote": "--allow-remote", "log_level": file + ":3:12"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.flags, lookup(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			got := Config{DataDir: c.DataDir, Listen: c.Listen, AllowRemote: c.AllowRemote, LogLevel: c.LogLevel}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Config{})); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.where, c.where); diff != "" {
				t.Errorf("where (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadNamesTheSourceOfABadValue(t *testing.T) {
	tests := []struct {
		name  string
		flags Flags
		env   map[string]string
		want  string
	}{
		{"environment", Flags{}, map[string]string{EnvListen: "0.0.0.0:8080"}, "$SFBRIDGE_LISTEN: listen: "},
		{"flag", Flags{Listen: "8080"}, nil, "--listen: listen: \"8080\" is not a host:port address"},
		{"flag over a good environment", Flags{LogLevel: "chatty"}, map[string]string{EnvLogLevel: "debug"}, "--log-level: log_level: "},
		{"driver from the environment", Flags{}, map[string]string{EnvDatabaseDriver: "oracle"}, "$SFBRIDGE_DATABASE_DRIVER: database.driver: unknown database driver"},
		{"dsn from the environment", Flags{}, map[string]string{EnvDatabaseDriver: "postgres", EnvDatabaseDSN: "mysql://root:s3cret@db/x"}, "$SFBRIDGE_DATABASE_DSN: database.dsn: the PostgreSQL address is a mysql:// URL"},
		{"public url from the environment", Flags{}, map[string]string{EnvPublicURL: "http://sfbridge.example.com"}, "$SFBRIDGE_PUBLIC_URL: public_url: \"http://sfbridge.example.com\" uses http"},
		{"public url flag over a good environment", Flags{PublicURL: "https://example.com/x"}, map[string]string{EnvPublicURL: "https://example.com"}, "--public-url: public_url: \"https://example.com/x\" has more than"},
		{"missing file", Flags{File: "does-not-exist.yaml"}, nil, "--config: reading the configuration file: open does-not-exist.yaml: "},
		{"missing file from the environment", Flags{}, map[string]string{EnvConfig: "nope.yaml"}, "$SFBRIDGE_CONFIG: reading the configuration file: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.flags, lookup(tt.env))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Load = %v, want an error matching ErrInvalid", err)
			}
			var ce *Error
			if !errors.As(err, &ce) || len(ce.Problems) != 1 {
				t.Fatalf("Load = %v, want one problem", err)
			}
			if got := ce.Problems[0].Error(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("problem = %q, want it to start with %q", got, tt.want)
			}
		})
	}
}

func TestLoadReadsSecretsFromTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "sfbridge.yaml")
	doc := "orgs:\n  - name: dev\n    client_id: sfbridge-dev\n    client_secret_env: DEV_SECRET\n    flow: password\n    username: admin@example.com\n    password_env: DEV_PASSWORD\n"
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DEV_SECRET": "sfbridge-dev-secret", "DEV_PASSWORD": "sfbridge", EnvSecretKeys: "k1=AAAA"}
	c, err := Load(Flags{File: file}, lookup(env))
	if err != nil {
		t.Fatal(err)
	}
	o := c.Orgs[0]
	if o.ClientSecret.Reveal() != "sfbridge-dev-secret" || o.Password.Reveal() != "sfbridge" || c.SecretKeys.Reveal() != "k1=AAAA" {
		t.Errorf("secrets not read from the environment: %q %q %q", o.ClientSecret.Reveal(), o.Password.Reveal(), c.SecretKeys.Reveal())
	}
	if s := fmt.Sprintf("%v %+v", c, *c); strings.Contains(s, "sfbridge-dev-secret") || strings.Contains(s, "k1=AAAA") {
		t.Errorf("printing the configuration shows a secret: %s", s)
	}
}

func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/load/*.yaml")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := Default()
		c.where = map[string]string{}
		probs := c.decode("fuzz.yaml", data)
		for _, p := range probs {
			if p.Message == "" || !strings.HasPrefix(p.Where, "fuzz.yaml") {
				t.Errorf("problem without message or position: %#v", p)
			}
		}
		if len(probs) == 0 {
			_ = c.Validate() // must not panic on anything that decodes
		}
	})
}
