package secret

import (
	"errors"
	"fmt"
)

var (
	// ErrMalformed means sealed data is not in a format this version of
	// sfbridge reads: truncated, or written with an unknown format version.
	ErrMalformed = errors.New("secret: malformed sealed data")

	// ErrUnknownKey means sealed data names a key id that is not in the
	// keyring: the key it was sealed with has been removed.
	ErrUnknownKey = errors.New("secret: sealed with a key that is not in the keyring")

	// ErrTampered means sealed data failed authentication: it was altered,
	// the key with its id is not the key that sealed it, or it was sealed for
	// another context.
	ErrTampered = errors.New("secret: sealed data failed authentication")

	// ErrNoKeys means a keyring source holds no key at all.
	ErrNoKeys = errors.New("secret: no key")

	// ErrKeyFileMode means the key file can be read by users other than its
	// owner.
	ErrKeyFileMode = errors.New("secret: key file is readable by other users")
)

// KeyError reports a key that cannot be used, and where it was found.
type KeyError struct {
	Source string // the key file path or the environment variable name
	Line   int    // 1-based line
	Entry  int    // 1-based position among the comma-separated entries of the line, 0 when the line has one
	KeyID  string // the key's id, when it could be read
	Reason string // what is wrong and how to fix it
}

func (e *KeyError) Error() string {
	s := "secret: " + e.where()
	if e.KeyID != "" {
		s += fmt.Sprintf(" (key %q)", e.KeyID)
	}
	return s + ": " + e.Reason
}

// where is "source:line" or "source:line entry n".
func (e *KeyError) where() string {
	w := fmt.Sprintf("%s:%d", e.Source, e.Line)
	if e.Entry > 0 {
		w += fmt.Sprintf(" entry %d", e.Entry)
	}
	return w
}
