package app

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"webmail/app/vault"
)

// BenchmarkProve is what every request pays to prove its credential cookie
// opens under its session's key (invariant S2): one XChaCha20-Poly1305
// open of the sealed password.
func BenchmarkProve(b *testing.B) {
	key := vault.NewKey()
	acct := vault.Account{Login: "alice@example.org", Server: "imap.example.org:993"}
	sealed, err := vault.Seal(key, acct, vault.Credential{Login: acct.Login, Password: "correct horse battery staple"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		cred, err := vault.Open(key, acct, sealed)
		if err != nil {
			b.Fatal(err)
		}
		cred.Wipe()
	}
}

// BenchmarkMiddleware is the whole middleware chain (log, headers, gzip,
// cross-origin check, session load and save, authentication with the
// proof) in front of a handler that does nothing, for a logged-in request.
func BenchmarkMiddleware(b *testing.B) {
	e := newEnv(b)
	c := e.client()
	c.login(b, e.acct.Login, e.acct.Password)
	req := httptest.NewRequest("GET", "/m/INBOX", nil)
	u, _ := url.Parse(e.srv.URL)
	for _, ck := range c.jar.Cookies(u) {
		req.AddCookie(ck)
	}
	served := 0
	h := e.app.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served++
		w.WriteHeader(http.StatusNoContent)
	}))
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusNoContent {
			b.Fatalf("status %d", w.Code)
		}
	}
	if served == 0 {
		b.Fatal("never served")
	}
}
