package app

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkSuggestKeystroke is one keystroke's request for suggestions
// (the whole request: session, credential, the index, the fragment) when
// the person's Sent holds 5,000 distinct recipients; and the memory their
// session's addresses take. Building the index (two FETCHes of 500
// envelopes) is the first request's, outside the timing.
func BenchmarkSuggestKeystroke(b *testing.B) {
	e := newContactsEnv(b)
	var to []string
	for i := range 5000 {
		to = append(to, fmt.Sprintf("Person %04d Example <person%04d@host%d.example.org>", i, i, i%50))
	}
	for i := range 500 {
		e.appendMail(b, "Sent", "From: "+e.acct.Login, "To: "+strings.Join(to[i*10:i*10+10], ", "))
	}
	c := e.client()
	c.login(b, e.acct.Login, e.acct.Password)
	if got := len(c.suggest(b, "person")); got != suggestionsShown {
		b.Fatalf("%d suggestions, want %d", got, suggestionsShown)
	}
	b.ReportMetric(float64(e.app.contacts.Bytes()), "B/session")
	for _, q := range []string{"person", "person4999", "nobody"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp := c.do(b, "GET", "/contacts/suggest?q="+q, nil, "HX-Request", "true")
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatal(resp.Status)
				}
			}
			b.ReportMetric(float64(e.app.contacts.Bytes()), "B/session")
		})
	}
}
