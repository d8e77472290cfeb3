package config

import (
	"fmt"
	"strings"
	"time"
)

// Bounds of an org's polling interval, the one definition the API, the CLI
// and the configuration file check against
// (docs/adr/0292-polling-frequency-bounds.md, docs/adr/0342-one-set-of-polling-bounds.md).
const (
	// MinPollInterval: polling more often than every minute spends the
	// daily API limit on checks that mostly find nothing; faster is what
	// Change Data Capture is for.
	MinPollInterval = time.Minute
	// MaxPollInterval: a day; beyond it, a workflow is better disabled.
	MaxPollInterval = 24 * time.Hour
)

// CheckPollInterval reports an org polling interval outside MinPollInterval
// to MaxPollInterval, saying which bound it crosses and what to do.
func CheckPollInterval(d time.Duration) error {
	switch {
	case d <= 0:
		return fmt.Errorf("the polling interval %s is not positive: poll every %s to %s, e.g. 5m",
			durationText(d), durationText(MinPollInterval), durationText(MaxPollInterval))
	case d < MinPollInterval:
		return fmt.Errorf("polling every %s is too often: poll every %s at the most (from %s to %s); for changes within seconds, use Change Data Capture",
			durationText(d), durationText(MinPollInterval), durationText(MinPollInterval), durationText(MaxPollInterval))
	case d > MaxPollInterval:
		return fmt.Errorf("polling every %s is too rare: poll every %s at the least (from %s to %s); to stop polling, disable the org's workflows",
			durationText(d), durationText(MaxPollInterval), durationText(MinPollInterval), durationText(MaxPollInterval))
	}
	return nil
}

// durationText writes d as people write it: "1m" and "24h" rather than
// time.Duration's "1m0s" and "24h0m0s".
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
