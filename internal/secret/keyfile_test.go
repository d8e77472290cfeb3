package secret

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestParseKeyring(t *testing.T) {
	t.Parallel()
	k1, k2 := mustKey(t, "k1"), mustKey(t, "k2")
	good16 := "AAAAAAAAAAAAAAAAAAAAAA=="
	tests := []struct {
		name    string
		text    string
		primary string
		ids     []string
		errLike string // substring of the error; "" when the text is valid
		where   string // KeyError.where() when errLike is set and the error is a KeyError
	}{
		{name: "one line", text: k1.Encode(), primary: "k1", ids: []string{"k1"}},
		{name: "file with comments", text: "# keys\n\n" + k2.Encode() + "\n# old\n" + k1.Encode() + "\n", primary: "k2", ids: []string{"k2", "k1"}},
		{name: "env commas and spaces", text: " " + k2.Encode() + " , " + k1.Encode() + " ", primary: "k2", ids: []string{"k2", "k1"}},
		{name: "no separator", text: "k1", errLike: "found no '='", where: "test:1"},
		{name: "no id", text: "=" + strings.TrimPrefix(k1.Encode(), "k1="), errLike: "no id", where: "test:1"},
		{name: "bad base64", text: "k1=not base64!", errLike: "not valid base64", where: "test:1"},
		{name: "short key", text: "k1=" + good16, errLike: "is 16 bytes", where: "test:1"},
		{name: "duplicate id", text: k1.Encode() + "\n" + k1.Encode(), errLike: "already used at test:1", where: "test:2"},
		{name: "bad id", text: "k 1=" + strings.TrimPrefix(k1.Encode(), "k1="), errLike: "character ' '", where: "test:1"},
		{name: "only comments", text: "# nothing, really\n", errLike: "no key"},
		{name: "second entry of the variable", text: k1.Encode() + ",k2=xx", errLike: "not valid base64", where: "test:1 entry 2"},
		{name: "third line of the file", text: "# keys, primary first\n" + k1.Encode() + "\nk2=AAAA", errLike: "is 3 bytes", where: "test:3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr, err := ParseKeyring("test", tt.text)
			if tt.errLike != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errLike) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.errLike)
				}
				var ke *KeyError
				if tt.where != "" && (!errors.As(err, &ke) || ke.where() != tt.where) {
					t.Fatalf("error %v: want a KeyError at %s", err, tt.where)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if kr.PrimaryID() != tt.primary || strings.Join(kr.IDs(), ",") != strings.Join(tt.ids, ",") {
				t.Errorf("keyring = primary %q ids %v, want %q %v", kr.PrimaryID(), kr.IDs(), tt.primary, tt.ids)
			}
		})
	}
}

func TestParseKeyringKeepsKeysUsable(t *testing.T) {
	t.Parallel()
	k := mustKey(t, "k1")
	a := mustKeyring(t, k)
	sealed, _ := a.Seal(New("v"), "c")
	b, err := ParseKeyring("test", k.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if v, err := b.Open(sealed, "c"); err != nil || v.Reveal() != "v" {
		t.Fatalf("a parsed key does not open what the original sealed: %v", err)
	}
}

func TestLoadOrCreateFirstStart(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	kr, err := LoadOrCreate(dir, "", log)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeyFileName)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", info.Mode().Perm())
	}
	if !regexp.MustCompile(`^k\d{8}-[0-9a-f]{4}$`).MatchString(kr.PrimaryID()) {
		t.Errorf("generated key id %q does not look like kYYYYMMDD-xxxx", kr.PrimaryID())
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), path) {
		t.Errorf("first start did not say where the new key file is: %q", logs.String())
	}
	sealed, _ := kr.Seal(New("v"), "c")

	logs.Reset()
	again, err := LoadOrCreate(dir, "", log)
	if err != nil {
		t.Fatal(err)
	}
	if logs.Len() != 0 {
		t.Errorf("second start logged %q", logs.String())
	}
	if v, err := again.Open(sealed, "c"); err != nil || v.Reveal() != "v" {
		t.Fatalf("second start loaded another key: %v", err)
	}
}

func TestLoadOrCreatePrefersEnvironment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k := mustKey(t, "from-env")
	kr, err := LoadOrCreate(dir, k.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if kr.PrimaryID() != "from-env" {
		t.Errorf("primary = %q, want from-env", kr.PrimaryID())
	}
	if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a key file was written although the environment holds the keys: %v", err)
	}
	if _, err := LoadOrCreate(dir, "broken", nil); err == nil || !strings.Contains(err.Error(), EnvKeys) {
		t.Errorf("a bad variable: error = %v, want it to name %s", err, EnvKeys)
	}
}

func TestLoadKeyFileRefusesOpenMode(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), KeyFileName)
	if err := WriteKeyFile(path, mustKey(t, "k1")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadKeyFile(path)
	if !errors.Is(err, ErrKeyFileMode) || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("error = %v, want ErrKeyFileMode with the fix", err)
	}
	if err := WriteKeyFile(path, mustKey(t, "k2")); err == nil {
		t.Error("WriteKeyFile overwrote an existing key file")
	}
}

func FuzzParseKeyring(f *testing.F) {
	f.Add("k1=" + strings.Repeat("A", 43) + "=")
	f.Add("# c\nk1=AAAA,k2=BBBB")
	f.Add("=,=\n")
	f.Fuzz(func(t *testing.T, text string) {
		kr, err := ParseKeyring("fuzz", text)
		if err != nil {
			return
		}
		sealed, err := kr.Seal(New("x"), "c")
		if err != nil {
			t.Fatal(err)
		}
		if v, err := kr.Open(sealed, "c"); err != nil || v.Reveal() != "x" {
			t.Fatalf("a parsed keyring cannot round-trip: %v", err)
		}
	})
}
