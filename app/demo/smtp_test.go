package demo

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// dialSMTP connects to the server without TLS; smtp.SendMail would insist
// on STARTTLS.
func dialSMTP(t *testing.T, s *Server) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(s.SMTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func smtpCode(err error) int {
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) {
		return smtpErr.Code
	}
	return 0
}

func TestSMTPAuth(t *testing.T) {
	s := startServer(t, Options{Empty: true})
	demo := demoAccount(s)

	c := dialSMTP(t, s)
	if err := c.Mail(demo.Address, nil); smtpCode(err) != 502 {
		t.Errorf("MAIL without AUTH: %v, want 502", err)
	}
	if err := c.Auth(sasl.NewPlainClient("", demo.Login, demo.Password)); smtpCode(err) != 535 {
		t.Errorf("AUTH with the IMAP credentials: %v, want 535", err)
	}

	c = dialSMTP(t, s)
	if err := c.Auth(sasl.NewPlainClient("", demo.SMTPLogin, "wrong")); smtpCode(err) != 535 {
		t.Errorf("AUTH with a wrong password: %v, want 535", err)
	}

	c = dialSMTP(t, s)
	if err := c.Auth(sasl.NewPlainClient("", demo.SMTPLogin, demo.SMTPPassword)); err != nil {
		t.Errorf("AUTH with the SMTP credentials: %v", err)
	}
	if size, ok := c.MaxMessageSize(); !ok || size != maxMessageBytes {
		t.Errorf("SIZE = %d, %v; want %d", size, ok, maxMessageBytes)
	}
}

func TestSMTPDelivery(t *testing.T) {
	s := startServer(t, Options{InboxSize: 30})
	demo, alice := s.Accounts()[0], s.Accounts()[1]

	raw := "From: Demo User <demo@example.org>\r\n" +
		"To: Alice Martin <alice@example.org>, Bob <bob@elsewhere.example.net>\r\n" +
		"Cc: Demo User <demo@example.org>\r\n" +
		"Subject: Sent through the demo SMTP server\r\n" +
		"Date: Sat, 14 Mar 2026 15:00:00 +0000\r\n" +
		"Message-Id: <smtp-test@example.org>\r\n" +
		"\r\n" +
		"Hello Alice!\r\n"
	rcpts := []string{"alice@example.org", "bob@elsewhere.example.net", "DEMO@example.org"}
	c := dialSMTP(t, s)
	if err := c.Auth(sasl.NewPlainClient("", demo.SMTPLogin, demo.SMTPPassword)); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail(demo.Address, rcpts, strings.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Error(err)
	}

	received := s.Received()
	if len(received) != 1 {
		t.Fatalf("Received() has %d deliveries, want 1", len(received))
	}
	if d := received[0]; d.Login != demo.SMTPLogin || d.From != demo.Address || !slices.Equal(d.To, rcpts) || string(d.Data) != raw {
		t.Errorf("Received()[0] = %+v", d)
	}

	for _, acct := range []Account{alice, demo} {
		c := dialIMAP(t, s, acct.Login, acct.Password)
		data, err := c.Select("INBOX", nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := c.Fetch(imap.SeqSetNum(data.NumMessages), &imap.FetchOptions{
			Flags: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}},
		}).Collect()
		if err != nil {
			t.Fatal(err)
		}
		if got := msgs[0].FindBodySection(&imap.FetchItemBodySection{Peek: true}); !bytes.Equal(got, []byte(raw)) {
			t.Errorf("%s's last INBOX message = %q, want the sent one", acct.Login, got)
		}
		if slices.Contains(msgs[0].Flags, imap.FlagSeen) {
			t.Errorf("%s's delivered message is \\Seen", acct.Login)
		}
	}
}

func TestSMTPSizeLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 30 MB")
	}
	s := startServer(t, Options{Empty: true})
	demo := demoAccount(s)
	c := dialSMTP(t, s)
	if err := c.Auth(sasl.NewPlainClient("", demo.SMTPLogin, demo.SMTPPassword)); err != nil {
		t.Fatal(err)
	}
	big := "Subject: too big\r\n\r\n" + strings.Repeat(strings.Repeat("x", 998)+"\r\n", maxMessageBytes/1000+10)
	if err := c.SendMail(demo.Address, []string{demo.Address}, strings.NewReader(big)); smtpCode(err) != 552 {
		t.Errorf("sending %d bytes: %v, want 552", len(big), err)
	}
	if n := len(s.Received()); n != 0 {
		t.Errorf("Received() has %d deliveries, want none", n)
	}
}

func TestReceivedIsBounded(t *testing.T) {
	s := startServer(t, Options{Empty: true})
	for i := range receivedLimit + 5 {
		d := Delivery{From: "a@example.com", To: []string{"b@example.net"}, Data: fmt.Appendf(nil, "Subject: %d\r\n\r\n", i)}
		if err := s.deliver(d); err != nil {
			t.Fatal(err)
		}
	}
	received := s.Received()
	if len(received) != receivedLimit || string(received[0].Data) != "Subject: 5\r\n\r\n" {
		t.Errorf("Received() has %d deliveries starting with %q, want %d starting with message 5", len(received), received[0].Data, receivedLimit)
	}
}
