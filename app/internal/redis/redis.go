// Package redis starts a private redis-server (Debian's redis-server) for a
// test: on a free loopback port, in the test's temporary directory,
// without persistence, stopped in the test's cleanup. Tests of the
// webmail's Redis session store use it to check what Redis holds, and to
// kill and restart it under a running webmail.
package redis

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running private redis-server.
type Server struct {
	bin      string
	dir      string
	port     int
	password string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// Options configures Start. The zero value is a server without a
// password.
type Options struct {
	// Password makes the server require AUTH with this password.
	Password string
}

const startTimeout = 10 * time.Second

// Start starts a redis-server for tb and stops it in tb.Cleanup. Without
// the binary it skips the test, unless CI is set: then it fails.
func Start(tb testing.TB, opt Options) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("redis: redis-server not found, and CI is set: install redis-server")
		}
		tb.Skip("redis: redis-server not found; install redis-server to run this test")
	}
	s := &Server{bin: bin, dir: tb.TempDir(), password: opt.Password}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if err := s.start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL is the redis:// URL of the server, without its password.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

func (s *Server) start() error {
	args := []string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", s.dir, "--daemonize", "no", "--logfile", s.dir + "/redis.log"}
	if s.password != "" {
		args = append(args, "--requirepass", s.password)
	}
	cmd := exec.Command(s.bin, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()
	deadline := time.Now().Add(startTimeout)
	for {
		if err := s.ping(); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			s.Stop()
			log, _ := os.ReadFile(s.dir + "/redis.log")
			return fmt.Errorf("redis: no answer within %v: %v\n%s", startTimeout, err, log)
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(s.dir + "/redis.log")
			return fmt.Errorf("redis: redis-server exited at start\n%s", log)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// ping sends PING (after AUTH when there is a password) in the inline
// command form and reads the reply line.
func (s *Server) ping() error {
	c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	r := bufio.NewReader(c)
	if s.password != "" {
		fmt.Fprintf(c, "AUTH %s\r\n", s.password)
		if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "+OK") {
			return fmt.Errorf("AUTH: %q %v", line, err)
		}
	}
	fmt.Fprintf(c, "PING\r\n")
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("PING: %q", line)
	}
	return nil
}

// Stop kills the server and waits for it to exit. Its data is gone.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-exited
}

// Restart starts the server again on the same port after Stop, empty.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	if err := s.start(); err != nil {
		tb.Fatal(err)
	}
}
