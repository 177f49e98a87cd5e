package dovecot

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndex: after Index, Dovecot has given the delivered messages their
// UIDs (its uidlist names each file), so a first SELECT has nothing to read.
func TestIndex(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	var msgs [][]byte
	for i := range 3 {
		msgs = append(msgs, fmt.Appendf(nil, "Subject: %d\r\n\r\nBody %d.\r\n", i, i))
	}
	s.Deliver(t, DefaultLogin, "INBOX", msgs...)
	dir := s.mailboxDir(t, DefaultLogin, "INBOX")
	listed := func() int {
		b, _ := os.ReadFile(filepath.Join(dir, "dovecot-uidlist"))
		return strings.Count(string(b), ".webmail-test,")
	}
	if n := listed(); n != 0 {
		t.Fatalf("before Index, the uidlist names %d messages: the test proves nothing", n)
	}
	s.Index(t, DefaultLogin, "INBOX")
	if n := listed(); n != 3 {
		t.Errorf("after Index, the uidlist names %d messages, want 3", n)
	}
}
