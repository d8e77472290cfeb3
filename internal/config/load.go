package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/sfbridge/sfbridge/internal/secret"
)

// Environment variables Load reads.
const (
	EnvConfig         = "SFBRIDGE_CONFIG"
	EnvData           = "SFBRIDGE_DATA"
	EnvListen         = "SFBRIDGE_LISTEN"
	EnvLogLevel       = "SFBRIDGE_LOG_LEVEL"
	EnvPublicURL      = "SFBRIDGE_PUBLIC_URL"
	EnvDatabaseDriver = "SFBRIDGE_DATABASE_DRIVER"
	EnvDatabaseDSN    = "SFBRIDGE_DATABASE_DSN"
	EnvSecretKeys     = secret.EnvKeys
)

// Flags are the command-line flags, the last source Load applies. Empty
// fields leave the value from the file and the environment alone.
type Flags struct {
	File        string // --config: the YAML file; default $SFBRIDGE_CONFIG, else none
	DataDir     string // --data
	Listen      string // --listen
	LogLevel    string // --log-level
	PublicURL   string // --public-url
	AllowRemote bool   // --allow-remote
}

// Load builds the configuration from Default, the file, the environment and
// flags, in that order, and validates it. lookupEnv reads the environment
// (os.LookupEnv when nil). Every error matches ErrInvalid; an *Error lists
// each problem with the key and where its value came from.
func Load(flags Flags, lookupEnv func(string) (string, bool)) (*Config, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	c := Default()
	c.where = map[string]string{}

	file, fileSource := flags.File, "--config"
	if file == "" {
		file, _ = lookupEnv(EnvConfig)
		fileSource = "$" + EnvConfig
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, &Error{Problems: []Problem{{Where: fileSource, Message: fmt.Sprintf("reading the configuration file: %v", err)}}}
		}
		if probs := c.decode(file, data); len(probs) > 0 {
			return nil, &Error{Problems: probs}
		}
	}

	for _, e := range []struct {
		name, key string
		dst       *string
	}{
		{EnvData, "data_dir", &c.DataDir},
		{EnvListen, "listen", &c.Listen},
		{EnvLogLevel, "log_level", &c.LogLevel},
		{EnvPublicURL, "public_url", &c.PublicURL},
		{EnvDatabaseDriver, "database.driver", &c.Database.Driver},
		{EnvDatabaseDSN, "database.dsn", &c.Database.DSN},
	} {
		if v, ok := lookupEnv(e.name); ok && v != "" {
			*e.dst, c.where[e.key] = v, "$"+e.name
		}
	}
	if v, ok := lookupEnv(EnvSecretKeys); ok && strings.TrimSpace(v) != "" {
		c.SecretKeys = secret.New(v)
	}

	for _, f := range []struct {
		flag, key, val string
		dst            *string
	}{
		{"--data", "data_dir", flags.DataDir, &c.DataDir},
		{"--listen", "listen", flags.Listen, &c.Listen},
		{"--log-level", "log_level", flags.LogLevel, &c.LogLevel},
		{"--public-url", "public_url", flags.PublicURL, &c.PublicURL},
	} {
		if f.val != "" {
			*f.dst, c.where[f.key] = f.val, f.flag
		}
	}
	if flags.AllowRemote {
		c.AllowRemote, c.where["allow_remote"] = true, "--allow-remote"
	}

	for i := range c.Orgs {
		o := &c.Orgs[i]
		if v, ok := lookupEnv(o.ClientSecretEnv); o.ClientSecretEnv != "" && ok && v != "" {
			o.ClientSecret = secret.New(v)
		}
		if v, ok := lookupEnv(o.PasswordEnv); o.PasswordEnv != "" && ok && v != "" {
			o.Password = secret.New(v)
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// decode applies a YAML file over c, records where each key is, and makes
// the file's relative paths relative to the file's directory.
func (c *Config) decode(name string, data []byte) []Problem {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return []Problem{yamlProblem(name, err)}
	}
	if len(f.Docs) > 1 {
		return []Problem{{Where: name, Message: fmt.Sprintf("the file holds %d YAML documents (separated by ---): keep one", len(f.Docs))}}
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil || f.Docs[0].Body.Type() == ast.NullType {
		return nil // empty, or only comments: the defaults stand
	}
	record(f.Docs[0].Body, "", name, c.where)
	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField())
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		p := yamlProblem(name, err)
		for k, w := range c.where { // the most specific key at the error's position
			if w == p.Where && len(k) > len(p.Key) {
				p.Key = k
			}
		}
		return []Problem{p}
	}

	dir := filepath.Dir(name)
	rel := func(key string, p *string) {
		if *p != "" && !filepath.IsAbs(*p) && strings.HasPrefix(c.where[key], name+":") {
			*p = filepath.Join(dir, *p)
		}
	}
	rel("data_dir", &c.DataDir)
	rel("key_file", &c.KeyFile)
	if c.Database.Driver == DriverSQLite {
		rel("database.dsn", &c.Database.DSN)
	}
	for i := range c.Orgs {
		rel(fmt.Sprintf("orgs[%d].key_file", i), &c.Orgs[i].KeyFile)
	}
	return nil
}

// yamlProblem turns a parse or decode error into a Problem at its line and
// column, with a hint for keys people try that do not exist.
func yamlProblem(name string, err error) Problem {
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return Problem{Where: name, Message: err.Error()}
	}
	pos := ye.GetToken().Position
	msg := ye.GetMessage()
	var (
		uf *yaml.UnknownFieldError
		te *yaml.TypeError
	)
	if errors.As(err, &te) {
		msg = fmt.Sprintf("expected %s here", kindName(te.DstType))
	}
	if errors.As(err, &uf) {
		switch strings.TrimSpace(ye.GetToken().Value) {
		case "client_secret", "password":
			msg += ": secrets are never written in the file; name an environment variable with client_secret_env or password_env"
		default:
			msg += ": docs/configuration.md lists the keys"
		}
	}
	return Problem{Where: fmt.Sprintf("%s:%d:%d", name, pos.Line, pos.Column), Message: msg}
}

// kindName says what a Go type is called in a YAML file.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.String:
		return "a single value (quote it if it looks like a list or a mapping)"
	case reflect.Slice:
		return "a list (lines starting with -)"
	default:
		return "a mapping (key: value lines)"
	}
}

// record stores in where the position of every key under n, named as
// Validate names them ("orgs[0].login"): the value's position for scalars,
// the key's for mappings and lists.
func record(n ast.Node, prefix, file string, where map[string]string) {
	at := func(n ast.Node) string {
		p := n.GetToken().Position
		return fmt.Sprintf("%s:%d:%d", file, p.Line, p.Column)
	}
	switch n := n.(type) {
	case *ast.MappingNode:
		for _, mv := range n.Values {
			record(mv, prefix, file, where)
		}
	case *ast.MappingValueNode:
		key := n.Key.GetToken().Value
		if prefix != "" {
			key = prefix + "." + key
		}
		switch v := unwrap(n.Value); v.(type) {
		case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode:
			where[key] = at(n.Key)
			record(v, key, file, where)
		default:
			if v == nil || v.GetToken() == nil {
				where[key] = at(n.Key)
			} else {
				where[key] = at(v)
			}
		}
	case *ast.SequenceNode:
		for i, v := range n.Values {
			key := fmt.Sprintf("%s[%d]", prefix, i)
			if v = unwrap(v); v != nil && v.GetToken() != nil {
				where[key] = at(v)
				record(v, key, file, where)
			}
		}
	}
}

// unwrap returns what a tag or an anchor decorates.
func unwrap(n ast.Node) ast.Node {
	for {
		switch t := n.(type) {
		case *ast.TagNode:
			n = t.Value
		case *ast.AnchorNode:
			n = t.Value
		default:
			return n
		}
	}
}
