package redis

import (
	"net"
	"testing"
)

func TestStartStopRestart(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Password: "pw-1"})
	if err := s.ping(); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if c, err := net.Dial("tcp", s.Addr()); err == nil {
		c.Close()
		t.Fatal("the server still answers after Stop")
	}
	s.Restart(t)
	if err := s.ping(); err != nil {
		t.Fatalf("after Restart: %v", err)
	}
}
