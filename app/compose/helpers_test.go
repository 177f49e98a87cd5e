package compose

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
)

// written is what a test sees of a written message after go-message parsed
// it back.
type written struct {
	Keys        []string // header field names, in order
	From        []string // "name|address", see formatParsed
	To, Cc, Bcc []string
	Subject     string
	Date        string
	MessageID   string
	InReplyTo   []string
	References  []string
	TextType    string // the text part's Content-Type
	TextCTE     string
	Text        string   // the text as typed: decoded and, if flowed, unflowed
	Wire        string   // the text part, decoded, before unflowing
	HTML        string   // the text/html part, decoded, if there is one
	Inline      []string // the Content-IDs of inline parts other than text
	Attachments []writtenAttachment
}

type writtenAttachment struct {
	Filename    string
	ContentType string
	Charset     string
	Size        int
	SHA256      string
}

// parseWritten parses a message written by WriteTo with go-message, as a
// receiving program would.
func parseWritten(t testing.TB, raw []byte) written {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("go-message cannot read the message: %v\n%s", err, raw)
	}
	var w written
	for f := mr.Header.Fields(); f.Next(); {
		w.Keys = append(w.Keys, f.Key())
	}
	addrs := func(key string) []string {
		l, err := mr.Header.AddressList(key)
		if err != nil {
			t.Fatalf("%s: %v (%q)", key, err, mr.Header.Get(key))
		}
		return formatParsed(l)
	}
	w.From, w.To, w.Cc, w.Bcc = addrs("From"), addrs("To"), addrs("Cc"), addrs("Bcc")
	if w.Subject, err = mr.Header.Subject(); err != nil {
		t.Fatalf("Subject: %v", err)
	}
	w.Date = mr.Header.Get("Date")
	if w.MessageID, err = mr.Header.MessageID(); err != nil {
		t.Fatalf("Message-ID: %v", err)
	}
	if w.InReplyTo, err = mr.Header.MsgIDList("In-Reply-To"); err != nil {
		t.Fatalf("In-Reply-To: %v", err)
	}
	if w.References, err = mr.Header.MsgIDList("References"); err != nil {
		t.Fatalf("References: %v", err)
	}
	texts := 0
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("NextPart: %v", err)
		}
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			b, err := io.ReadAll(p.Body)
			if err != nil {
				t.Fatalf("reading the text: %v", err)
			}
			switch ct, _, _ := h.ContentType(); {
			case ct == "text/html":
				w.HTML = string(b)
				continue
			case ct != "text/plain":
				w.Inline = append(w.Inline, h.Get("Content-Id"))
				continue
			}
			texts++
			w.TextType = h.Get("Content-Type")
			w.TextCTE = h.Get("Content-Transfer-Encoding")
			w.Wire = string(b)
			_, params, err := h.ContentType()
			if err != nil {
				t.Fatalf("text Content-Type: %v", err)
			}
			if strings.EqualFold(params["format"], "flowed") {
				w.Text = Unflow(w.Wire, strings.EqualFold(params["delsp"], "yes"))
			} else {
				w.Text = NormaliseBody(w.Wire)
			}
		case *mail.AttachmentHeader:
			name, err := h.Filename()
			if err != nil {
				t.Fatalf("attachment file name: %v", err)
			}
			ct, params, err := h.ContentType()
			if err != nil {
				t.Fatalf("attachment Content-Type: %v", err)
			}
			hash := sha256.New()
			n, err := io.Copy(hash, p.Body)
			if err != nil {
				t.Fatalf("reading attachment %q: %v", name, err)
			}
			w.Attachments = append(w.Attachments, writtenAttachment{
				Filename: name, ContentType: ct, Charset: params["charset"], Size: int(n), SHA256: hex.EncodeToString(hash.Sum(nil)),
			})
		}
	}
	if texts != 1 {
		t.Fatalf("%d text parts, want 1\n%s", texts, raw)
	}
	return w
}

// formatParsed gives parsed addresses as "name|address" for comparing.
func formatParsed(l []*mail.Address) []string {
	var out []string
	for _, a := range l {
		out = append(out, a.Name+"|"+a.Address)
	}
	return out
}

// writeDraft writes d and returns the message, failing the test on error.
func writeDraft(t testing.TB, d *Draft, withBcc bool) []byte {
	t.Helper()
	var b bytes.Buffer
	n, err := d.WriteTo(&b, withBcc)
	if err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	if n != int64(b.Len()) {
		t.Fatalf("WriteTo returned %d, wrote %d bytes", n, b.Len())
	}
	return b.Bytes()
}

// noise is a reader of n deterministic pseudo-random bytes that holds none
// of them.
type noise struct {
	n int64
	x uint64
}

func newNoise(n int64, seed uint64) *noise { return &noise{n: n, x: seed*0x9E3779B97F4A7C15 + 1} }

func (r *noise) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		r.x ^= r.x << 13
		r.x ^= r.x >> 7
		r.x ^= r.x << 17
		p[i] = byte(r.x >> 32)
	}
	r.n -= int64(len(p))
	return len(p), nil
}

func (r *noise) Close() error { return nil }

// noiseAttachment is an attachment of n pseudo-random bytes, and its
// SHA-256.
func noiseAttachment(name, contentType string, n int64, seed uint64) (Attachment, string) {
	hash := sha256.New()
	if _, err := io.Copy(hash, newNoise(n, seed)); err != nil {
		panic(err)
	}
	return Attachment{Filename: name, ContentType: contentType, Open: func() (io.ReadCloser, error) {
		return newNoise(n, seed), nil
	}}, hex.EncodeToString(hash.Sum(nil))
}

// peakHeapGrowth runs f and returns how much the heap grew over what it
// was before, at most, sampling runtime/metrics every 100µs.
func peakHeapGrowth(f func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	peak.Store(base)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	if v := read(); v > peak.Load() {
		peak.Store(v)
	}
	close(done)
	<-stopped
	return peak.Load() - base
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
