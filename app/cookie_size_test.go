package app

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"webmail/app/vault"
	"webmail/config"
)

// randomText is n characters of base64url, the alphabet tokens use.
func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// fakeJWT is a token shaped like a JWT access token of about n characters.
func fakeJWT(n int) string {
	sig := randomText(342) // RS256
	header := randomText(120)
	return header + "." + randomText(n-len(header)-len(sig)-2) + "." + sig
}

// TestCredentialCookieSize seals real-looking tokens (sizes as Google and
// Microsoft issue them) and checks that every cookie stays within what
// browsers keep (4096 bytes for name, value and attributes) and that the
// chunks put back together open.
func TestCredentialCookieSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		access, fresh string
		chunks        int
	}{
		{"password", "", "", 1},
		{"google", "ya29." + randomText(210), "1//0g" + randomText(98), 1},
		{"microsoft 365", fakeJWT(2500), "1.AQ" + randomText(1700), 2},
		{"largest accepted", fakeJWT(8 << 10), randomText(2 << 10), 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, secure := range []bool{false, true} {
				cfg := config.Default()
				if secure {
					cfg.PublicURL = "https://mail.example.org"
				}
				a := &App{cfg: cfg}
				acct := vault.Account{Login: "someone.with.a.long.name@example.onmicrosoft.com", Server: "outlook.office365.com:993"}
				cred := vault.Credential{Login: acct.Login, Password: "a password"}
				if tc.access != "" {
					cred = vault.Credential{Login: acct.Login, Provider: "microsoft", AccessToken: tc.access, RefreshToken: tc.fresh, Expiry: time.Now().Add(time.Hour)}
				}
				key := vault.NewKey()
				sealed, err := vault.Seal(key, acct, cred)
				if err != nil {
					t.Fatal(err)
				}
				rec := httptest.NewRecorder()
				if err := a.setCredCookie(rec, httptest.NewRequest("GET", "/", nil), sealed, 43200); err != nil {
					t.Fatal(err)
				}
				lines := rec.Result().Header.Values("Set-Cookie")
				if len(lines) != tc.chunks {
					t.Errorf("secure=%v: %d cookies, want %d", secure, len(lines), tc.chunks)
				}
				total := 0
				req := httptest.NewRequest("GET", "/", nil)
				for _, l := range lines {
					if len(l) > 4096 {
						t.Errorf("secure=%v: a Set-Cookie of %d bytes, over the 4096 browsers keep", secure, len(l))
					}
					c, err := http.ParseSetCookie(l)
					if err != nil {
						t.Fatal(err)
					}
					total += len(c.Name) + 1 + len(c.Value) + 2
					req.AddCookie(c)
				}
				got, err := vault.Open(key, acct, a.credCookie(req))
				if err != nil || got.AccessToken != cred.AccessToken || got.Password != cred.Password {
					t.Errorf("secure=%v: the chunks do not open back: %v", secure, err)
				}
				if !secure {
					t.Logf("%s: sealed %d bytes, %d cookie(s), %d bytes in the Cookie header", tc.name, len(sealed), len(lines), total)
				}
				// A shorter credential later clears the chunks the longer one left.
				rec = httptest.NewRecorder()
				a.setCredCookie(rec, req, "short", 60)
				if err := a.setCredCookie(httptest.NewRecorder(), req, strings.Repeat("x", maxCredChunks*credChunk+1), 60); err == nil {
					t.Error("a credential too large for the cookies was accepted")
				}
				cleared := 0
				for _, l := range rec.Result().Header.Values("Set-Cookie") {
					if strings.Contains(l, "Max-Age=0") {
						cleared++
					}
				}
				if cleared != tc.chunks-1 {
					t.Errorf("secure=%v: %d stale chunks cleared, want %d", secure, cleared, tc.chunks-1)
				}
			}
		})
	}
}
