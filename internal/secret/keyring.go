package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

const (
	// KeySize is the length of a key in bytes (AES-256).
	KeySize = 32

	// formatVersion is the first byte of every sealed value.
	formatVersion byte = 1

	nonceSize = 12 // the GCM standard nonce
	tagSize   = 16 // the GCM tag

	maxKeyIDLen = 64
)

// Key is one AES-256 key with its id. Its material never leaves the package
// except through [Key.Encode], which writes key files.
type Key struct {
	id       string
	material [KeySize]byte
}

// ID returns the key's id.
func (k Key) ID() string { return k.id }

// Encode returns the key as a key-file entry: "id=base64".
func (k Key) Encode() string {
	return k.id + "=" + base64.StdEncoding.EncodeToString(k.material[:])
}

// String shows the key id only.
func (k Key) String() string { return "key " + k.id }

// GoString shows the key id only, so %#v does not print the material.
func (k Key) GoString() string { return k.String() }

// GenerateKey returns a new random key with the given id.
func GenerateKey(id string) (Key, error) {
	if reason := checkKeyID(id); reason != "" {
		return Key{}, fmt.Errorf("secret: generating a key: %s", reason)
	}
	k := Key{id: id}
	if _, err := rand.Read(k.material[:]); err != nil {
		return Key{}, fmt.Errorf("secret: generating a key: %w", err)
	}
	return k, nil
}

// parseKey reads a key from its id and its base64 (standard alphabet) form.
// It returns the reason the key is unusable, phrased for a user, or "".
func parseKey(id, b64 string) (Key, string) {
	if reason := checkKeyID(id); reason != "" {
		return Key{}, reason
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return Key{}, "the key is not valid base64 (standard alphabet, with padding); " + generateHint
	}
	if len(raw) != KeySize {
		return Key{}, fmt.Sprintf("the key is %d bytes, keys are %d random bytes; %s", len(raw), KeySize, generateHint)
	}
	k := Key{id: id}
	copy(k.material[:], raw)
	return k, ""
}

const generateHint = "generate one with: openssl rand -base64 32"

// checkKeyID returns why id cannot be a key id, or "".
func checkKeyID(id string) string {
	if id == "" {
		return `the key has no id; write it as "id=base64"`
	}
	if len(id) > maxKeyIDLen {
		return fmt.Sprintf("the key id is %d characters long, the limit is %d", len(id), maxKeyIDLen)
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return fmt.Sprintf("the key id %q has the character %q; use letters, digits, '-', '_' and '.'", id, r)
		}
	}
	return ""
}

// Keyring seals secrets with its primary key and opens what any of its keys
// sealed. It is safe for concurrent use.
type Keyring struct {
	primary string
	aeads   map[string]cipher.AEAD
	order   []string
}

// NewKeyring returns a keyring whose primary key is primary; older keys only
// open values they sealed. Key ids must be distinct.
func NewKeyring(primary Key, older ...Key) (*Keyring, error) {
	kr := &Keyring{primary: primary.id, aeads: make(map[string]cipher.AEAD, 1+len(older))}
	for _, k := range append([]Key{primary}, older...) {
		if reason := checkKeyID(k.id); reason != "" {
			return nil, fmt.Errorf("secret: building a keyring: %s", reason)
		}
		if _, dup := kr.aeads[k.id]; dup {
			return nil, fmt.Errorf("secret: building a keyring: the key id %q appears twice; give each key its own id", k.id)
		}
		block, err := aes.NewCipher(k.material[:])
		if err != nil {
			return nil, fmt.Errorf("secret: building a keyring: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("secret: building a keyring: %w", err)
		}
		kr.aeads[k.id] = aead
		kr.order = append(kr.order, k.id)
	}
	return kr, nil
}

// PrimaryID returns the id of the key that seals new data.
func (kr *Keyring) PrimaryID() string { return kr.primary }

// IDs returns the key ids, primary first.
func (kr *Keyring) IDs() []string { return append([]string(nil), kr.order...) }

// Seal encrypts v with the primary key. context names what the secret is for
// ("orgs.client_secret"); the same context must be given to [Keyring.Open].
func (kr *Keyring) Seal(v Value, context string) ([]byte, error) {
	id := kr.primary
	aead := kr.aeads[id]
	out := make([]byte, 0, 2+len(id)+nonceSize+len(v.s)+tagSize)
	out = append(out, formatVersion, byte(len(id)))
	out = append(out, id...)
	header := len(out)
	out = append(out, make([]byte, nonceSize)...)
	nonce := out[header:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("secret: sealing: reading a nonce: %w", err)
	}
	return aead.Seal(out, nonce, []byte(v.s), additionalData(out[:header], context)), nil
}

// Open decrypts sealed data. The error wraps [ErrMalformed], [ErrUnknownKey]
// or [ErrTampered].
func (kr *Keyring) Open(sealed []byte, context string) (Value, error) {
	id, header, err := parseHeader(sealed)
	if err != nil {
		return Value{}, err
	}
	aead, ok := kr.aeads[id]
	if !ok {
		return Value{}, fmt.Errorf("%w: key %q (the keyring has %v); add that key back to the keyring, after the primary one", ErrUnknownKey, id, kr.order)
	}
	nonce := sealed[header : header+nonceSize]
	plain, err := aead.Open(nil, nonce, sealed[header+nonceSize:], additionalData(sealed[:header], context))
	if err != nil {
		return Value{}, fmt.Errorf("%w: key %q, context %q: the data was altered, the key with that id is not the one that sealed it, or it was sealed for another context", ErrTampered, id, context)
	}
	return Value{s: string(plain)}, nil
}

// Reseal re-encrypts sealed data under the primary key. When it is already
// sealed with the primary key it is returned unchanged, with resealed false.
func (kr *Keyring) Reseal(sealed []byte, context string) (out []byte, resealed bool, err error) {
	id, err := KeyID(sealed)
	if err != nil {
		return nil, false, err
	}
	if id == kr.primary {
		return sealed, false, nil
	}
	v, err := kr.Open(sealed, context)
	if err != nil {
		return nil, false, err
	}
	out, err = kr.Seal(v, context)
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// KeyID returns the id of the key that sealed data, without opening it.
func KeyID(sealed []byte) (string, error) {
	id, _, err := parseHeader(sealed)
	return id, err
}

// parseHeader returns the key id of sealed data and the length of its header
// (version, id length, id), checking that a nonce and a tag follow.
func parseHeader(sealed []byte) (id string, header int, err error) {
	if len(sealed) < 2 {
		return "", 0, fmt.Errorf("%w: %d bytes is shorter than any sealed value", ErrMalformed, len(sealed))
	}
	if sealed[0] != formatVersion {
		return "", 0, fmt.Errorf("%w: format version %d, this sfbridge reads version %d; was it written by a newer sfbridge?", ErrMalformed, sealed[0], formatVersion)
	}
	header = 2 + int(sealed[1])
	if sealed[1] == 0 || len(sealed) < header+nonceSize+tagSize {
		return "", 0, fmt.Errorf("%w: truncated (%d bytes)", ErrMalformed, len(sealed))
	}
	return string(sealed[2:header]), header, nil
}

// additionalData is what GCM authenticates besides the ciphertext: the header
// (so the key id cannot be relabelled) and the context.
func additionalData(header []byte, context string) []byte {
	ad := make([]byte, 0, len(header)+len(context))
	ad = append(ad, header...)
	return append(ad, context...)
}
