package cli_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the sfbridge binary the end-to-end tests drive, built once by
// TestMain, or the one $SFBRIDGE_E2E_BINARY names (to test a release).
var binary = os.Getenv("SFBRIDGE_E2E_BINARY")

func TestMain(m *testing.M) {
	if binary != "" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "sfbridge-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "sfbridge")
	build := exec.Command("go", "build", "-o", binary, "github.com/sfbridge/sfbridge/cmd/sfbridge")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building sfbridge: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// hang is how long a test waits for a process before it gives up: a guard
// against hanging forever, not a measure of speed.
const hang = 60 * time.Second

// result is how a command ended.
type result struct {
	stdout, stderr string
	code           int
}

// sfbridge runs the binary to completion in dir with the extra environment
// variables env ("KEY=value").
func sfbridge(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir, cmd.Env = dir, append(cleanEnv(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(hang, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	t.Logf("sfbridge %s -> %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	return r
}

// cleanEnv is the test process's environment without sfbridge's own
// variables, so that the developer's settings do not leak into the tests.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SFBRIDGE_") {
			env = append(env, kv)
		}
	}
	return env
}

// proc is an sfbridge process running in the background.
type proc struct {
	cmd    *exec.Cmd
	lines  chan string // stdout, line by line; closed at EOF
	mu     sync.Mutex
	stderr bytes.Buffer
	exited chan struct{}
	err    error
}

// start starts the binary in the background; the test's cleanup kills it
// if it still runs.
func start(t *testing.T, dir string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binary, args...), lines: make(chan string, 1000), exited: make(chan struct{})}
	p.cmd.Dir, p.cmd.Env = dir, append(cleanEnv(), env...)
	p.cmd.Stderr = &lockedWriter{mu: &p.mu, w: &p.stderr}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
		p.mu.Lock()
		defer p.mu.Unlock()
		t.Logf("sfbridge %s: stderr:\n%s", strings.Join(args, " "), p.stderr.String())
	})
	return p
}

// waitLine returns the first stdout line starting with prefix, and the
// lines before it.
func (p *proc) waitLine(t *testing.T, prefix string) (string, []string) {
	t.Helper()
	var before []string
	deadline := time.After(hang)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("sfbridge exited (%v) before printing %q; stdout:\n%s\nstderr:\n%s", p.wait(), prefix, strings.Join(before, "\n"), p.stderrText())
			}
			if strings.HasPrefix(l, prefix) {
				return l, before
			}
			before = append(before, l)
		case <-deadline:
			t.Fatalf("no line starting with %q; stdout so far:\n%s", prefix, strings.Join(before, "\n"))
		}
	}
}

// stop sends sig and returns the exit code.
func (p *proc) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	go func() { // drain stdout so that the process can exit
		for range p.lines {
		}
	}()
	select {
	case <-p.exited:
	case <-time.After(hang):
		t.Fatalf("sfbridge did not stop on %v", sig)
	}
	return p.wait()
}

// wait returns the exit code of a process that exited.
func (p *proc) wait() int {
	<-p.exited
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		return -1
	}
	return 0
}

func (p *proc) stderrText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
