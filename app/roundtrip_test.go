package app

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"webmail/app/internal/dovecot"
	"webmail/config"
)

// commandLog is what imapCommandProxy saw: connections, and the names of
// the commands the webmail sent.
type commandLog struct {
	conns atomic.Int64
	mu    sync.Mutex
	cmds  []string
}

func (l *commandLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.cmds
	l.cmds = nil
	return out
}

// imapCommandProxy is a TCP proxy in front of an IMAP server.
func imapCommandProxy(t *testing.T, upstream string) (string, *commandLog) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	log := &commandLog{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			log.conns.Add(1)
			up, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			go func() { defer up.Close(); defer c.Close(); io.Copy(c, up) }()
			go func() {
				defer up.Close()
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if len(line) > 0 {
						if f := strings.Fields(line); len(f) >= 2 && f[0] != "" && !strings.HasPrefix(line, " ") {
							name := strings.ToUpper(f[1])
							if name == "UID" && len(f) >= 3 {
								name += " " + strings.ToUpper(f[2])
							}
							log.mu.Lock()
							log.cmds = append(log.cmds, name)
							log.mu.Unlock()
						}
						if _, err := up.Write([]byte(line)); err != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), log
}

// TestIMAPCommandsPerPage checks that a page costs a small, fixed number
// of IMAP commands on the kept connection, with no LIST of all folders.
func TestIMAPCommandsPerPage(t *testing.T) {
	t.Parallel()
	base := newEnv(t)
	proxy, log := imapCommandProxy(t, base.demo.IMAPAddr())
	e := newEnv(t, func(c *config.Config) {
		host, port := splitHostPort(t, proxy)
		c.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
	})
	e.acct = base.acct
	c := e.client()
	c.login(t, base.acct.Login, base.acct.Password)
	c.page(t, "/m/INBOX", http.StatusOK) // first page: LIST and SELECT
	log.take()

	c.page(t, "/m/INBOX?page=2", http.StatusOK)
	if got := log.take(); strings.Join(got, ",") != "NOOP,FETCH" {
		t.Errorf("list page sent %v, want NOOP and one FETCH", got)
	}

	href := c.findMessage(t, "INBOX", "Photos from the hike")
	log.take()
	c.page(t, href, http.StatusOK, "HX-Request", "true", "HX-Target", "section#message")
	got := log.take()
	t.Logf("message view (unread before): %v", got)
	for _, cmd := range got {
		if cmd == "LIST" || cmd == "SELECT" || cmd == "STATUS" {
			t.Errorf("message view sent %s", cmd)
		}
	}
	if len(got) > 5 {
		t.Errorf("message view sent %d commands %v, want at most 5", len(got), got)
	}
}

// TestSettingsReadOncePerSession: the settings kept in the mailbox
// (METADATA on this Dovecot) are read once by a session's first page;
// the pages after it, compose included, send no GETMETADATA, until the
// session's copy is older than settingsTTL.
func TestSettingsReadOncePerSession(t *testing.T) {
	t.Parallel()
	dc := dovecot.Start(t, dovecot.Options{Metadata: true})
	dc.Deliver(t, dovecot.DefaultLogin, "INBOX", dovecotMessages(3)...)
	proxy, log := imapCommandProxy(t, dc.Addr())
	e, _ := newDovecotEnv(t, dovecot.Options{}, func(c *config.Config) {
		host, port := splitHostPort(t, proxy)
		c.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
	})
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	log.take()
	count := func(cmds []string) int {
		n := 0
		for _, cmd := range cmds {
			if cmd == "GETMETADATA" {
				n++
			}
		}
		return n
	}
	c.page(t, "/m/INBOX", http.StatusOK)
	if n := count(log.take()); n != 1 {
		t.Errorf("first page sent %d GETMETADATA, want 1", n)
	}
	href := c.findMessage(t, "INBOX", "Message 1")
	c.page(t, href, http.StatusOK)
	c.page(t, "/compose", http.StatusOK)
	c.page(t, "/m/INBOX?page=1", http.StatusOK)
	if got := log.take(); count(got) != 0 {
		t.Errorf("later pages sent %v, want no GETMETADATA", got)
	}
	e.skew.Add(int64(settingsTTL + time.Second))
	c.page(t, "/m/INBOX", http.StatusOK)
	if n := count(log.take()); n != 1 {
		t.Errorf("after the TTL: %d GETMETADATA, want 1 (another instance's save shows)", n)
	}
}
