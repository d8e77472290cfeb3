package sfemu

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/org"
)

// BenchmarkStartDemo measures a start on the demo seed (the goal is under
// a second).
func BenchmarkStartDemo(b *testing.B) {
	for b.Loop() {
		if _, err := New(Options{Seed: "demo"}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchFixture is an emulator on loopback HTTP with n accounts and an
// admin token.
func benchFixture(b *testing.B, n int) (base, token string) {
	b.Helper()
	e, err := New(Options{Seed: "empty"})
	if err != nil {
		b.Fatal(err)
	}
	o := e.world().org
	for i := range n {
		if _, err := o.CreateValues(context.Background(), o.System(), "Account", org.Values{"Name": fmt.Sprintf("Account %06d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	_ = e.SetAPILimit(1 << 30)
	srv := newServerB(b, e)
	tok, _, err := e.Auth().Login("sfbridge-dev", "admin@example.com")
	if err != nil {
		b.Fatal(err)
	}
	return srv, tok
}

func newServerB(b *testing.B, e *Emulator) string {
	b.Helper()
	srv := httptest.NewServer(e)
	b.Cleanup(srv.Close)
	return srv.URL
}

// BenchmarkCreate is REST creates over loopback HTTP, one at a time.
func BenchmarkCreate(b *testing.B) {
	base, token := benchFixture(b, 0)
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, base+"/services/data/v60.0/sobjects/Account", strings.NewReader(`{"Name":"Bench"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkQueryPages reads 20,000 accounts through query and queryMore
// pages of 2,000 over loopback HTTP; records/s is the figure to watch.
func BenchmarkQueryPages(b *testing.B) {
	const n = 20000
	base, token := benchFixture(b, n)
	q := "/services/data/v60.0/query?q=" + url.QueryEscape("SELECT Id, Name, CreatedDate FROM Account ORDER BY Name")
	for b.Loop() {
		next, pages := q, 0
		for next != "" {
			req, _ := http.NewRequest(http.MethodGet, base+next, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			next = ""
			if i := strings.Index(string(body), `"nextRecordsUrl":"`); i >= 0 {
				rest := string(body[i+len(`"nextRecordsUrl":"`):])
				next = rest[:strings.IndexByte(rest, '"')]
			}
			pages++
		}
		if pages != n/2000 {
			b.Fatalf("%d pages", pages)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}
