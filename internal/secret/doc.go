// Package secret keeps sfbridge's secrets — OAuth access and refresh tokens,
// connected-app client secrets — encrypted at rest, and out of logs.
//
// A [Value] holds a secret in memory. Every way Go prints or encodes a value
// (fmt verbs, %#v, JSON, text, log/slog) shows "[redacted]"; only
// [Value.Reveal] returns the plaintext, so a secret reaches a log line only
// if someone wrote Reveal next to it.
//
// A [Keyring] seals values with AES-256-GCM. It holds one or more 32-byte keys,
// each with an id; the first key is the primary one and seals new data, the
// others only open what they sealed earlier. The sealed form is
//
//	version (1 byte, = 1) | id length (1 byte) | key id | nonce (12 bytes) | ciphertext and tag
//
// and the header plus a caller-chosen context string ("orgs.client_secret")
// are authenticated as GCM additional data: a sealed value cannot be altered,
// relabelled with another key id, or moved to a column of another purpose
// without [Keyring.Open] failing. [Keyring.Reseal] re-encrypts a value under
// the primary key; the store runs it over every stored secret to rotate keys.
//
// Keys come from the SFBRIDGE_SECRET_KEYS environment variable or from a key
// file ("id=base64" per line, the first is the primary). [LoadOrCreate]
// generates the key file, with mode 0600, on the first start.
//
// Decision record: docs/adr/0044-secrets-at-rest.md.
package secret
