package app

import (
	"net/http"
	"testing"

	"webmail/app/internal/dovecot"
)

// latin1QP is a message whose text a row's snippet must decode: Latin-1
// in quoted-printable, a quoted line and a signature to leave out.
var latin1QP = []byte("From: =?iso-8859-1?q?J=FCrgen?= <juergen@example.de>\r\nTo: alice@example.org\r\nSubject: Gruss\r\n" +
	"Date: Mon, 02 Mar 2026 10:05:00 +0100\r\nMessage-ID: <gruss@example.de>\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
	"> Wie geht's?\r\nGr=FC=DFe aus K=F6ln, es geht gut.\r\n-- \r\nJ=FCrgen\r\n")

// TestListSnippets: on Dovecot, a row shows the start of the message's
// text, decoded, and the sender's initials; no byte size.
func TestListSnippets(t *testing.T) {
	t.Parallel()
	e, dc := newDovecotEnv(t, dovecot.Options{})
	dc.Deliver(t, dovecot.DefaultLogin, "INBOX", latin1QP)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	row := c.page(t, "/m/INBOX", http.StatusOK).Find("[data-testid=row]").First()
	if got, want := text(row.Find("small")), "Grüße aus Köln, es geht gut."; got != want {
		t.Errorf("snippet %q, want %q", got, want)
	}
	if got := row.Find("a > i").AttrOr("data-i", ""); got != "J" {
		t.Errorf("initials %q, want J", got)
	}
	if row.Find(".size").Length() != 0 {
		t.Error("the row still shows a byte size")
	}
}
