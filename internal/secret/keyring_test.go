package secret

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func mustKey(t *testing.T, id string) Key {
	t.Helper()
	k, err := GenerateKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustKeyring(t *testing.T, primary Key, older ...Key) *Keyring {
	t.Helper()
	kr, err := NewKeyring(primary, older...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	kr := mustKeyring(t, mustKey(t, "k1"))
	for _, plain := range []string{"", "x", "00Dxx0000001gPL!AQ4AQFOo.token", strings.Repeat("é", 5000)} {
		sealed, err := kr.Seal(New(plain), "orgs.client_secret")
		if err != nil {
			t.Fatal(err)
		}
		// A short plaintext ("x") turns up in random bytes by chance; only
		// one long enough not to says something.
		if len(plain) >= 8 && bytes.Contains(sealed, []byte(plain)) {
			t.Fatalf("sealed data contains the plaintext")
		}
		if got, want := len(sealed), 2+len("k1")+nonceSize+len(plain)+tagSize; got != want {
			t.Errorf("sealed length = %d, want %d", got, want)
		}
		if sealed[0] != formatVersion {
			t.Errorf("version byte = %d, want %d", sealed[0], formatVersion)
		}
		id, err := KeyID(sealed)
		if err != nil || id != "k1" {
			t.Errorf("KeyID = %q, %v; want k1", id, err)
		}
		got, err := kr.Open(sealed, "orgs.client_secret")
		if err != nil {
			t.Fatal(err)
		}
		if got.Reveal() != plain {
			t.Errorf("Open = %q, want %q", got.Reveal(), plain)
		}
	}
}

func TestGenerateKey(t *testing.T) {
	t.Parallel()
	a, b := mustKey(t, "k1"), mustKey(t, "k1")
	if a.ID() != "k1" || a.Encode() == b.Encode() || !strings.HasPrefix(a.Encode(), "k1=") {
		t.Errorf("two generated keys: %s, %s", a.ID(), b.ID())
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	t.Parallel()
	kr := mustKeyring(t, mustKey(t, "k1"))
	a, _ := kr.Seal(New("same"), "c")
	b, _ := kr.Seal(New("same"), "c")
	if bytes.Equal(a, b) {
		t.Fatal("sealing the same value twice gave the same bytes: nonce reused")
	}
}

func TestOpenDetectsTampering(t *testing.T) {
	t.Parallel()
	kr := mustKeyring(t, mustKey(t, "key-one"), mustKey(t, "key-two"))
	sealed, err := kr.Seal(New("refresh-token"), "connections.refresh_token")
	if err != nil {
		t.Fatal(err)
	}
	header := 2 + len("key-one")
	tests := []struct {
		name   string
		mutate func([]byte) []byte
		want   error
	}{
		{"version", func(b []byte) []byte { b[0] = 2; return b }, ErrMalformed},
		{"id length to zero", func(b []byte) []byte { b[1] = 0; return b }, ErrMalformed},
		{"id length past end", func(b []byte) []byte { b[1] = 255; return b }, ErrMalformed},
		{"id to unknown", func(b []byte) []byte { b[2] = 'K'; return b }, ErrUnknownKey},
		{"id to the other key", func(b []byte) []byte { copy(b[2:], "key-two"); return b }, ErrTampered},
		{"nonce", func(b []byte) []byte { b[header] ^= 1; return b }, ErrTampered},
		{"ciphertext", func(b []byte) []byte { b[header+nonceSize] ^= 0x80; return b }, ErrTampered},
		{"tag", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, ErrTampered},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }, ErrTampered},
		{"cut to the header", func(b []byte) []byte { return b[:header+nonceSize] }, ErrMalformed},
		{"empty", func([]byte) []byte { return nil }, ErrMalformed},
		{"appended byte", func(b []byte) []byte { return append(b, 0) }, ErrTampered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.mutate(bytes.Clone(sealed))
			_, err := kr.Open(b, "connections.refresh_token")
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open(tampered) error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestOpenRefusesAnotherContext(t *testing.T) {
	t.Parallel()
	kr := mustKeyring(t, mustKey(t, "k1"))
	sealed, _ := kr.Seal(New("s"), "orgs.client_secret")
	if _, err := kr.Open(sealed, "connections.access_token"); !errors.Is(err, ErrTampered) {
		t.Fatalf("Open with another context: error = %v, want ErrTampered", err)
	}
}

func TestOpenWithWrongKey(t *testing.T) {
	t.Parallel()
	sealer := mustKeyring(t, mustKey(t, "k1"))
	sealed, _ := sealer.Seal(New("s"), "c")

	sameIDOtherMaterial := mustKeyring(t, mustKey(t, "k1"))
	if _, err := sameIDOtherMaterial.Open(sealed, "c"); !errors.Is(err, ErrTampered) {
		t.Errorf("Open with another key of the same id: error = %v, want ErrTampered", err)
	}
	otherID := mustKeyring(t, mustKey(t, "k2"))
	_, err := otherID.Open(sealed, "c")
	if !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Open without the key: error = %v, want ErrUnknownKey", err)
	}
	if !strings.Contains(err.Error(), `"k1"`) {
		t.Errorf("error %q does not name the missing key", err)
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	k1, k2 := mustKey(t, "k1"), mustKey(t, "k2")
	old := mustKeyring(t, k1)
	sealed, _ := old.Seal(New("token"), "c")

	rotating := mustKeyring(t, k2, k1) // new primary, old key kept
	if v, err := rotating.Open(sealed, "c"); err != nil || v.Reveal() != "token" {
		t.Fatalf("old key no longer opens its data: %q, %v", v.Reveal(), err)
	}
	fresh, _ := rotating.Seal(New("new"), "c")
	if id, _ := KeyID(fresh); id != "k2" {
		t.Errorf("new data sealed with %q, want the primary k2", id)
	}

	resealed, changed, err := rotating.Reseal(sealed, "c")
	if err != nil || !changed {
		t.Fatalf("Reseal = changed %v, %v; want a change", changed, err)
	}
	if id, _ := KeyID(resealed); id != "k2" {
		t.Errorf("resealed with %q, want k2", id)
	}
	again, changed, err := rotating.Reseal(resealed, "c")
	if err != nil || changed || !bytes.Equal(again, resealed) {
		t.Errorf("Reseal of primary-sealed data changed it (changed=%v, err=%v)", changed, err)
	}

	retired := mustKeyring(t, k2) // k1 removed once everything is resealed
	if v, err := retired.Open(resealed, "c"); err != nil || v.Reveal() != "token" {
		t.Fatalf("after rotation: %q, %v", v.Reveal(), err)
	}
	if _, err := retired.Open(sealed, "c"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("data sealed with a retired key: error = %v, want ErrUnknownKey", err)
	}
	if _, _, err := retired.Reseal(sealed, "c"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Reseal of data sealed with a retired key: error = %v, want ErrUnknownKey", err)
	}
}

func TestNewKeyringRejects(t *testing.T) {
	t.Parallel()
	k := mustKey(t, "k1")
	if _, err := NewKeyring(k, k); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate ids: error = %v", err)
	}
	if _, err := NewKeyring(Key{}); err == nil {
		t.Error("a key without id was accepted")
	}
	for _, id := range []string{"", "has space", "slash/", strings.Repeat("a", 65)} {
		if _, err := GenerateKey(id); err == nil {
			t.Errorf("GenerateKey(%q) accepted a bad id", id)
		}
	}
}

func FuzzOpen(f *testing.F) {
	kr, err := NewKeyring(Key{id: "k1"})
	if err != nil {
		f.Fatal(err)
	}
	good, _ := kr.Seal(New("seed"), "c")
	f.Add(good)
	f.Add([]byte{1, 2, 'k', '1'})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := kr.Open(b, "c")
		// The key is fixed (all zeros) but nonces are random, so workers
		// that re-run this setup seal "seed" differently: any input that
		// opens must be one of those seals.
		if err == nil && v.Reveal() != "seed" {
			t.Fatalf("Open accepted forged data %x as %q", b, v.Reveal())
		}
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrTampered) {
			t.Fatalf("Open error %v wraps none of the sentinels", err)
		}
	})
}
