package jobs_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/jobs"
	"github.com/sfbridge/sfbridge/internal/jobs/jobstest"
)

func TestRiverSQLite(t *testing.T) {
	t.Parallel()

	jobstest.Exercise(t, func(t *testing.T) jobstest.Open {
		db, err := jobs.OpenSQLite(filepath.Join(t.TempDir(), "jobs.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return func(h jobs.Handlers) jobs.Scheduler {
			s, err := jobs.NewSQLite(t.Context(), db, h, jobs.Config{
				PollInterval: 50 * time.Millisecond,
				StopTimeout:  100 * time.Millisecond,
			})
			if err != nil {
				t.Fatalf("NewSQLite: %v", err)
			}
			return s
		}
	})
}
