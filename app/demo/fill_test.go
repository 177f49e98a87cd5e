package demo

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
)

func TestFillMailbox(t *testing.T) {
	s := startServer(t, Options{Empty: true})
	demo := demoAccount(s)
	const n = 1000
	if err := s.FillMailbox(t.Context(), demo.Login, "INBOX", n); err != nil {
		t.Fatal(err)
	}
	if err := s.FillMailbox(t.Context(), demo.Login, "Bulk/Old", 10); err != nil {
		t.Fatal(err)
	}
	if err := s.FillMailbox(t.Context(), "nobody", "INBOX", 10); err == nil {
		t.Error("FillMailbox for an unknown login succeeded")
	}

	c := dialIMAP(t, s, demo.Login, demo.Password)
	msgs := fetchAll(t, c, "INBOX", &imap.FetchOptions{Envelope: true, Flags: true, InternalDate: true})
	if len(msgs) != n {
		t.Fatalf("INBOX has %d messages, want %d", len(msgs), n)
	}
	unseen := 0
	ids := make(map[string]bool)
	for i, m := range msgs {
		if !strings.HasSuffix(m.Envelope.Subject, " #"+strconv.Itoa(i+1)) || len(m.Envelope.From) != 1 || !m.Envelope.Date.Equal(m.InternalDate) {
			t.Fatalf("message %d: subject %q, from %v, date %v, internal date %v", i+1, m.Envelope.Subject, m.Envelope.From, m.Envelope.Date, m.InternalDate)
		}
		if i > 0 && m.InternalDate.Before(msgs[i-1].InternalDate) || m.InternalDate.After(testNow()) {
			t.Errorf("message %d: date %v out of order", i+1, m.InternalDate)
		}
		if ids[m.Envelope.MessageID] {
			t.Errorf("message %d: duplicate Message-ID %s", i+1, m.Envelope.MessageID)
		}
		ids[m.Envelope.MessageID] = true
		if !slices.Contains(m.Flags, imap.FlagSeen) {
			unseen++
		}
	}
	if unseen < n/20 || unseen > n/5 {
		t.Errorf("%d of %d messages unseen, want about 10%%", unseen, n)
	}
	if got := len(fetchAll(t, c, "Bulk/Old", &imap.FetchOptions{UID: true})); got != 10 {
		t.Errorf("Bulk/Old has %d messages, want 10", got)
	}
}

// BenchmarkFillMailbox measures filling an INBOX with 10,000 messages.
func BenchmarkFillMailbox(b *testing.B) {
	const n = 10_000
	b.ReportAllocs()
	for range b.N {
		b.StopTimer()
		s, err := Start(b.Context(), Options{Empty: true, Now: testNow()})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := s.FillMailbox(b.Context(), demoAccount(s).Login, "INBOX", n); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/message")
}

// BenchmarkStart measures starting the full demo.
func BenchmarkStart(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		s, err := Start(b.Context(), Options{Now: testNow()})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
