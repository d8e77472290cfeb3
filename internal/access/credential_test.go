package access

import (
	"errors"
	"strings"
	"testing"
)

// cheap keeps the tests fast; the format and verification do not depend on
// the costs.
var cheap = PasswordParams{Memory: 64, Time: 1, Threads: 1}

func TestPasswordRoundTrip(t *testing.T) {
	t.Parallel()
	hash, err := cheap.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string with the given parameters", hash)
	}
	again, _ := cheap.HashPassword("correct horse battery staple")
	if again == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, tt := range []struct {
		password string
		want     bool
	}{
		{"correct horse battery staple", true},
		{"correct horse battery stapl", false},
		{"", false},
	} {
		ok, err := VerifyPassword(hash, tt.password)
		if err != nil || ok != tt.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tt.password, ok, err, tt.want)
		}
	}
}

// A stored hash keeps its parameters: verification works after the defaults
// change.
func TestVerifyPasswordUsesStoredParams(t *testing.T) {
	t.Parallel()
	hash, err := PasswordParams{Memory: 128, Time: 2, Threads: 2}.HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := VerifyPassword(hash, "pw"); !ok || err != nil {
		t.Fatalf("VerifyPassword = %v, %v", ok, err)
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	t.Parallel()
	for _, hash := range []string{
		"",
		"plaintext",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
		"$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$aGFzaA",
		"$argon2id$v=19$m=64;t=1;p=1$c2FsdHNhbHQ$aGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$",
	} {
		if _, err := VerifyPassword(hash, "pw"); !errors.Is(err, ErrBadPasswordHash) {
			t.Errorf("VerifyPassword(%q) error = %v, want ErrBadPasswordHash", hash, err)
		}
	}
}

func FuzzVerifyPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "pw")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$$x", "")
	f.Fuzz(func(t *testing.T, hash, password string) {
		p, _, _, err := parsePasswordHash(hash)
		if err != nil || p.Memory > 1024 || p.Time > 2 || p.Threads > 4 {
			return // keep each run cheap; parsing itself must not panic
		}
		_, _ = VerifyPassword(hash, password)
	})
}

func TestSecrets(t *testing.T) {
	t.Parallel()
	a, err := NewSecret(TokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSecret(TokenPrefix)
	if a == b || !strings.HasPrefix(a, TokenPrefix) || len(a) != len(TokenPrefix)+43 {
		t.Fatalf("NewSecret = %q, %q", a, b)
	}
	if HashSecret(a) == HashSecret(b) || HashSecret(a) != HashSecret(a) || len(HashSecret(a)) != 64 {
		t.Error("HashSecret is not a stable per-secret SHA-256")
	}
	// The SHA-256 of "abc", from FIPS 180-2.
	if got := HashSecret("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashSecret(abc) = %s", got)
	}
}
