package salesforce

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// RetryPolicy says how often and how patiently the client repeats a call
// that failed transiently. See docs/adr/0052-client-retries.md.
type RetryPolicy struct {
	// MaxAttempts is the number of times a call is sent, the first included.
	// Default 4; 1 disables retries.
	MaxAttempts int
	// Base is the delay before the first retry; each further retry doubles
	// it. Default 500ms.
	Base time.Duration
	// Cap bounds any single delay. Default 30s.
	Cap time.Duration
	// OnRetry, if set, is called before each retry (after slog at debug).
	OnRetry func(RetryEvent)
}

// RetryEvent describes one retry about to happen.
type RetryEvent struct {
	Method, Path string
	Attempt      int           // the attempt that failed, from 1
	Delay        time.Duration // the wait before the next attempt
	Err          error         // why the attempt failed
}

// DefaultRetryPolicy returns the defaults documented on RetryPolicy.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, Base: 500 * time.Millisecond, Cap: 30 * time.Second}
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxAttempts == 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.Base == 0 {
		p.Base = d.Base
	}
	if p.Cap == 0 {
		p.Cap = d.Cap
	}
	return p
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1:
		return fmt.Errorf("retry max attempts is %d: set it to 1 (no retries) or more", p.MaxAttempts)
	case p.Base <= 0:
		return fmt.Errorf("retry base delay is %s: set a positive duration such as 500ms", p.Base)
	case p.Cap < p.Base:
		return fmt.Errorf("retry cap %s is below the base delay %s: raise the cap", p.Cap, p.Base)
	}
	return nil
}

// Backoff returns the delay before retry number retry (1 for the first
// retry): an exponential ceiling min(Cap, Base·2^(retry-1)) with "equal
// jitter", uniformly drawn from [ceiling/2, ceiling], so that clients that
// failed together do not retry together, yet each waits at least half the
// ceiling.
func (p RetryPolicy) Backoff(retry int) time.Duration {
	ceiling := p.Cap
	if retry < 1 {
		retry = 1
	}
	if shift := retry - 1; shift < 62 && p.Base <= p.Cap>>shift {
		ceiling = p.Base << shift
	}
	half := ceiling / 2
	return half + rand.N(ceiling-half+1)
}

// retryable reports whether a failed attempt may be sent again. idempotent
// says whether sending the request twice has the effect of sending it once.
//
// Salesforce rolls a transaction back on 503 SERVER_UNAVAILABLE, 500
// UNKNOWN_EXCEPTION and UNABLE_TO_LOCK_ROW, so those are retried for any
// request. Other 5xx (gateways) and dropped connections leave us not knowing
// whether the work was done: retried only when idempotent. A connection that
// was never established is retried always. 4xx (validation, limits,
// permissions) never are; 401 is handled by session renewal, not here.
func retryable(err error, idempotent bool) bool {
	if ae, ok := errors.AsType[*APIError](err); ok {
		if ae.hasCode(CodeRequestLimitExceeded) {
			return false
		}
		if ae.hasAnyCode(transientCodes) || ae.Status == http.StatusServiceUnavailable {
			return true
		}
		switch ae.Status {
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
			return idempotent
		}
		return false
	}
	switch connectionError(err) {
	case connNotSent:
		return true
	case connDropped:
		return idempotent
	}
	return false
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
