package demo

import (
	"bufio"
	"encoding/base64"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// startOAuthServer starts an empty demo server with the provider.
func startOAuthServer(t *testing.T, mechs ...string) (*Server, *oidcClient) {
	t.Helper()
	s := startServer(t, Options{Empty: true, OAuth: &ProviderOptions{}, TokenMechanisms: mechs})
	return s, newOIDCClient(t, s.Provider())
}

// rawIMAP is an IMAP connection driven line by line, for what imapclient
// cannot send: XOAUTH2 and malformed SASL exchanges.
type rawIMAP struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialRawIMAP(t *testing.T, s *Server) *rawIMAP {
	t.Helper()
	conn, err := net.Dial("tcp", s.IMAPAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	c := &rawIMAP{t: t, conn: conn, r: bufio.NewReader(conn)}
	if greeting := c.readLine(); !strings.HasPrefix(greeting, "* OK") {
		t.Fatalf("greeting %q", greeting)
	}
	return c
}

func (c *rawIMAP) readLine() string {
	c.t.Helper()
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("reading: %v", err)
	}
	return strings.TrimSuffix(line, "\r\n")
}

func (c *rawIMAP) send(line string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatal(err)
	}
}

// response reads up to the tagged status line, or a continuation request,
// and returns it.
func (c *rawIMAP) response(tag string) string {
	c.t.Helper()
	for {
		line := c.readLine()
		if strings.HasPrefix(line, tag+" ") || strings.HasPrefix(line, "+") {
			return line
		}
	}
}

func xoauth2Response(user, token string) string {
	return base64.StdEncoding.EncodeToString([]byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01"))
}

func TestIMAPOAuthBearer(t *testing.T) {
	s, c := startOAuthServer(t)
	tok := c.signIn(t, "demo@example.org")

	client, err := imapclient.DialInsecure(s.IMAPAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	for _, mech := range []string{"PLAIN", "OAUTHBEARER", "XOAUTH2"} {
		if !client.Caps().Has(imap.Cap("AUTH=" + mech)) {
			t.Errorf("CAPABILITY lacks AUTH=%s", mech)
		}
	}
	if err := client.Authenticate(sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{
		Username: "demo@example.org", Token: tok.AccessToken,
	})); err != nil {
		t.Fatalf("AUTHENTICATE OAUTHBEARER: %v", err)
	}
	if err := s.Append(t.Context(), "demo@example.org", "INBOX", []byte("Subject: hello\r\n\r\nHi\r\n"), nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
	list, err := client.List("", "INBOX", nil).Collect()
	if err != nil || len(list) != 1 {
		t.Fatalf("LIST INBOX = %v, %v", list, err)
	}
	if data, err := client.Select("INBOX", nil).Wait(); err != nil || data.NumMessages != 1 {
		t.Errorf("SELECT INBOX = %+v, %v; want the demo account's one message", data, err)
	}
}

// TestIMAPOAuthBearerRefused checks tokens that must not log in, with
// OAUTHBEARER and with XOAUTH2.
func TestIMAPOAuthBearerRefused(t *testing.T) {
	s, c := startOAuthServer(t)
	p := s.Provider()
	alice := c.signIn(t, "alice@example.org")
	revoked := c.signIn(t, "demo@example.org")
	if status := c.revokeToken(t, revoked.RefreshToken, "refresh_token", p.ClientSecret()); status != 200 {
		t.Fatalf("revocation status %d", status)
	}

	tests := []struct {
		name, user, token string
	}{
		{"garbage", "demo@example.org", "not-a-token"},
		{"other account's token", "demo@example.org", alice.AccessToken},
		{"revoked", "demo@example.org", revoked.AccessToken},
		{"refresh token", "alice@example.org", alice.RefreshToken},
		{"ID token", "alice@example.org", alice.Extra("id_token").(string)},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/OAUTHBEARER", func(t *testing.T) {
			client, err := imapclient.DialInsecure(s.IMAPAddr(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			err = client.Authenticate(sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: tt.user, Token: tt.token}))
			if oerr, ok := err.(*sasl.OAuthBearerError); !ok || oerr.Status != "invalid_token" {
				t.Errorf("AUTHENTICATE OAUTHBEARER: %v, want an invalid_token challenge", err)
			}
		})
		t.Run(tt.name+"/XOAUTH2", func(t *testing.T) {
			c := dialRawIMAP(t, s)
			c.send("a1 AUTHENTICATE XOAUTH2 " + xoauth2Response(tt.user, tt.token))
			if got := c.response("a1"); got != "+ "+base64.StdEncoding.EncodeToString([]byte(`{"status":"401","schemes":"bearer","scope":"mail"}`)) {
				t.Errorf("after a refused token: %q, want the JSON challenge", got)
			}
			c.send("")
			if got := c.response("a1"); !strings.HasPrefix(got, "a1 NO") {
				t.Errorf("after the empty response: %q, want NO", got)
			}
		})
	}
}

func TestIMAPXOAuth2(t *testing.T) {
	s, c := startOAuthServer(t)
	tok := c.signIn(t, "alice@example.org")

	conn := dialRawIMAP(t, s)
	conn.send("a1 AUTHENTICATE XOAUTH2 " + xoauth2Response("alice@example.org", tok.AccessToken))
	if got := conn.response("a1"); !strings.HasPrefix(got, "a1 OK") {
		t.Fatalf("AUTHENTICATE XOAUTH2: %q, want OK", got)
	}
	conn.send("a2 SELECT INBOX")
	if got := conn.response("a2"); !strings.HasPrefix(got, "a2 OK") {
		t.Errorf("SELECT INBOX after XOAUTH2: %q", got)
	}

	// Without an initial response, the server asks for it.
	conn = dialRawIMAP(t, s)
	conn.send("b1 AUTHENTICATE XOAUTH2")
	// go-imap encodes the empty challenge as "=", as in an initial response.
	if got := conn.response("b1"); got != "+ " && got != "+ =" {
		t.Fatalf("AUTHENTICATE XOAUTH2 without initial response: %q, want an empty continuation", got)
	}
	conn.send(xoauth2Response("alice@example.org", tok.AccessToken))
	if got := conn.response("b1"); !strings.HasPrefix(got, "b1 OK") {
		t.Errorf("XOAUTH2 response: %q, want OK", got)
	}
}

func TestIMAPOAuthBearerFailureResponses(t *testing.T) {
	s, _ := startOAuthServer(t)
	// RFC 7628 asks for %x01 after the error challenge; an empty line or a
	// cancellation must also end in a plain failure, never a crash.
	for name, answer := range map[string]string{"x01": "AQ==", "empty": "", "cancel": "*"} {
		t.Run(name, func(t *testing.T) {
			c := dialRawIMAP(t, s)
			ir := base64.StdEncoding.EncodeToString([]byte("n,a=demo@example.org,\x01auth=Bearer nope\x01\x01"))
			c.send("a1 AUTHENTICATE OAUTHBEARER " + ir)
			if got := c.response("a1"); !strings.HasPrefix(got, "+ ") {
				t.Fatalf("after a bad token: %q, want a challenge", got)
			}
			c.send(answer)
			if got := c.response("a1"); !strings.HasPrefix(got, "a1 NO") && !strings.HasPrefix(got, "a1 BAD") {
				t.Errorf("after %q: %q, want NO or BAD", answer, got)
			}
			c.send("a2 NOOP")
			if got := c.response("a2"); !strings.HasPrefix(got, "a2 OK") {
				t.Errorf("the connection is unusable afterwards: %q", got)
			}
		})
	}
}

func TestIMAPTokenMechanismsOption(t *testing.T) {
	s, c := startOAuthServer(t, "XOAUTH2")
	tok := c.signIn(t, "demo@example.org")

	conn := dialRawIMAP(t, s)
	conn.send("a1 CAPABILITY")
	caps := conn.readLine()
	if !strings.Contains(caps, " AUTH=XOAUTH2") || strings.Contains(caps, "AUTH=OAUTHBEARER") || !strings.Contains(caps, " AUTH=PLAIN") {
		t.Errorf("CAPABILITY %q, want AUTH=PLAIN and AUTH=XOAUTH2 only", caps)
	}
	conn.response("a1")
	ir := base64.StdEncoding.EncodeToString([]byte("n,,\x01auth=Bearer " + tok.AccessToken + "\x01\x01"))
	conn.send("a2 AUTHENTICATE OAUTHBEARER " + ir)
	if got := conn.response("a2"); !strings.HasPrefix(got, "a2 NO") {
		t.Errorf("AUTHENTICATE OAUTHBEARER when not offered: %q, want NO", got)
	}
}

func TestIMAPExpiredToken(t *testing.T) {
	s, c := startOAuthServer(t)
	tok := c.signIn(t, "demo@example.org")
	s.Provider().FastForward(time.Hour + time.Minute)
	conn := dialRawIMAP(t, s)
	conn.send("a1 AUTHENTICATE XOAUTH2 " + xoauth2Response("demo@example.org", tok.AccessToken))
	if got := conn.response("a1"); !strings.HasPrefix(got, "+ ") {
		t.Errorf("AUTHENTICATE XOAUTH2 with an expired token: %q, want the JSON challenge", got)
	}
}

// TestIMAPPlainWithoutOAuth checks that without the provider only PLAIN is
// offered, and that AUTHENTICATE PLAIN behaves as before.
func TestIMAPPlainWithoutOAuth(t *testing.T) {
	s := startServer(t, Options{Empty: true, TokenMechanisms: []string{"XOAUTH2"}})
	if s.Provider() != nil {
		t.Error("Provider() is not nil without Options.OAuth")
	}
	client, err := imapclient.DialInsecure(s.IMAPAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var auth []string
	for c := range client.Caps() {
		if strings.HasPrefix(string(c), "AUTH=") {
			auth = append(auth, string(c))
		}
	}
	if !slices.Equal(auth, []string{"AUTH=PLAIN"}) {
		t.Errorf("authentication capabilities %v, want AUTH=PLAIN only", auth)
	}
	demo := demoAccount(s)
	if err := client.Authenticate(sasl.NewPlainClient("", demo.Login, "wrong")); err == nil {
		t.Error("AUTHENTICATE PLAIN accepts a wrong password")
	}
	if err := client.Authenticate(sasl.NewPlainClient("", demo.Login, demo.Password)); err != nil {
		t.Errorf("AUTHENTICATE PLAIN: %v", err)
	}
}

// xoauth2Client is the client side of XOAUTH2, which go-sasl lacks.
type xoauth2Client struct{ user, token string }

func (c xoauth2Client) Start() (string, []byte, error) {
	return XOAuth2, []byte("user=" + c.user + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

// Next answers the error challenge with the empty response the mechanism
// expects.
func (xoauth2Client) Next([]byte) ([]byte, error) { return []byte{}, nil }

func TestSMTPBearer(t *testing.T) {
	s, c := startOAuthServer(t)
	tok := c.signIn(t, "demo@example.org")
	alice := c.signIn(t, "alice@example.org")
	demo := demoAccount(s)

	tests := []struct {
		name    string
		auth    sasl.Client
		wantErr bool
	}{
		{"OAUTHBEARER", sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: demo.Address, Token: tok.AccessToken}), false},
		{"OAUTHBEARER without authzid", sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Token: tok.AccessToken}), false},
		{"XOAUTH2", xoauth2Client{demo.Address, tok.AccessToken}, false},
		{"OAUTHBEARER other account's token", sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: demo.Address, Token: alice.AccessToken}), true},
		{"XOAUTH2 bad token", xoauth2Client{demo.Address, "nope"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := dialSMTP(t, s)
			if ok, mechs := client.Extension("AUTH"); !ok || mechs != "PLAIN OAUTHBEARER XOAUTH2" {
				t.Errorf("AUTH extension %q, want PLAIN OAUTHBEARER XOAUTH2", mechs)
			}
			err := client.Auth(tt.auth)
			if tt.wantErr {
				if err == nil {
					t.Fatal("AUTH succeeded")
				}
				if _, ok := tt.auth.(xoauth2Client); ok && smtpCode(err) != 535 {
					t.Errorf("AUTH: %v, want 535", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("AUTH: %v", err)
			}
			before := len(s.Received())
			msg := "From: " + demo.Address + "\r\nTo: alice@example.org\r\nSubject: " + tt.name + "\r\n\r\nHi\r\n"
			if err := client.SendMail(demo.Address, []string{"alice@example.org"}, strings.NewReader(msg)); err != nil {
				t.Fatalf("sending: %v", err)
			}
			got := s.Received()
			if len(got) != before+1 || got[len(got)-1].Login != demo.SMTPLogin {
				t.Errorf("Received() = %d deliveries, last by %q; want one more, by %s", len(got), got[len(got)-1].Login, demo.SMTPLogin)
			}
			imapc := dialIMAP(t, s, "alice@example.org", "alice")
			if _, err := imapc.Select("INBOX", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			msgs := fetchAllSubjects(t, imapc, tt.name)
			if len(msgs) != 1 {
				t.Errorf("alice's INBOX has %d messages %q, want 1", len(msgs), tt.name)
			}
		})
	}
}

func TestSMTPBearerNotOffered(t *testing.T) {
	s := startServer(t, Options{Empty: true})
	client := dialSMTP(t, s)
	if _, mechs := client.Extension("AUTH"); mechs != "PLAIN" {
		t.Errorf("AUTH extension %q without OAuth, want PLAIN", mechs)
	}
	err := client.Auth(xoauth2Client{"demo@example.org", "token"})
	if smtpCode(err) != smtp.ErrAuthUnknownMechanism.Code {
		t.Errorf("AUTH XOAUTH2 without OAuth: %v, want %d", err, smtp.ErrAuthUnknownMechanism.Code)
	}
}
