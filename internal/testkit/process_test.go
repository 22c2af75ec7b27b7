package testkit_test

import (
	"bufio"
	"os/exec"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/testkit"
)

// startShell runs sh -c script, waits for the first line it prints, and returns
// the process with the channel closed when it has been waited for.
func startShell(t *testing.T, script string) (*exec.Cmd, chan struct{}) {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh here")
	}
	cmd := exec.Command(sh, "-c", script)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatalf("sh did not get ready: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	return cmd, exited
}

func TestStopProcess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script string
		grace  time.Duration
		killed bool // whether it must take the kill after grace
	}{
		{"ends on SIGTERM", "echo ready; exec sleep 60", time.Minute, false},
		{"ignores SIGTERM", `trap "" TERM; echo ready; while :; do sleep 0.1; done`, 200 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd, exited := startShell(t, tt.script)
			began := time.Now()
			testkit.StopProcess(cmd.Process, exited, tt.grace)
			select {
			case <-exited:
			default:
				t.Fatal("StopProcess returned before the process was waited for")
			}
			if took := time.Since(began); (took >= tt.grace) != tt.killed {
				t.Errorf("stopped after %v with a grace of %v", took, tt.grace)
			}
			testkit.StopProcess(cmd.Process, exited, tt.grace) // again: nothing to do
		})
	}
}
