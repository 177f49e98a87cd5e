// Package radicale starts a private Radicale CardDAV server (Debian's
// radicale) for a test: on a free loopback port, with its collections in
// the test's temporary directory and plain htpasswd users, reading no
// configuration of the machine, stopped in the test's cleanup. Tests of
// the webmail's address book use it as the person's CardDAV server, and
// stop it under a running webmail.
package radicale

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configures Start. The zero value has one user, DefaultLogin
// with DefaultPassword, without an address book.
type Options struct {
	// Users are the accounts Radicale accepts (htpasswd, plain).
	Users []User
	// Books makes an address book named "contacts" for every user, as
	// a CardDAV client or the operator would have.
	Books bool
}

// User is an account of the server.
type User struct{ Login, Password string }

// The account a server has when Options.Users is empty.
const (
	DefaultLogin    = "alice@example.org"
	DefaultPassword = "alice-secret-1"
)

// Server is a running private Radicale.
type Server struct {
	bin  string
	dir  string
	port int

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

const startTimeout = 15 * time.Second

// Start starts Radicale for tb and stops it in tb.Cleanup. Without the
// binary it skips the test, unless CI is set: then it fails.
func Start(tb testing.TB, opt Options) *Server {
	tb.Helper()
	bin, err := exec.LookPath("radicale")
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("radicale: radicale not found, and CI is set: install radicale")
		}
		tb.Skip("radicale: radicale not found; install radicale to run this test")
	}
	users := opt.Users
	if len(users) == 0 {
		users = []User{{DefaultLogin, DefaultPassword}}
	}
	s := &Server{bin: bin, dir: tb.TempDir()}
	var htpasswd strings.Builder
	for _, u := range users {
		if strings.ContainsAny(u.Login, ":/\n") || strings.ContainsAny(u.Password, "\n") {
			tb.Fatalf("radicale: unusable user %q", u.Login)
		}
		fmt.Fprintf(&htpasswd, "%s:%s\n", u.Login, u.Password)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "users"), []byte(htpasswd.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	if opt.Books {
		for _, u := range users {
			// Radicale's file system storage: a directory per collection,
			// its properties in .Radicale.props.
			book := filepath.Join(s.dir, "collections", "collection-root", u.Login, "contacts")
			if err := os.MkdirAll(book, 0o700); err != nil {
				tb.Fatal(err)
			}
			props := `{"tag": "VADDRESSBOOK", "D:displayname": "Contacts"}`
			if err := os.WriteFile(filepath.Join(book, ".Radicale.props"), []byte(props), 0o600); err != nil {
				tb.Fatal(err)
			}
		}
	}
	const attempts = 3
	for attempt := 1; ; attempt++ {
		s.port = freePort(tb)
		err := s.start()
		if err == nil {
			break
		}
		if attempt == attempts || !strings.Contains(err.Error(), "in use") {
			tb.Fatal(err)
		}
	}
	tb.Cleanup(s.Stop)
	return s
}

func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL is the server's root URL, with a trailing slash.
func (s *Server) URL() string { return "http://" + s.Addr() + "/" }

// BookURL is the URL of a user's address book made by Options.Books.
func (s *Server) BookURL(login string) string { return s.URL() + login + "/contacts/" }

func (s *Server) logPath() string { return filepath.Join(s.dir, "radicale.log") }

func (s *Server) start() error {
	conf := filepath.Join(s.dir, "config")
	text := fmt.Sprintf(`# Written by webmail/app/internal/radicale for one test run.
[server]
hosts = %s
[auth]
type = htpasswd
htpasswd_filename = %s
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = %s
[web]
type = none
[logging]
level = warning
mask_passwords = True
`, s.Addr(), filepath.Join(s.dir, "users"), filepath.Join(s.dir, "collections"))
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return err
	}
	log, err := os.Create(s.logPath())
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(s.bin, "--config", conf)
	cmd.Stdout, cmd.Stderr = log, log
	// No HOME: nothing of the machine's ~/.config/radicale is read.
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + s.dir}
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
		err := s.ping()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(s.logPath())
			return fmt.Errorf("radicale: exited at start\n%s", b)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			b, _ := os.ReadFile(s.logPath())
			return fmt.Errorf("radicale: no answer within %v: %v\n%s", startTimeout, err, b)
		}
	}
}

// ping asks the server for its OPTIONS: any HTTP answer means it serves.
func (s *Server) ping() error {
	req, _ := http.NewRequest(http.MethodOptions, s.URL(), nil)
	c := &http.Client{Timeout: time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil
}

// Stop kills the server and waits for it to exit. Later calls do nothing;
// its collections stay on disk until the test ends.
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

// Cards returns the vCards stored in a user's address book made by
// Options.Books, as Radicale serves them (GET of the whole collection).
func (s *Server) Cards(tb testing.TB, login, password string) string {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.BookURL(login), nil)
	req.SetBasicAuth(login, password)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("radicale: GET %s: %s\n%s", s.BookURL(login), resp.Status, b)
	}
	return string(b)
}
