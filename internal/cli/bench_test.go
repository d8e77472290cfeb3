package cli_test

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// startUntil runs the binary until it prints a line starting with prefix,
// then kills it.
func startUntil(b *testing.B, prefix string, args ...string) {
	b.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env, cmd.Dir = cleanEnv(), b.TempDir()
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	seen := false
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			seen = true
			break
		}
	}
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	if !seen {
		b.Fatalf("no line starting with %q", prefix)
	}
}

// BenchmarkEmulatorStart measures how long "sfbridge emulator" takes from
// exec to its ready line (the demo seed built, the port listening).
func BenchmarkEmulatorStart(b *testing.B) {
	for b.Loop() {
		startUntil(b, "emulator ready: ", "emulator", "--listen", "127.0.0.1:0")
	}
}

// BenchmarkDemoStart measures "sfbridge demo" from exec to its summary:
// the emulator seeded, a data directory created, the demo org connected,
// the samples validated and stored, and each one's initial load done.
func BenchmarkDemoStart(b *testing.B) {
	for b.Loop() {
		startUntil(b, "Look around from another terminal:", "demo")
	}
}
