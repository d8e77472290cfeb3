package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const plaintext = "sk-LIVE-7d41c0ffee"

type holder struct {
	Name   string
	Token  Value
	PtrTok *Value
	List   []Value
}

func TestValueRedactsInFmt(t *testing.T) {
	t.Parallel()
	v := New(plaintext)
	h := holder{Name: "acme", Token: v, PtrTok: &v, List: []Value{v}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%T %v"} {
		for _, arg := range []any{v, &v, h, &h, []Value{v}, map[string]Value{"k": v}} {
			got := fmt.Sprintf(verb, arg)
			if strings.Contains(got, plaintext) || strings.Contains(got, fmt.Sprintf("%x", plaintext)) {
				t.Errorf("Sprintf(%q, %T) = %q leaks the secret", verb, arg, got)
			}
		}
	}
	if got := fmt.Sprint(v); got != Redacted {
		t.Errorf("Sprint = %q, want %q", got, Redacted)
	}
	if got := fmt.Sprintf("%#v", v); got != Redacted {
		t.Errorf("%%#v = %q, want %q", got, Redacted)
	}
}

func TestValueRedactsInSlog(t *testing.T) {
	t.Parallel()
	v := New(plaintext)
	for name, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(newHandler(&buf))
		log.Info("token refreshed", "token", v, slog.Any("ptr", &v), slog.Group("conn", "refresh", v), "holder", holder{Token: v})
		out := buf.String()
		if strings.Contains(out, plaintext) {
			t.Errorf("%s handler leaks the secret: %s", name, out)
		}
		if !strings.Contains(out, Redacted) {
			t.Errorf("%s handler output %s does not say %s", name, out, Redacted)
		}
	}
}

func TestValueJSON(t *testing.T) {
	t.Parallel()
	v := New(plaintext)
	b, err := json.Marshal(map[string]any{"v": v, "h": holder{Token: v, PtrTok: &v}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), plaintext) {
		t.Fatalf("JSON leaks the secret: %s", b)
	}
	if !strings.Contains(string(b), `"Token":"[redacted]"`) {
		t.Errorf("JSON = %s, want the token shown as [redacted]", b)
	}

	var in struct{ Secret Value }
	if err := json.Unmarshal([]byte(`{"Secret":"typed-in"}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.Secret.Reveal() != "typed-in" {
		t.Errorf("decoded %q, want typed-in", in.Secret.Reveal())
	}
	if err := json.Unmarshal([]byte(`{"Secret":null}`), &in); err != nil || !in.Secret.IsZero() {
		t.Errorf("null decoded to %q, %v; want the empty secret", in.Secret.Reveal(), err)
	}
	if err := json.Unmarshal([]byte(`{"Secret":12}`), &in); err == nil {
		t.Error("a number was accepted as a secret")
	}
}

func TestValueEqualAndZero(t *testing.T) {
	t.Parallel()
	if !New("a").Equal(New("a")) || New("a").Equal(New("b")) || New("a").Equal(Value{}) {
		t.Error("Equal gives wrong answers")
	}
	if !(Value{}).IsZero() || New("x").IsZero() {
		t.Error("IsZero gives wrong answers")
	}
	var v Value
	if err := v.UnmarshalText([]byte("t")); err != nil || v.Reveal() != "t" {
		t.Errorf("UnmarshalText = %q, %v", v.Reveal(), err)
	}
	if b, _ := v.MarshalText(); string(b) != Redacted {
		t.Errorf("MarshalText = %q", b)
	}
}

func TestKeyDoesNotPrintMaterial(t *testing.T) {
	t.Parallel()
	k := mustKey(t, "k1")
	enc := k.Encode()
	material := enc[strings.IndexByte(enc, '=')+1:]
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%#v", k), fmt.Sprintf("%+v", k)} {
		if strings.Contains(s, material) {
			t.Errorf("printing a key shows its material: %q", s)
		}
	}
}
