package secret

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
)

// Redacted is what every printed or encoded form of a [Value] shows.
const Redacted = "[redacted]"

// Value is a secret held in memory: a token, a password, a client secret.
// The zero Value is the empty secret. Printing or encoding a Value in any way
// shows [Redacted]; only [Value.Reveal] returns the plaintext.
//
// Decoding (JSON, text) does accept plaintext, so API requests can carry a
// secret in; it never comes back out the same way.
type Value struct {
	s string
}

// New returns a Value holding plaintext.
func New(plaintext string) Value { return Value{s: plaintext} }

// Reveal returns the plaintext. Call it only where the secret is used (an
// HTTP header, a token request), never to print it.
func (v Value) Reveal() string { return v.s }

// IsZero reports whether the secret is empty.
func (v Value) IsZero() bool { return v.s == "" }

// Equal reports whether two values hold the same secret, in constant time
// with respect to their contents.
func (v Value) Equal(o Value) bool {
	return subtle.ConstantTimeCompare([]byte(v.s), []byte(o.s)) == 1
}

// String returns [Redacted].
func (Value) String() string { return Redacted }

// GoString returns [Redacted], so %#v does not show the plaintext.
func (Value) GoString() string { return Redacted }

// Format writes [Redacted] for every verb, so no fmt verb (%d, %x, %+v ...)
// reaches the plaintext through reflection.
func (Value) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue makes log/slog print [Redacted].
func (Value) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON encodes the value as the JSON string "[redacted]".
func (Value) MarshalJSON() ([]byte, error) { return json.Marshal(Redacted) }

// MarshalText encodes the value as [Redacted].
func (Value) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// UnmarshalJSON reads plaintext from a JSON string (or null, the empty
// secret).
func (v *Value) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("secret: decoding a secret: expected a JSON string: %w", err)
	}
	v.s = ""
	if s != nil {
		v.s = *s
	}
	return nil
}

// UnmarshalText reads plaintext.
func (v *Value) UnmarshalText(b []byte) error {
	v.s = string(b)
	return nil
}
