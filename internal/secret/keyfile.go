package secret

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

const (
	// EnvKeys is the environment variable that holds the keyring, as
	// comma-separated "id=base64" entries, primary first. When it is set the
	// key file is not read.
	EnvKeys = "SFBRIDGE_SECRET_KEYS"

	// KeyFileName is the key file's name in the data directory.
	KeyFileName = "secret.key"
)

const keyFileHeader = `# sfbridge secret keys: one "id=base64" per line (32 random bytes each).
# The first key seals new secrets; the others only open what they sealed.
# Back this file up: without it, stored tokens and client secrets are lost.
`

// ParseKeyring reads a keyring from text: "id=base64" entries separated by
// newlines or commas, the first one primary. Blank entries and lines starting
// with '#' are skipped. source names where the text came from, for errors,
// which are [*KeyError] values.
func ParseKeyring(source, text string) (*Keyring, error) {
	var keys []Key
	seen := map[string]string{} // key id -> where it was found
	for ln, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		entries := strings.Split(line, ",")
		for i, entry := range entries {
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			e := &KeyError{Source: source, Line: ln + 1}
			if len(entries) > 1 {
				e.Entry = i + 1
			}
			id, b64, found := strings.Cut(entry, "=")
			id, b64 = strings.TrimSpace(id), strings.TrimSpace(b64)
			if !found {
				e.Reason = `expected "id=base64", found no '='`
				return nil, e
			}
			e.KeyID = id
			if first, dup := seen[id]; dup {
				e.Reason = "the id is already used at " + first + "; give each key its own id"
				return nil, e
			}
			k, reason := parseKey(id, b64)
			if reason != "" {
				e.Reason = reason
				return nil, e
			}
			seen[id] = e.where()
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w in %s; %s", ErrNoKeys, source, generateHint)
	}
	return NewKeyring(keys[0], keys[1:]...)
}

// LoadKeyFile reads the keyring from a key file, refusing a file that other
// users can read.
func LoadKeyFile(path string) (*Keyring, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("secret: reading the key file: %w", err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; run: chmod 600 %s", ErrKeyFileMode, path, info.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret: reading the key file: %w", err)
	}
	return ParseKeyring(path, string(b))
}

// WriteKeyFile writes a new key file holding keys (primary first) with mode
// 0600. It refuses to overwrite an existing file.
func WriteKeyFile(path string, keys ...Key) error {
	var b strings.Builder
	b.WriteString(keyFileHeader)
	for _, k := range keys {
		b.WriteString(k.Encode())
		b.WriteByte('\n')
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("secret: creating the key file: %w", err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		_ = f.Close()
		return fmt.Errorf("secret: writing the key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("secret: writing the key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("secret: writing the key file: %w", err)
	}
	return nil
}

// LoadOrCreate returns sfbridge's keyring. When envValue (the value of
// [EnvKeys]) is not empty the keyring is read from it. Otherwise it is read
// from [KeyFileName] in dataDir; on the first start, when that file does not
// exist, a key is generated, the file is written with mode 0600, and log says
// so at warning level, with the path to back up.
func LoadOrCreate(dataDir, envValue string, log *slog.Logger) (*Keyring, error) {
	if strings.TrimSpace(envValue) != "" {
		return ParseKeyring(EnvKeys, envValue)
	}
	path := filepath.Join(dataDir, KeyFileName)
	kr, err := LoadKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return kr, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("secret: creating the data directory: %w", err)
	}
	id, err := newKeyID(time.Now())
	if err != nil {
		return nil, err
	}
	k, err := GenerateKey(id)
	if err != nil {
		return nil, err
	}
	if err := WriteKeyFile(path, k); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	log.Warn("generated a new secret key file; back it up, without it stored tokens and client secrets cannot be read",
		slog.String("path", path), slog.String("key_id", id))
	return NewKeyring(k)
}

// newKeyID returns an id like "k20260315-3fa9": the date, then random hex so
// that two keys made the same day differ.
func newKeyID(now time.Time) (string, error) {
	var suffix [2]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return "", fmt.Errorf("secret: naming a new key: %w", err)
	}
	return fmt.Sprintf("k%s-%x", now.UTC().Format("20060102"), suffix), nil
}
