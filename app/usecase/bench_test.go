package usecase_test

import (
	"context"
	"fmt"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"webmail"
	"webmail/app/internal/dovecot"
	"webmail/app/usecase"
)

// BenchmarkSelectAllFlag flags (and unflags, alternately) every message of
// a 100,000-message Dovecot INBOX, as "Select all N messages in this
// folder" does, and reports the IMAP commands and the peak of the Go heap
// above where it started.
func BenchmarkSelectAllFlag(b *testing.B) {
	const n = 100_000
	m, dc := dovecotServer(b)
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = fmt.Appendf(nil, "From: Ann <ann@example.net>\r\nTo: me@example.org\r\nSubject: Message %d\r\nMessage-ID: <m%d@example.net>\r\n\r\nHello.\r\n", i, i)
	}
	dc.Deliver(b, dovecot.DefaultLogin, "INBOX", msgs...)
	ctx := context.Background()
	l := m.list(b, "INBOX") // the first SELECT indexes the folder
	if l.Page.Total != n {
		b.Fatalf("INBOX holds %d", l.Page.Total)
	}
	sel := webmail.Selection{Mailbox: "INBOX", Validity: l.Page.UIDValidity}

	peak, stop := heapPeak()
	before := m.commands.total()
	verbs := []usecase.Verb{usecase.Flag, usecase.Unflag}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		out, err := m.svc.Act(ctx, m.acct, usecase.Action{Verb: verbs[i%2], Messages: sel, All: true})
		if err != nil || english(out.Notice) != "100000 messages "+string(verbs[i%2])+"ged." {
			b.Fatalf("%+v, %v", out, err)
		}
		i++
	}
	stop()
	b.ReportMetric(float64(m.commands.total()-before)/float64(b.N), "imap-cmds/op")
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MiB")
}

// heapPeak samples the live heap every millisecond until stop, and tells
// its peak above the first sample.
func heapPeak() (peak func() uint64, stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var max atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := read(); v > base && v-base > max.Load() {
					max.Store(v - base)
				}
			}
		}
	}()
	return max.Load, func() { close(done); <-stopped }
}
