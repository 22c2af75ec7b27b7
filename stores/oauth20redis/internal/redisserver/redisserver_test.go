package redisserver

import "testing"

// TestStopRestart: the server answers, keeps what it saved across a stop,
// and refuses connections while stopped.
func TestStopRestart(t *testing.T) {
	s := Start(t)
	if got, err := s.Command("PING"); err != nil || got != "+PONG" {
		t.Fatalf("PING: %q %v", got, err)
	}
	if _, err := s.Command("SET", "k", "v"); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if _, err := s.Command("PING"); err == nil {
		t.Fatal("a stopped server answered")
	}
	s.Restart()
	if got, err := s.Command("GET", "k"); err != nil || got != "$1" {
		t.Fatalf("GET after the restart: %q %v", got, err)
	}
	if _, err := s.Command("NOSUCHCOMMAND"); err == nil {
		t.Error("an error answer was not returned as an error")
	}
}
