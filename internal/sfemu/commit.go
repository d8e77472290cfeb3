package sfemu

import (
	"net/http"
	"sync"
	"time"
)

// commitPoll is how often a slow commit looks at the emulator's clock.
const commitPoll = 5 * time.Millisecond

// slowCommit makes the rest of write call c run in an in-flight transaction
// of the org, begun now (docs/adr/0190-in-flight-transactions.md): the
// records it writes are stamped now and stay unseen by other requests until
// the emulator's clock has moved d on — with real time, or at once when a
// test or POST /_emulator/clock moves it. The response waits for the
// commit, as a Salesforce client's call returns when its transaction
// commits. Only write requests (isWrite) draw the fault.
func (e *Emulator) slowCommit(c *call, d time.Duration) {
	due := e.clock.Now().Add(d)
	ctx, tx := c.org.Begin(c.r.Context())
	c.r = c.r.WithContext(ctx)
	c.w = &commitWriter{ResponseWriter: c.w, commit: func() {
		tick := time.NewTicker(commitPoll)
		defer tick.Stop()
		// A client that hangs up does not stop the transaction: it commits
		// on time all the same.
		for e.clock.Now().Before(due) {
			<-tick.C
		}
		tx.Commit()
	}}
}

// isWrite reports whether a request method may change records.
func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// commitWriter commits a transaction before the first byte of the response
// leaves: handlers write once their writes are done.
type commitWriter struct {
	http.ResponseWriter
	once   sync.Once
	commit func()
}

func (w *commitWriter) WriteHeader(code int) {
	w.once.Do(w.commit)
	w.ResponseWriter.WriteHeader(code)
}

func (w *commitWriter) Write(b []byte) (int, error) {
	w.once.Do(w.commit)
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *commitWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
