package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestDecodeErrorGolden decodes every body in testdata/errors and renders
// what callers can see of it: the message, the codes, the sentinels it
// matches and how the client treats it.
func TestDecodeErrorGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "errors", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no error bodies: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			status, err := strconv.Atoi(name[:3])
			if err != nil {
				t.Fatalf("file name must start with the HTTP status: %v", err)
			}
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			e := decodeError(status, "GET", "/services/data/v62.0/sobjects/Account/describe", body)
			var b strings.Builder
			fmt.Fprintf(&b, "error: %s\n", e)
			fmt.Fprintf(&b, "status: %d\ncode: %s\n", e.Status, e.Code())
			for i, d := range e.Errors {
				fmt.Fprintf(&b, "errors[%d]: code=%q fields=%q message=%q\n", i, d.Code, d.Fields, d.Message)
			}
			fmt.Fprintf(&b, "is ErrLimitExceeded: %t\nis ErrNotFound: %t\n", errors.Is(e, ErrLimitExceeded), errors.Is(e, ErrNotFound))
			fmt.Fprintf(&b, "invalid session (renew): %t\n", isInvalidSession(e))
			fmt.Fprintf(&b, "transient: %t\nretried if idempotent: %t\nretried if not: %t\n",
				IsTransient(e), retryable(e, true), retryable(e, false))
			golden(t, filepath.Join("errors", name+".golden"), b.String())
		})
	}
}

func TestErrorDetailDecodesBothCodeKeys(t *testing.T) {
	t.Parallel()
	// Collections results use statusCode; REST bodies use errorCode.
	body := `[{"id":"001","success":true,"errors":[]},
	 {"success":false,"errors":[{"statusCode":"DUPLICATES_DETECTED","message":"Use one of these records?","fields":[]}]},
	 {"success":false,"errors":[{"statusCode":"ALL_OR_NONE_OPERATION_ROLLED_BACK","message":"Record rolled back because not all records were valid and the request was using AllOrNone header","fields":[]}]}]`
	var res []saveResult
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		code      string
		transient bool
	}{
		{"", false},
		{"DUPLICATES_DETECTED", false},
		{CodeAllOrNoneRolledBack, true},
	}
	for i, tt := range tests {
		r := res[i].result()
		if tt.code == "" {
			if r.Err != nil || r.ID != "001" {
				t.Errorf("result %d = %+v, want success with id 001", i, r)
			}
			continue
		}
		if !IsCode(r.Err, tt.code) {
			t.Errorf("result %d: IsCode(%v, %s) = false", i, r.Err, tt.code)
		}
		if got := IsTransient(r.Err); got != tt.transient {
			t.Errorf("result %d: IsTransient = %t, want %t", i, got, tt.transient)
		}
		if ae, _ := errors.AsType[*APIError](r.Err); ae.Status != 0 {
			t.Errorf("result %d: status %d, want 0 for a per-record error", i, ae.Status)
		}
	}
}

func TestOAuthErrorNeedsReauth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want bool
	}{
		{"invalid_grant", true},
		{"invalid_client_id", false},
		{"invalid_request", false},
		{"rate_limit_exceeded", false},
	}
	for _, tt := range tests {
		err := fmt.Errorf("refreshing token: %w", &OAuthError{Status: 400, Code: tt.code})
		if got := errors.Is(err, ErrNeedsReauth); got != tt.want {
			t.Errorf("%s: errors.Is(ErrNeedsReauth) = %t, want %t", tt.code, got, tt.want)
		}
		if !IsCode(err, tt.code) {
			t.Errorf("%s: IsCode = false", tt.code)
		}
	}
}

func TestIsTransientTransport(t *testing.T) {
	t.Parallel()
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: "https://x", Err: err} }
	tests := []struct {
		name            string
		err             error
		transient       bool
		retryIdempotent bool
		retryOther      bool
	}{
		{"nil", nil, false, false, false},
		{"canceled", urlErr(context.Canceled), false, false, false},
		{"deadline", urlErr(context.DeadlineExceeded), false, false, false},
		{"eof", urlErr(io.EOF), true, true, false},
		{"unexpected eof", urlErr(io.ErrUnexpectedEOF), true, true, false},
		{"reset", urlErr(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), true, true, false},
		{"refused", urlErr(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true, true, true},
		{"dns", urlErr(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x"}}), true, true, true},
		{"other", errors.New("boom"), false, false, false},
		{"limit", &APIError{Status: 403, Errors: []ErrorDetail{{Code: CodeRequestLimitExceeded}}}, false, false, false},
		{"validation", &APIError{Status: 400, Errors: []ErrorDetail{{Code: "REQUIRED_FIELD_MISSING"}}}, false, false, false},
		{"bad gateway", &APIError{Status: 502, Errors: []ErrorDetail{{Message: "Bad Gateway"}}}, true, true, false},
		{"lock", &APIError{Status: 400, Errors: []ErrorDetail{{Code: CodeUnableToLockRow}}}, true, true, true},
	}
	for _, tt := range tests {
		if got := IsTransient(tt.err); got != tt.transient {
			t.Errorf("%s: IsTransient = %t, want %t", tt.name, got, tt.transient)
		}
		if got := retryable(tt.err, true); got != tt.retryIdempotent {
			t.Errorf("%s: retryable(idempotent) = %t, want %t", tt.name, got, tt.retryIdempotent)
		}
		if got := retryable(tt.err, false); got != tt.retryOther {
			t.Errorf("%s: retryable(not idempotent) = %t, want %t", tt.name, got, tt.retryOther)
		}
	}
}

func TestAmbiguousExternalIDError(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("upserting: %w", &AmbiguousExternalIDError{Object: "Whizbang", Field: "Ext__c", Value: "x",
		Matches: []string{"/services/data/v23.0/sobjects/Whizbang/foo", "/services/data/v23.0/sobjects/Whizbang/bar"}})
	if !errors.Is(err, ErrMultipleMatches) {
		t.Error("not ErrMultipleMatches")
	}
	if !strings.Contains(err.Error(), "matches 2 records") {
		t.Errorf("message %q does not say how many records match", err)
	}
}
