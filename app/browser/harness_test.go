package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	wm "webmail"

	"github.com/chromedp/cdproto/debugger"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"webmail/app"
	"webmail/app/demo"
	"webmail/config"
	"webmail/views"
)

// testTimeout bounds each test's browser work, navTimeout the load of one
// page and waitTimeout a wait for a condition.
const (
	testTimeout = 45 * time.Second
	navTimeout  = 15 * time.Second
	waitTimeout = 15 * time.Second
)

// webmail is the application served on loopback against its own demo IMAP
// and SMTP servers.
type webmail struct {
	url  string // http://127.0.0.1:port
	host string // 127.0.0.1:port
	demo *demo.Server
	acct demo.Account
	logs *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newWebmail starts the demo mail server with opt and the webmail on it.
// When opt starts the demo's OpenID Connect provider, the webmail offers it
// as "Demo ID". Each configure function may change the webmail's
// configuration. The application log is printed if the test fails.
func newWebmail(t *testing.T, opt demo.Options, configure ...func(*config.Config)) *webmail {
	t.Helper()
	return newWebmailWith(t, opt, app.Options{}, configure...)
}

// newWebmailWith is newWebmail with app options (its logger is the
// test's).
func newWebmailWith(t *testing.T, opt demo.Options, aopt app.Options, configure ...func(*config.Config)) *webmail {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := demo.Start(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	w := &webmail{demo: d, acct: d.Accounts()[0], logs: &syncBuffer{}}
	log := slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// The listener first: public_url, from which the OAuth redirect URI is
	// made, needs its port.
	srv := httptest.NewUnstartedServer(nil) // 127.0.0.1
	t.Cleanup(func() {
		// A handler that never returns would block Close for good: give
		// up after a while, and say so.
		done := make(chan struct{})
		go func() { srv.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("the web server did not shut down in 10 s: a request handler is stuck")
		}
	})
	cfg := mailConfig(t, d)
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	if p := d.Provider(); p != nil {
		cfg.OAuth = []config.OAuth{{
			Name: "demo", Label: "Demo ID", Issuer: p.Issuer(), ClientID: p.ClientID(), ClientSecret: config.Secret(p.ClientSecret()),
			Scopes: []string{"openid", "email", demo.MailScope}, LoginClaim: "email", SASL: "auto",
		}}
	}
	for _, c := range configure {
		c(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	aopt.Logger = log
	a, err := app.New(cfg, aopt)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	runCtx, stop := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { a.Run(runCtx); close(ran) }()
	t.Cleanup(func() { stop(); <-ran }) // before srv.Close: frees the pool
	w.url = srv.URL
	w.host = srv.Listener.Addr().String()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("application log:\n%s", tail(w.logs.String(), 60))
		}
	})
	return w
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// mailConfig is a valid configuration whose IMAP and SMTP servers are d's.
func mailConfig(t *testing.T, d *demo.Server) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Demo = false
	host, port := splitHostPort(t, d.IMAPAddr())
	cfg.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
	host, port = splitHostPort(t, d.SMTPAddr())
	cfg.SMTP = config.SMTP{Server: config.Server{Host: host, Port: port, Security: config.SecurityPlain}}
	cfg.IMAPTimeout = config.Duration{Duration: 10 * time.Second}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func splitHostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return h, n
}

// mailRef is a message as IMAP knows it.
type mailRef struct {
	UID     imap.UID
	Subject string
}

// mailbox lists a mailbox's messages over IMAP (read-only), oldest first.
func (w *webmail) mailbox(t *testing.T, name string) (validity uint32, msgs []mailRef) {
	t.Helper()
	c, err := imapclient.DialInsecure(w.demo.IMAPAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(w.acct.Login, w.acct.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select(name, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return sel.UIDValidity, nil
	}
	bufs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bufs {
		msgs = append(msgs, mailRef{UID: b.UID, Subject: b.Envelope.Subject})
	}
	return sel.UIDValidity, msgs
}

// messagePath returns the path of the message of mailbox whose subject is
// subject.
func (w *webmail) messagePath(t *testing.T, mailbox, subject string) string {
	t.Helper()
	validity, msgs := w.mailbox(t, mailbox)
	for _, m := range msgs {
		if m.Subject == subject {
			return views.MessageURL(wm.MessageRef{Mailbox: mailbox, Validity: validity, UID: wm.UID(m.UID)})
		}
	}
	t.Fatalf("no message %q in %s", subject, mailbox)
	return ""
}

// Subjects of demo messages the tests open (see app/demo/notable.go).
const (
	subjectNewsletter = "Spring Collection: up to 40% off trail gear" // HTML, remote images
	subjectFlowed     = "Trip report: three days in the Dolomites"    // plain text
	subjectPDF        = "Your invoice INV-10042 is available"         // HTML + text, PDF attachment
	subjectPNG        = "Photos from the hike"                        // two PNG attachments
	subjectMokka      = "Don’t miss it: “Spring Sale” – 20 € off"     // windows-1252 HTML, remote image
	subjectLong       = "Action required: please review the updated terms of service, privacy policy, cookie policy, acceptable use policy and data processing addendum before your next sign-in on any of your devices"
)

// --- Driving the browser ---

// run runs actions in the tab, failing the test on error.
func (tb *tab) run(t *testing.T, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(tb.ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the top document into res.
// It works with page scripts disabled too.
func (tb *tab) eval(t *testing.T, expr string, res any) {
	t.Helper()
	if err := chromedp.Run(tb.ctx, chromedp.Evaluate(expr, res)); err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
}

func (tb *tab) str(t *testing.T, expr string) string {
	t.Helper()
	var s string
	tb.eval(t, "String("+expr+")", &s)
	return s
}

func (tb *tab) num(t *testing.T, expr string) float64 {
	t.Helper()
	var f float64
	tb.eval(t, "Number("+expr+")", &f)
	return f
}

func (tb *tab) truthy(t *testing.T, expr string) bool {
	t.Helper()
	var b bool
	tb.eval(t, "!!("+expr+")", &b)
	return b
}

// waitFor polls a JavaScript condition until it holds, failing after 15 s.
// It survives navigations and works with page scripts disabled (unlike
// chromedp.Poll).
func (tb *tab) waitFor(t *testing.T, what, cond string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	var last error
	for {
		var ok bool
		err := chromedp.Run(ctx, chromedp.Evaluate("!!("+cond+")", &ok))
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			var href, body string
			chromedp.Run(tb.ctx, chromedp.Evaluate("location.href", &href),
				chromedp.Evaluate("document.body ? document.body.innerText.slice(0, 600) : ''", &body))
			t.Fatalf("waiting for %s (%s): timed out (last error: %v)\nat %s\npage text: %s", what, cond, last, href, body)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// click clicks the first element matching a CSS selector, as a person
// would (mouse events at its centre, after scrolling it into view).
func (tb *tab) click(t *testing.T, sel string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Run(ctx, chromedp.Click(sel, chromedp.ByQuery, chromedp.NodeVisible)); err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
}

// navigate loads url and waits for its load event (which waits for the
// document's frames too).
func (tb *tab) navigate(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, navTimeout)
	defer cancel()
	if err := chromedp.Run(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s (and its frames): %v", url, err)
	}
}

// login logs in through the login form and waits for the inbox.
func (tb *tab) login(t *testing.T, w *webmail) {
	t.Helper()
	tb.navigate(t, w.url+"/login")
	tb.run(t, "filling in the login form",
		chromedp.WaitVisible(`[data-testid=login-form]`, chromedp.ByQuery),
		chromedp.SendKeys(`[data-testid=login-form] input[name=login]`, w.acct.Login, chromedp.ByQuery),
		chromedp.SendKeys(`[data-testid=login-form] input[name=password]`, w.acct.Password, chromedp.ByQuery),
	)
	tb.click(t, `[data-testid=login-form] button[type=submit]`)
	// The whole page, not its first row: a busy machine parses a page in
	// several goes.
	tb.waitFor(t, "the inbox after login", `location.pathname === "/m/INBOX" && document.readyState === "complete" && document.querySelector("[data-testid=row]")`)
}

// advanceClock runs the tab's clock d ahead at once, in every frame:
// timers and refreshes due meanwhile fire without the test waiting for
// them in real time. The clock stays where it ends.
func (tb *tab) advanceClock(t *testing.T, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	expired := make(chan struct{}, 1)
	chromedp.ListenTarget(ctx, func(ev any) {
		if _, ok := ev.(*emulation.EventVirtualTimeBudgetExpired); ok {
			select {
			case expired <- struct{}{}:
			default:
			}
		}
	})
	tb.run(t, "advancing the clock", chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := emulation.SetVirtualTimePolicy(emulation.VirtualTimePolicyAdvance).WithBudget(float64(d.Milliseconds())).Do(ctx)
		return err
	}))
	select {
	case <-expired:
	case <-ctx.Done():
		t.Fatalf("advancing the tab's clock by %v: %v", d, ctx.Err())
	}
}

// location is the tab's URL.
func (tb *tab) location(t *testing.T) string {
	t.Helper()
	return tb.str(t, "location.href")
}

// rect is an element's bounding client rectangle.
type rect struct {
	Left, Top, Right, Bottom, Width, Height float64
}

func (tb *tab) rect(t *testing.T, sel string) rect {
	t.Helper()
	var r rect
	tb.eval(t, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect();
		return {Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom, Width: r.width, Height: r.height}; })()`, sel), &r)
	return r
}

// display is the computed display of the first element matching sel.
func (tb *tab) display(t *testing.T, sel string) string {
	t.Helper()
	return tb.str(t, fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).display`, sel))
}

// count is the number of elements matching sel.
func (tb *tab) count(t *testing.T, sel string) int {
	t.Helper()
	return int(tb.num(t, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
}

// text is the trimmed text of the first element matching sel, "" if none.
func (tb *tab) text(t *testing.T, sel string) string {
	t.Helper()
	return tb.str(t, fmt.Sprintf(`(document.querySelector(%q)?.textContent ?? "").trim().replace(/\s+/g, " ")`, sel))
}

// noHorizontalOverflow fails unless the page fits the viewport's width.
func (tb *tab) noHorizontalOverflow(t *testing.T, screen string) {
	t.Helper()
	var r struct{ Scroll, Inner float64 }
	tb.eval(t, `({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth})`, &r)
	if r.Scroll > r.Inner {
		var wide []string
		tb.eval(t, `Array.from(document.querySelectorAll("body *")).filter(e => {
			const r = e.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 0.5;
		}).slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().replace(/\s+/g, ".") : "") +
			" right=" + Math.round(e.getBoundingClientRect().right))`, &wide)
		t.Errorf("%s: horizontal overflow: the page is %.0f px wide in a %.0f px viewport; too wide: %s", screen, r.Scroll, r.Inner, strings.Join(wide, ", "))
	}
}

// screenshot saves a full-page PNG of the tab as testdata/screenshots/name.png
// when WEBMAIL_SCREENSHOTS is set.
func (tb *tab) screenshot(t *testing.T, name string) {
	t.Helper()
	if os.Getenv("WEBMAIL_SCREENSHOTS") == "" {
		return
	}
	var buf []byte
	tb.run(t, "screenshot "+name, chromedp.ActionFunc(func(ctx context.Context) error {
		_, _, _, _, _, content, err := page.GetLayoutMetrics().Do(ctx)
		if err != nil {
			return err
		}
		buf, err = page.CaptureScreenshot().
			WithFormat(page.CaptureScreenshotFormatPng).
			WithCaptureBeyondViewport(true).
			WithClip(&page.Viewport{X: 0, Y: 0, Width: content.Width, Height: content.Height, Scale: 1}).
			Do(ctx)
		return err
	}))
	dir := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// --- Watching what the page does ---

// watchScriptURL names the scripts the tests inject in every document.
const watchScriptURL = "webmail-test-watch.js"

// watcher records the tab's network requests, JavaScript dialogs and
// scripts.
type watcher struct {
	mu       sync.Mutex
	requests []string // URLs, in order
	dialogs  []string // "alert: message"
	scripts  []string // scripts that are not the app's
}

// watch starts recording; dialogs are dismissed so that the page goes on.
//
// Every script V8 compiles in the tab is reported (Debugger.scriptParsed),
// inline event handlers and javascript: URLs included. A script counts as
// foreign if it runs in a frame other than the top one (the app never runs
// code in the message frame, and neither do these tests), or if it has a
// URL other than the app's script assets. (DevTools evaluations, ours, have
// no URL; injected scripts are named watchScriptURL.)
func (tb *tab) watch(t *testing.T, origin string) *watcher {
	t.Helper()
	w := &watcher{}
	top := string(chromedp.FromContext(tb.ctx).Target.TargetID)
	chromedp.ListenTarget(tb.ctx, func(ev any) {
		switch e := ev.(type) {
		case *debugger.EventScriptParsed:
			var aux struct {
				FrameID string `json:"frameId"`
			}
			json.Unmarshal(e.ExecutionContextAuxData, &aux)
			ours := e.URL == "" && aux.FrameID == top || strings.HasPrefix(e.URL, origin+"/assets/") && aux.FrameID == top ||
				e.URL == watchScriptURL
			if !ours {
				w.mu.Lock()
				w.scripts = append(w.scripts, fmt.Sprintf("frame %s url %q lines %d-%d", aux.FrameID, e.URL, e.StartLine, e.EndLine))
				w.mu.Unlock()
			}
		case *network.EventRequestWillBeSent:
			w.mu.Lock()
			w.requests = append(w.requests, e.Request.URL)
			w.mu.Unlock()
		case *page.EventJavascriptDialogOpening:
			w.mu.Lock()
			w.dialogs = append(w.dialogs, string(e.Type)+": "+e.Message)
			w.mu.Unlock()
			go chromedp.Run(tb.ctx, page.HandleJavaScriptDialog(false))
		}
	})
	tb.run(t, "enabling the debugger", chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := debugger.Enable().Do(ctx)
		return err
	}))
	return w
}

// take returns and forgets what was recorded so far.
func (w *watcher) take() (requests, dialogs, scripts []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	requests, dialogs, scripts = w.requests, w.dialogs, w.scripts
	w.requests, w.dialogs, w.scripts = nil, nil, nil
	return requests, dialogs, scripts
}

// foreign returns the requests that went to another host than host (the
// test server); data: and about: URLs are not requests to anyone.
func foreign(requests []string, host string) []string {
	var out []string
	for _, r := range requests {
		u, err := url.Parse(r)
		if err != nil {
			out = append(out, r)
			continue
		}
		switch u.Scheme {
		case "data", "about", "blob":
			continue
		}
		if u.Host != host {
			out = append(out, r)
		}
	}
	return out
}

// recordingProxy is the HTTP proxy of a test's browser context: Chromium
// sends it every request to a host other than loopback, whatever frame,
// worker or popup makes it. It records the request and refuses it.
type recordingProxy struct {
	url  string
	mu   sync.Mutex
	hits []string
}

func newRecordingProxy(t *testing.T) *recordingProxy {
	p := &recordingProxy{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		if r.Method == http.MethodConnect {
			p.hits = append(p.hits, "CONNECT "+r.Host)
		} else {
			p.hits = append(p.hits, r.Method+" "+r.URL.String())
		}
		p.mu.Unlock()
		http.Error(w, "blocked by the test proxy", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

// take returns and forgets the requests the proxy saw.
func (p *recordingProxy) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.hits
	p.hits = nil
	return h
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// disableScripts turns page scripts off in the tab, as a browser with
// JavaScript disabled; DevTools evaluation keeps working.
func disableScripts(ctx context.Context) error {
	return emulation.SetScriptExecutionDisabled(true).Do(ctx)
}

// composeReady is cond (a compose form on the page) and, when app.js runs,
// its compose.js loaded and run and the forms' stylesheet applied too:
// app.js fetches them only once a compose form shows or the page has
// loaded, as a person's browser does.
func composeReady(cond string) string {
	return "(" + cond + `) && (!document.documentElement.hasAttribute("data-js") || document.documentElement.hasAttribute("data-compose-ready")) &&
		[...document.querySelectorAll("link[data-forms]")].some(l => l.sheet)`
}
