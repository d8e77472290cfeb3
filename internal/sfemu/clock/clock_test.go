package clock

import (
	"testing"
	"time"
)

func TestAdvanceAndSet(t *testing.T) {
	c := New()
	a := c.Now()
	c.Advance(2 * time.Hour)
	b := c.Now()
	if d := b.Sub(a); d < 2*time.Hour || d > 2*time.Hour+time.Minute {
		t.Fatalf("after Advance(2h) the clock moved %v", d)
	}
	target := time.Date(2024, 3, 31, 23, 59, 0, 0, time.UTC)
	c.Set(target)
	if got := c.Now(); got.Sub(target) < 0 || got.Sub(target) > time.Minute {
		t.Fatalf("after Set(%v) Now() = %v", target, got)
	}
	if got := c.Now(); got.Location() != time.UTC || got.Nanosecond()%int(time.Millisecond) != 0 {
		t.Fatalf("Now() = %v, want UTC truncated to milliseconds", got)
	}
}

func TestNeverGoesBackwards(t *testing.T) {
	c := New()
	prev := c.Now()
	for range 1000 {
		n := c.Now()
		if n.Before(prev) {
			t.Fatalf("clock went back from %v to %v", prev, n)
		}
		prev = n
	}
}
