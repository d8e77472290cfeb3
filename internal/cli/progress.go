package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/sfbridge/sfbridge/internal/syncer"
)

// progress draws a progress bar on stderr for each workflow's initial load,
// when the command shows progress (a terminal, or --progress). Incremental
// polls are short and draw nothing. It is safe for concurrent use: the
// scheduler runs workflows in parallel.
type progress struct {
	w       io.Writer
	enabled bool
	label   func(workflowID int64) string

	mu   sync.Mutex
	bars map[int64]*progressbar.ProgressBar
}

func newProgress(e *env, label func(int64) string) *progress {
	return &progress{w: e.stderr, enabled: e.progress, label: label, bars: map[int64]*progressbar.ProgressBar{}}
}

// report is a syncer.ServiceOptions.Progress.
func (p *progress) report(workflowID int64, pr syncer.Progress) {
	if !p.enabled || pr.Phase != syncer.PhaseInitial {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	bar := p.bars[workflowID]
	if bar == nil {
		bar = progressbar.NewOptions64(int64(max(pr.Total, pr.Done, 1)),
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(p.label(workflowID)+": initial load"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("records"),
			progressbar.OptionShowIts(),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
		)
		p.bars[workflowID] = bar
	}
	if total := int64(max(pr.Total, pr.Done)); total > bar.GetMax64() {
		bar.ChangeMax64(total) // Salesforce's total is an estimate when a load resumes
	}
	_ = bar.Set(pr.Done) // a bar only fails to write to a closed stderr
}

// done finishes the bar of a workflow whose run ended.
func (p *progress) done(workflowID int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if bar := p.bars[workflowID]; bar != nil {
		if !bar.IsFinished() {
			_ = bar.Exit()
			fmt.Fprintln(p.w)
		}
		delete(p.bars, workflowID)
	}
}
