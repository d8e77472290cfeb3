package activity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRequestValidate(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	ok := Request{Key: "k", Kind: KindEmail, Recipients: []string{"ana@example.com"}, Subject: "s"}
	tests := []struct {
		name  string
		edit  func(*Request)
		field string // "" when valid
	}{
		{"valid", func(*Request) {}, ""},
		{"no key", func(r *Request) { r.Key = " " }, "key"},
		{"long key", func(r *Request) { r.Key = strings.Repeat("k", 256) }, "key"},
		{"bad kind", func(r *Request) { r.Kind = "fax" }, "kind"},
		{"no subject", func(r *Request) { r.Subject = "" }, "subject"},
		{"no recipients", func(r *Request) { r.Recipients = nil }, "recipients"},
		{"named address", func(r *Request) { r.Recipients = []string{"Ana <ana@example.com>"} }, "recipients[0]"},
		{"not an address", func(r *Request) { r.Recipients = []string{"ana@example.com", "ana"} }, "recipients[1]"},
		{"relative link", func(r *Request) { r.Link = "/deck" }, "link"},
		{"ftp link", func(r *Request) { r.Link = "ftp://example.com/deck" }, "link"},
		{"meeting without times", func(r *Request) { r.Kind = KindMeeting }, "start"},
		{"meeting ending first", func(r *Request) { r.Kind, r.Start, r.End = KindMeeting, start, start.Add(-time.Minute) }, "end"},
		{"meeting", func(r *Request) { r.Kind, r.Start, r.End = KindMeeting, start, start.Add(time.Hour) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.edit(&r)
			err := r.validate()
			var re *RequestError
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.field != "" && (!errors.As(err, &re) || re.Field != tt.field || !errors.Is(err, ErrInvalidRequest)):
				t.Errorf("err = %v, want a RequestError on %s", err, tt.field)
			}
		})
	}
}

func TestDescription(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ body, link, want string }{
		{"", "", ""}, {"b", "", "b"}, {"", "https://x", "https://x"}, {"b", "https://x", "b\n\nhttps://x"},
	} {
		r := Request{Body: tt.body, Link: tt.link}
		if got := r.description(); got != tt.want {
			t.Errorf("description(%q, %q) = %q, want %q", tt.body, tt.link, got, tt.want)
		}
	}
}

func TestMemoryStoreClaimIsAtomic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var s MemoryStore
	var wg sync.WaitGroup
	var mu sync.Mutex
	inserted := 0
	for i := range 16 {
		wg.Go(func() {
			_, ok, err := s.Claim(ctx, Entry{Key: "k", Request: Request{Subject: fmt.Sprint(i)}})
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				inserted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if inserted != 1 {
		t.Errorf("%d claims inserted, want 1", inserted)
	}
	if err := s.Put(ctx, Entry{Key: "other"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Put of an unknown key: %v", err)
	}
	if _, err := s.Get(ctx, "other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of an unknown key: %v", err)
	}
}
