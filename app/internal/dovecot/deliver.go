package dovecot

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Deliver puts msgs into mailbox of login as unseen messages, creating and subscribing
// the mailbox if needed. The messages get ascending UIDs in the order given and the
// current time as INTERNALDATE. mailbox is an IMAP mailbox name such as "INBOX" or
// "Archive/2024" (the separator is "/").
//
// Deliver writes Maildir files directly rather than going through IMAP or LDA, so that
// thousands of messages take well under a second; Dovecot indexes them when a client
// next looks (a first SELECT of 10,000 new messages takes a moment). Clients that are
// IDLE in the mailbox are notified as for any delivery.
func (s *Server) Deliver(tb testing.TB, login, mailbox string, msgs ...[]byte) {
	tb.Helper()
	s.DeliverFlags(tb, login, mailbox, nil, msgs...)
}

// maildirFlags maps the IMAP system flags a Maildir file name can carry to their letters.
var maildirFlags = map[string]byte{
	`\Draft`:    'D',
	`\Flagged`:  'F',
	`\Answered`: 'R',
	`\Seen`:     'S',
	`\Deleted`:  'T',
}

// DeliverFlags is like [Server.Deliver] but sets the IMAP system flags given, for
// example []string{`\Seen`} for messages already read. Keywords are not supported.
func (s *Server) DeliverFlags(tb testing.TB, login, mailbox string, flags []string, msgs ...[]byte) {
	tb.Helper()
	var letters []byte
	for _, f := range flags {
		l, ok := maildirFlags[f]
		if !ok {
			tb.Fatalf("dovecot: DeliverFlags: unsupported flag %q (system flags only)", f)
		}
		letters = append(letters, l)
	}
	// Maildir wants the letters sorted and each once.
	slices.Sort(letters)
	info := ":2," + string(slices.Compact(letters))

	dir := s.mailboxDir(tb, login, mailbox)
	pid := os.Getpid()
	for _, msg := range msgs {
		// Dovecot gives new files UIDs in the order of the seconds and then the
		// microseconds (M) in their names, so a counter in those places keeps the
		// order of msgs, here and across calls.
		n := s.seq.Add(1)
		name := fmt.Sprintf("%d.M%dP%d.webmail-test,S=%d", s.epoch+n/1e6, n%1e6, pid, len(msg))
		// Write in tmp and rename, as Maildir demands, since a client may be reading
		// the mailbox at this moment.
		tmp := filepath.Join(dir, "tmp", name)
		if err := os.WriteFile(tmp, msg, 0o600); err != nil {
			tb.Fatalf("dovecot: Deliver: %v", err)
		}
		if err := os.Lchown(tmp, s.uid, s.gid); err != nil {
			tb.Fatalf("dovecot: Deliver: %v", err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "cur", name+info)); err != nil {
			tb.Fatalf("dovecot: Deliver: %v", err)
		}
	}
}

// mailboxDir returns the Maildir directory of mailbox, creating the mailbox if it does
// not exist yet. Doveadm knows Dovecot's mapping of names to directories (mUTF-7,
// Maildir++ dots) and creates directories as the mail user.
func (s *Server) mailboxDir(tb testing.TB, login, mailbox string) string {
	tb.Helper()
	// Exit code 65 with "already exists" is the normal case for a second delivery.
	if _, err := s.doveadmOutput("mailbox", "create", "-s", "-u", login, mailbox); err != nil && !strings.Contains(err.Error(), "Mailbox already exists") {
		tb.Fatalf("dovecot: Deliver: %v", err)
	}
	dir := strings.TrimSpace(s.runDoveadm(tb, "mailbox", "path", "-u", login, mailbox))
	if _, err := os.Stat(filepath.Join(dir, "cur")); err != nil {
		tb.Fatalf("dovecot: Deliver: mailbox %q of %s: %v", mailbox, login, err)
	}
	return dir
}

// Index has Dovecot index mailbox of login now (doveadm index), as a server in
// use has long done, so that the first client to SELECT it does not pay for
// reading every message delivered behind Dovecot's back.
func (s *Server) Index(tb testing.TB, login, mailbox string) {
	tb.Helper()
	s.runDoveadm(tb, "index", "-u", login, mailbox)
}
