package jobs_test

import (
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/jobs"
	"github.com/sfbridge/sfbridge/internal/jobs/jobstest"
	"github.com/sfbridge/sfbridge/internal/store/postgres"
	"github.com/sfbridge/sfbridge/internal/store/postgres/pgtest"
)

// TestRiverPostgres runs the scheduler suite on River's PostgreSQL driver,
// on a fresh database of $SFBRIDGE_TEST_POSTGRES (skipped without it, failed
// in CI).
func TestRiverPostgres(t *testing.T) {
	t.Parallel()

	jobstest.Exercise(t, func(t *testing.T) jobstest.Open {
		pool, err := jobs.OpenPostgres(t.Context(), pgtest.NewDatabase(t), postgres.RedactDSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		return func(h jobs.Handlers) jobs.Scheduler {
			s, err := jobs.NewPostgres(t.Context(), pool, h, jobs.Config{
				PollInterval: 50 * time.Millisecond,
				StopTimeout:  100 * time.Millisecond,
			})
			if err != nil {
				t.Fatalf("NewPostgres: %v", err)
			}
			return s
		}
	})
}
