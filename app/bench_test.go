package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"webmail/app/demo"
	"webmail/app/internal/dovecot"
	"webmail/app/internal/redis"
	"webmail/app/mail"
	"webmail/app/smtpcred"
	"webmail/config"
)

// benchEnv is a webmail over a demo server whose INBOX holds n generated
// messages (and, if big > 0, one message with a big attachment). The demo
// server runs in a child process, so the heap and the CPU profile measured
// here are the webmail's alone, as in production where the IMAP server is
// another program.
func benchEnv(b *testing.B, n, big int, opts ...envOption) *env {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	imapAddr, smtpAddr := startDemoProcess(b, n, big)
	cfg := testConfig(b, imapAddr, smtpAddr)
	cfg.Limits.LoginBurst = 1000
	cfg.Limits.LoginPerIP = 10000
	cfg.Limits.LoginPerUser = 10000
	for _, o := range opts {
		o(&cfg)
	}
	e := &env{logs: &syncBuffer{}, acct: demo.DefaultAccounts()[0]}
	e.app = mustNew(b, cfg, Options{})
	go e.app.Run(ctx)
	e.srv = newLoopbackServer(b, e.app.Handler())
	return e
}

func TestMain(m *testing.M) {
	if os.Getenv("WEBMAIL_BENCH_DEMO") == "1" {
		runDemoChild()
		return
	}
	os.Exit(m.Run())
}

// runDemoChild is the child process of startDemoProcess: it serves the
// demo until its standard input closes.
func runDemoChild() {
	ctx := context.Background()
	d, err := demo.Start(ctx, demo.Options{Empty: true})
	if err != nil {
		fmt.Println("error", err)
		return
	}
	defer d.Close()
	login := d.Accounts()[0].Login
	if n, _ := strconv.Atoi(os.Getenv("WEBMAIL_BENCH_FILL")); n > 0 {
		if err := d.FillMailbox(ctx, login, "INBOX", n); err != nil {
			fmt.Println("error", err)
			return
		}
	}
	if n, _ := strconv.Atoi(os.Getenv("WEBMAIL_BENCH_BIG")); n > 0 {
		if err := d.Append(ctx, login, "INBOX", bigMessage(n), nil, time.Now()); err != nil {
			fmt.Println("error", err)
			return
		}
	}
	fmt.Println(d.IMAPAddr(), d.SMTPAddr())
	io.Copy(io.Discard, os.Stdin)
}

func startDemoProcess(b *testing.B, fill, big int) (imapAddr, smtpAddr string) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "WEBMAIL_BENCH_DEMO=1", "WEBMAIL_BENCH_FILL="+strconv.Itoa(fill), "WEBMAIL_BENCH_BIG="+strconv.Itoa(big))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	var status string
	if _, err := fmt.Fscan(stdout, &status, &smtpAddr); err != nil || status == "error" {
		b.Fatalf("demo child: %v %s %s", err, status, smtpAddr)
	}
	return status, smtpAddr
}

// BenchmarkInboxPage renders a 50-row inbox page through HTTP, and times
// the IMAP commands the page needs (NOOP + FETCH on the kept connection)
// in the same run, so the two can be compared: the budget is 1.3x.
func BenchmarkInboxPage(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run("messages="+strconv.Itoa(n), func(b *testing.B) {
			e := benchEnv(b, n, 0)
			c := e.client()
			c.login(b, e.acct.Login, e.acct.Password)
			c.page(b, "/m/INBOX", http.StatusOK) // warm: folder cache, SELECT

			conn, err := mail.Dialer{Timeout: 10 * time.Second}.Dial(context.Background(), e.app.cfg.IMAP, mail.Auth{Login: e.acct.Login, Password: e.acct.Password})
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.ListPage(context.Background(), "INBOX", 1); err != nil {
				b.Fatal(err)
			}

			b.ReportAllocs()
			b.ResetTimer()
			var imapTime time.Duration
			for i := 0; i < b.N; i++ {
				resp := c.do(b, "GET", "/m/INBOX", nil)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
				b.StopTimer()
				start := time.Now()
				if _, err := conn.ListPage(context.Background(), "INBOX", 1); err != nil {
					b.Fatal(err)
				}
				imapTime += time.Since(start)
				b.StartTimer()
			}
			b.ReportMetric(float64(imapTime.Nanoseconds())/float64(b.N), "imap-ns/op")
		})
	}
}

// BenchmarkInboxPageStores is the inbox page (1,000 messages) on the demo
// server and on Dovecot, with the sessions in memory and in Redis: the
// median and the 99th percentile of the requests next to the IMAP commands
// the page needs (NOOP + FETCH of the page on a kept connection, the
// floor), and the page's median over the floor's.
func BenchmarkInboxPageStores(b *testing.B) {
	for _, server := range []string{"demo", "dovecot"} {
		for _, store := range []string{"memory", "redis"} {
			b.Run("server="+server+"/store="+store, func(b *testing.B) {
				benchInboxPageStore(b, server, store)
			})
		}
	}
}

func benchInboxPageStore(b *testing.B, server, store string) {
	const n = 1_000
	var opts []envOption
	if store == "redis" {
		rs := redis.Start(b, redis.Options{})
		opts = append(opts, func(c *config.Config) { c.Session.RedisURL = rs.URL() })
	}
	var e *env
	switch server {
	case "dovecot":
		dc := dovecot.Start(b, dovecot.Options{})
		dc.Deliver(b, dovecot.DefaultLogin, "INBOX", dovecotMessages(n)...)
		dc.Index(b, dovecot.DefaultLogin, "INBOX")
		_, smtpAddr := startDemoProcess(b, 0, 0)
		ctx, cancel := context.WithCancel(context.Background())
		b.Cleanup(cancel)
		cfg := testConfig(b, dc.Addr(), smtpAddr)
		for _, o := range opts {
			o(&cfg)
		}
		e = &env{logs: &syncBuffer{}, acct: demo.Account{Login: dovecot.DefaultLogin, Password: dovecot.DefaultPassword}}
		e.app = mustNew(b, cfg, Options{})
		go e.app.Run(ctx)
		e.srv = newLoopbackServer(b, e.app.Handler())
	default:
		e = benchEnv(b, n, 0, opts...)
	}
	c := e.client()
	c.login(b, e.acct.Login, e.acct.Password)
	c.page(b, "/m/INBOX", http.StatusOK)
	conn, err := mail.Dialer{Timeout: 10 * time.Second}.Dial(context.Background(), e.app.cfg.IMAP, mail.Auth{Login: e.acct.Login, Password: e.acct.Password})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ListPage(context.Background(), "INBOX", 1); err != nil {
		b.Fatal(err)
	}
	var page, imapTimes []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		resp := c.do(b, "GET", "/m/INBOX", nil)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		page = append(page, time.Since(start))
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		b.StopTimer()
		start = time.Now()
		if _, err := conn.ListPage(context.Background(), "INBOX", 1); err != nil {
			b.Fatal(err)
		}
		imapTimes = append(imapTimes, time.Since(start))
		b.StartTimer()
	}
	pct := func(d []time.Duration, p float64) float64 {
		slices.Sort(d)
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Microseconds())
	}
	b.ReportMetric(pct(page, 0.5), "p50-µs")
	b.ReportMetric(pct(page, 0.99), "p99-µs")
	b.ReportMetric(pct(imapTimes, 0.5), "imap-p50-µs")
	b.ReportMetric(pct(page, 0.5)/pct(imapTimes, 0.5), "x-floor")
}

// BenchmarkDownload25MB streams a 25 MB attachment and reports the peak
// growth of the heap while it does.
func BenchmarkDownload25MB(b *testing.B) {
	e := benchEnv(b, 0, 25<<20)
	c := e.client()
	c.login(b, e.acct.Login, e.acct.Password)
	doc := c.page(b, "/m/INBOX", http.StatusOK)
	href, _ := doc.Find("[data-testid=row] a").First().Attr("href")
	doc = c.page(b, href, http.StatusOK)
	dl, _ := doc.Find("[data-testid=attachment-link]").First().Attr("href")

	b.ResetTimer()
	var peak int64
	for i := 0; i < b.N; i++ {
		var n int64
		peak = max(peak, peakHeap(func() {
			resp := c.do(b, "GET", dl, nil)
			n, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}))
		if n != 25<<20 {
			b.Fatalf("downloaded %d bytes", n)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.SetBytes(25 << 20)
}

func heapBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

func bigMessage(size int) []byte {
	payload := make([]byte, size)
	rand.Read(payload)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fmt.Fprintf(&buf, "From: Backup <backup@example.org>\r\nTo: demo@example.org\r\nSubject: Big file\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%s\r\n\r\n", time.Now().Format(time.RFC1123Z), mw.Boundary())
	w, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}})
	io.WriteString(w, "The big file.\r\n")
	w, _ = mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"application/octet-stream"},
		"Content-Transfer-Encoding": {"base64"},
		"Content-Disposition":       {`attachment; filename="big.bin"`},
	})
	enc := base64.NewEncoder(base64.StdEncoding, &lineWriter{w: w})
	enc.Write(payload)
	enc.Close()
	mw.Close()
	return buf.Bytes()
}

// lineWriter breaks base64 into 76-character lines.
type lineWriter struct {
	w   io.Writer
	col int
}

func (l *lineWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		if l.col == 76 {
			l.w.Write([]byte("\r\n"))
			l.col = 0
		}
		l.w.Write([]byte{c})
		l.col++
	}
	return len(p), nil
}

// BenchmarkSessions logs in 200 sessions of one account, which share the
// account's IMAP connections, and reports the heap in use for all of them
// together and the connections held.
func BenchmarkSessions(b *testing.B) {
	const sessions = 200
	for i := 0; i < b.N; i++ {
		e := benchEnv(b, 0, 0)
		runtime.GC()
		base := heapBytes()
		clients := make([]*client, sessions)
		for j := range clients {
			clients[j] = e.client()
			clients[j].login(b, e.acct.Login, e.acct.Password)
			resp := clients[j].do(b, "GET", "/m/INBOX", nil)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if got := e.app.Connections().Open; got > e.app.cfg.IMAPConnections {
			b.Fatalf("%d connections for one account, want at most %d", got, e.app.cfg.IMAPConnections)
		}
		b.ReportMetric(float64(e.app.Connections().Open), "imap-conns")
		runtime.GC()
		b.ReportMetric(float64(heapBytes()-base)/(1<<20), "heap-MB")
		b.ReportMetric(float64(heapBytes()-base)/sessions/1024, "heap-KB/session")
	}
}

// BenchmarkSend times a whole send request to the SMTP server: with the
// sealed blob (one Argon2id derivation at the default cost) and with the
// SMTP password typed into the form.
func BenchmarkSend(b *testing.B) {
	for _, mode := range []string{"blob", "typed"} {
		b.Run(mode, func(b *testing.B) {
			e := benchEnv(b, 0, 0)
			e.app.sealer = smtpcred.NewSealer(smtpcred.DefaultParams(), 4)
			e.app.sends = newKeyedLimiter(1e9, 1e9)
			c := e.client()
			c.login(b, e.acct.Login, e.acct.Password)
			fields := [][2]string{{"to", "ann@example.net"}, {"subject", "Benchmark"}, {"body", strings.Repeat("A line of text.\n", 50)}}
			if mode == "blob" {
				fields = append(fields, [2]string{"smtp_blob", c.saveSMTP(b, e.acct.SMTPLogin, e.acct.SMTPPassword)})
			} else {
				fields = append(fields, [2]string{"smtp_login", e.acct.SMTPLogin}, [2]string{"smtp_password", e.acct.SMTPPassword})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				resp := c.postMultipart(b, "/compose/send", fields, nil)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusSeeOther {
					b.Fatalf("send: %d", resp.StatusCode)
				}
			}
		})
	}
}

// BenchmarkConcurrentSends50 sends 50 messages with blobs at once and
// reports the peak heap: the Argon2id semaphore bounds it.
func BenchmarkConcurrentSends50(b *testing.B) {
	e := benchEnv(b, 0, 0)
	def := config.Default()
	e.app.sealer = smtpcred.NewSealer(smtpcred.DefaultParams(), def.Argon2.MaxConcurrent)
	e.app.sends = newKeyedLimiter(1e9, 1e9)
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(MemoryLimit(def))) // as main does
	c := e.client()
	c.login(b, e.acct.Login, e.acct.Password)
	fields := [][2]string{{"to", "ann@example.net"}, {"subject", "Benchmark"}, {"body", "x"},
		{"smtp_blob", c.saveSMTP(b, e.acct.SMTPLogin, e.acct.SMTPPassword)}}
	var peak int64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		base := heapBytes()
		var top atomic.Int64
		done := make(chan struct{})
		go func() {
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					if h := heapBytes() - base; h > top.Load() {
						top.Store(h)
					}
				}
			}
		}()
		var wg sync.WaitGroup
		for j := 0; j < 50; j++ {
			wg.Go(func() {
				resp := c.postMultipart(b, "/compose/send", fields, nil)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
		}
		wg.Wait()
		close(done)
		peak = max(peak, top.Load())
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(def.Argon2.MaxConcurrent*int(def.Argon2.MemoryKiB))/1024, "argon2-bound-MB")
	b.ReportMetric(float64(MemoryLimit(def))/(1<<20), "soft-limit-MB")
}

// BenchmarkUploadTooLarge100MB posts a 100 MB upload, four times the
// limit and far over the old cap on the whole body, and reports the peak
// growth of the heap while the server reads it, spools what fits and
// drops the rest, and answers 413 with the form.
func BenchmarkUploadTooLarge100MB(b *testing.B) {
	e := benchEnv(b, 0, 0)
	c := e.client()
	c.login(b, e.acct.Login, e.acct.Password)
	fields := [][2]string{{"to", "ann@example.net"}, {"subject", "Video"}, {"body", "The video."}}

	b.ResetTimer()
	var peak int64
	for i := 0; i < b.N; i++ {
		peak = max(peak, peakHeap(func() {
			resp, err := c.postStreamed(fields, 100<<20)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				b.Fatalf("status %d, want 413", resp.StatusCode)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.SetBytes(100 << 20)
}

// peakHeap runs f and returns how far the heap grew above where it was,
// at most, sampled every millisecond.
func peakHeap(f func()) int64 {
	runtime.GC()
	base := heapBytes()
	var top atomic.Int64
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
				if h := heapBytes() - base; h > top.Load() {
					top.Store(h)
				}
			}
		}
	}()
	f()
	close(done)
	<-stopped
	return top.Load()
}

// BenchmarkSendKeptDraft20MB sends a draft whose 20 MB attachment waits
// in Drafts: it is streamed from IMAP into the message for SMTP and into
// the copy for Sent. It reports the peak growth of the heap while it does.
func BenchmarkSendKeptDraft20MB(b *testing.B) {
	e := benchEnv(b, 0, 0)
	c := e.client()
	c.login(b, e.acct.Login, e.acct.Password)
	big := upfile{name: "big.bin", typ: "application/octet-stream", data: make([]byte, 20<<20)}
	rand.Read(big.data)

	var peak int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		fields := [][2]string{{"to", "ann@example.net"}, {"subject", "Big"}, {"body", "The file."}}
		doc := parse(b, c.postForm(b, "/compose/draft", fields, big), http.StatusOK)
		// Credentials typed for this send, not the sealed blob, whose
		// Argon2id derivation would dwarf what is measured.
		fields = with(formFields(doc.Find("[data-testid=compose-form]")), "smtp_login", e.acct.SMTPLogin, "smtp_password", e.acct.SMTPPassword)
		b.StartTimer()
		peak = max(peak, peakHeap(func() {
			resp := c.postForm(b, "/compose/send", fields)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				b.Fatalf("send: status %d", resp.StatusCode)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.SetBytes(20 << 20)
}
