package salesforce

import (
	"testing"
	"time"
)

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxAttempts: 10, Base: 500 * time.Millisecond, Cap: 30 * time.Second}
	tests := []struct {
		retry   int
		ceiling time.Duration
	}{
		{0, 500 * time.Millisecond}, // treated as the first retry
		{1, 500 * time.Millisecond},
		{2, time.Second},
		{3, 2 * time.Second},
		{6, 16 * time.Second},
		{7, 30 * time.Second}, // 32s capped
		{40, 30 * time.Second},
		{200, 30 * time.Second}, // no overflow
	}
	for _, tt := range tests {
		lo, hi := tt.ceiling, time.Duration(0)
		for range 2000 {
			d := p.Backoff(tt.retry)
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo < tt.ceiling/2 || hi > tt.ceiling {
			t.Errorf("Backoff(%d) ranged over [%s, %s], want within [%s, %s]", tt.retry, lo, hi, tt.ceiling/2, tt.ceiling)
		}
		// 2000 draws from a uniform range must not all land on one value:
		// the delay is jittered.
		if lo == hi {
			t.Errorf("Backoff(%d) always %s: no jitter", tt.retry, lo)
		}
	}
}

func TestRetryPolicyValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		p       RetryPolicy
		wantErr bool
	}{
		{"defaults", RetryPolicy{}.withDefaults(), false},
		{"no retries", RetryPolicy{MaxAttempts: 1}.withDefaults(), false},
		{"negative attempts", RetryPolicy{MaxAttempts: -1}.withDefaults(), true},
		{"negative base", RetryPolicy{Base: -time.Second}.withDefaults(), true},
		{"cap below base", RetryPolicy{Base: time.Minute, Cap: time.Second}, true},
	}
	for _, tt := range tests {
		if err := tt.p.validate(); (err != nil) != tt.wantErr {
			t.Errorf("%s: validate() = %v, want error %t", tt.name, err, tt.wantErr)
		}
	}
	if d := DefaultRetryPolicy(); d.MaxAttempts != 4 || d.Base != 500*time.Millisecond || d.Cap != 30*time.Second {
		t.Errorf("DefaultRetryPolicy() = %+v, not what RetryPolicy documents", d)
	}
}
