package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are the argon2id costs for new password hashes. A stored
// hash carries its own parameters, so raising them affects new hashes only.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultPasswordParams are OWASP's first argon2id configuration (19 MiB, 2
// passes, 1 lane): about 0.1 s a hash on a small server, and little memory
// per concurrent login.
var DefaultPasswordParams = PasswordParams{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// HashPassword returns the argon2id hash of password in the PHC string format
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), with a fresh random salt.
func (p PasswordParams) HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hashing a password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches encoded, a hash made by
// [PasswordParams.HashPassword] with any parameters. The comparison takes
// constant time. An error means encoded is not such a hash.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, key, err := parsePasswordHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

func parsePasswordHash(encoded string) (PasswordParams, []byte, []byte, error) {
	var p PasswordParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: not an argon2id PHC string", ErrBadPasswordHash)
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("%w: version %q, want v=%d", ErrBadPasswordHash, parts[2], argon2.Version)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Time == 0 || p.Threads == 0 {
		return p, nil, nil, fmt.Errorf("%w: parameters %q", ErrBadPasswordHash, parts[3])
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: salt: %v", ErrBadPasswordHash, err)
	}
	key, err := enc.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return p, nil, nil, fmt.Errorf("%w: hash: %v", ErrBadPasswordHash, err)
	}
	return p, salt, key, nil
}

// TokenPrefix starts every personal API token, so secret scanners and people
// recognise one ("sfbp_" + 43 base64url characters).
const TokenPrefix = "sfbp_"

// NewSecret returns a fresh random secret of 256 bits, base64url-encoded,
// after prefix: session ids use no prefix, personal API tokens [TokenPrefix].
func NewSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a secret: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret returns the hex SHA-256 of a secret made by [NewSecret]: what is
// stored and looked up, so a leaked database holds no usable session or
// token. A fast hash is enough: the secrets carry 256 random bits.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
