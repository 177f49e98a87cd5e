package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	wm "webmail"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"webmail/app/demo"
	"webmail/views"
)

// hostileDir is the corpus of attacks on the sanitiser and the page.
const hostileDir = "../../testdata/hostile"

// minHostile is the least number of messages the corpus must have.
const minHostile = 40

// controlMessage has a remote image and nothing else hostile: with remote
// content allowed, its image must be requested, which proves that the
// request checks below can fail.
const controlMessage = "From: Control <control@example.org>\r\n" +
	"To: demo@example.org\r\n" +
	"Subject: Control: one remote image\r\n" +
	"Date: Mon, 2 Jun 2025 10:00:00 +0000\r\n" +
	"Message-ID: <control@example.org>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"\r\n" +
	"<p>A remote image follows.</p><img src=\"http://remote.example/control.png\" alt=\"remote\" width=\"10\" height=\"10\">\r\n"

// pageWatch installs, before any page script, a recorder of the CSP
// violations of each document. DevTools runs it in every frame, the
// sandboxed message frame included; its sourceURL tells it apart.
const pageWatch = `window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e => window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || "")));
//# sourceURL=` + watchScriptURL

// topState describes the top document after a hostile message was shown.
type topState struct {
	Href     string
	Messages int      // [data-testid=message] articles
	Frames   []string // iframes, objects and embeds other than the message body
	Scripts  []string // script elements other than our assets
	Fixed    []string // elements with position fixed or sticky
	Links    []string // links and form targets with a script or data URL
	Handlers []string // elements with an on* attribute
	Globals  []string // window properties not there on a clean page
	CSP      []string // CSP violations: markup the sanitiser or escaping let through
}

// topStateJS evaluates to a topState; %s is the JSON array of the window
// properties of a clean page.
const topStateJS = `((baseline) => {
	const describe = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.dataset && e.dataset.testid ? "[data-testid=" + e.dataset.testid + "]" : "");
	const all = Array.from(document.querySelectorAll("*"));
	const base = new Set(baseline);
	return {
		Href: location.href,
		Messages: document.querySelectorAll("[data-testid=message]").length,
		Frames: Array.from(document.querySelectorAll("iframe, frame, object, embed, portal, fencedframe")).filter(f =>
			!(f.matches("iframe[data-testid=html-body], iframe[data-testid=attached-html-body]") && f.getAttribute("sandbox") === "` + views.FrameSandbox + `" &&
			  new URL(f.src).origin === location.origin && f.closest("#message [data-testid=message]"))
		).map(f => describe(f) + " sandbox=" + f.getAttribute("sandbox") + " src=" + (f.getAttribute("src") || f.getAttribute("data") || "")),
		Scripts: Array.from(document.scripts).filter(s => !(s.src && s.src.startsWith(location.origin + "/assets/"))).map(s => s.src || s.textContent.slice(0, 80)),
		// Ours: the message's action bar (sticky on a desktop, fixed at the
		// bottom of a phone), the loading bar and the phone's Write button.
		Fixed: all.filter(e => ["fixed", "sticky"].includes(getComputedStyle(e).position) && !e.matches("[data-testid=message-bar], .loading-bar, .compose-link")).map(describe),
		Links: Array.from(document.querySelectorAll("[href], [action], [formaction], [src], [data]")).flatMap(e =>
			["href", "action", "formaction", "src", "data"].map(a => e.getAttribute(a)).filter(v => v !== null)
		).filter(v => /^[\s\x00-\x20]*(javascript|vbscript|data|livescript)\s*:/i.test(v)),
		Handlers: all.filter(e => Array.from(e.attributes).some(a => /^on/i.test(a.name))).map(e => describe(e) + " " + Array.from(e.attributes).filter(a => /^on/i.test(a.name)).map(a => a.name).join(",")),
		// Numbered properties are the page's frames (window[0], …), not globals.
		Globals: Object.keys(window).filter(k => !base.has(k) && !k.startsWith("__marker") && !(/^\d+$/.test(k) && +k < window.frames.length)),
		CSP: window.__cspViolations || ["no CSP recorder"],
	};
})(%s)`

// frameState describes a message body loaded as a document of its own.
type frameState struct {
	Scripts  int
	Handlers []string
	Links    []string
	Refresh  int
	Globals  []string
}

const frameStateJS = `((baseline) => {
	const all = Array.from(document.querySelectorAll("*"));
	const base = new Set(baseline);
	return {
		Scripts: document.scripts.length,
		Handlers: all.filter(e => Array.from(e.attributes).some(a => /^on/i.test(a.name))).map(e => e.tagName.toLowerCase() + " " + Array.from(e.attributes).filter(a => /^on/i.test(a.name)).map(a => a.name).join(",")),
		Links: Array.from(document.querySelectorAll("[href], [action], [formaction], [src], [data], [xlink\\:href]")).flatMap(e =>
			["href", "action", "formaction", "src", "data", "xlink:href"].map(a => e.getAttribute(a)).filter(v => v !== null)
		).filter(v => /^[\s\x00-\x20]*(javascript|vbscript|livescript)\s*:/i.test(v)),
		Refresh: document.querySelectorAll("meta[http-equiv]").length,
		Globals: Object.keys(window).filter(k => !base.has(k)),
	};
})(%s)`

// inPageFramesJS evaluates to the frameState of each HTML body frame in
// the page, read through its document: the frames are same-origin with
// the page (views.FrameSandbox) so that the app can size them, which must
// give the mail nothing of its own to run. %s is the JSON array of the
// window properties of a clean body document.
const inPageFramesJS = `((baseline) => Array.from(document.querySelectorAll("#message iframe.html-body")).map(f => {
	const d = f.contentDocument, w = f.contentWindow, base = new Set(baseline);
	if (!d || !d.body) return {Scripts: -1};
	const all = Array.from(d.querySelectorAll("*"));
	return {
		Scripts: d.scripts.length,
		Handlers: all.filter(e => Array.from(e.attributes).some(a => /^on/i.test(a.name))).map(e => e.tagName.toLowerCase()),
		Links: Array.from(d.querySelectorAll("[href], [action], [formaction], [src], [data]")).flatMap(e =>
			["href", "action", "formaction", "src", "data"].map(a => e.getAttribute(a)).filter(v => v !== null)
		).filter(v => /^[\s\x00-\x20]*(javascript|vbscript|livescript)\s*:/i.test(v)),
		Refresh: d.querySelectorAll("meta[http-equiv]").length,
		Globals: Object.keys(w).filter(k => !base.has(k)),
		Forms: d.forms.length,
		Href: w.location.href,
	};
}))(%s)`

// TestHostileMessages shows every message of the hostile corpus, in the
// message page, its text view, its HTML body on its own and through htmx,
// and checks that no script ran, nothing was requested from another host
// and nothing escaped the message frame.
func TestHostileMessages(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(hostileDir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < minHostile {
		t.Fatalf("the hostile corpus %s has %d .eml files, want at least %d: it must be written (and committed) before these tests can pass",
			filepath.Clean(hostileDir), len(files), minHostile)
	}
	slices.Sort(files)

	w := newWebmail(t, demo.Options{Empty: true})
	ctx := context.Background()
	date := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for i, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.demo.Append(ctx, w.acct.Login, "INBOX", raw, nil, date.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatalf("delivering %s: %v", filepath.Base(f), err)
		}
	}
	if err := w.demo.Append(ctx, w.acct.Login, "INBOX", []byte(controlMessage), nil, date.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	validity, msgs := w.mailbox(t, "INBOX")
	if len(msgs) != len(files)+1 {
		t.Fatalf("INBOX has %d messages, want %d", len(msgs), len(files)+1)
	}
	control := msgs[len(msgs)-1]

	tb := newTab(t, 120*time.Second)
	watch := tb.watch(t, w.url)
	tb.run(t, "setting up the tab", chromedp.EmulateViewport(1280, 800), chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(pageWatch).Do(ctx)
		return err
	}))
	tb.login(t, w)

	// A clean page: its window properties are the baseline, and nothing
	// foreign may be requested while remote content is blocked.
	controlPath := views.MessageURL(wm.MessageRef{Mailbox: "INBOX", Validity: validity, UID: wm.UID(control.UID)})
	tb.navigate(t, w.url+controlPath)
	tb.waitFor(t, "the control message", `document.querySelector("[data-testid=remote-blocked]")`)
	var baseline []string
	tb.eval(t, `Object.keys(window)`, &baseline)
	check := &hostileCheck{tb: tb, w: w, watch: watch, baseline: jsonString(baseline)}
	check.top(t, "control message, remote content blocked", controlPath)
	var frameBaseline []string
	tb.navigate(t, w.url+controlPath+"/body")
	tb.eval(t, `Object.keys(window)`, &frameBaseline)
	check.frameBaseline = jsonString(frameBaseline)
	check.frame(t, "control message body", controlPath+"/body")

	// The control with remote content: its image is requested. This is
	// what the checks below would see if a hostile message got a request
	// out.
	tb.navigate(t, w.url+controlPath)
	tb.click(t, "[data-testid=show-remote]")
	tb.waitFor(t, "the remote image to be requested", `document.querySelector("#message iframe[data-testid=html-body]")?.src.includes("remote=1")`)
	deadline := time.Now().Add(10 * time.Second)
	var seen, proxied []string
	for time.Now().Before(deadline) {
		reqs, _, _ := watch.take()
		seen = append(seen, foreign(reqs, w.host)...)
		proxied = append(proxied, tb.proxy.take()...)
		if len(seen) > 0 && len(proxied) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !slices.Contains(seen, "http://remote.example/control.png") {
		t.Errorf("with remote content shown, the browser did not request http://remote.example/control.png (requests to other hosts: %q): the request check cannot fail", seen)
	}
	if !slices.Contains(proxied, "GET http://remote.example/control.png") {
		t.Errorf("with remote content shown, the proxy saw %q, want GET http://remote.example/control.png: the proxy check cannot fail", proxied)
	}

	// Every hostile message.
	for i, f := range files {
		name := filepath.Base(f)
		m := msgs[i]
		path := views.MessageURL(wm.MessageRef{Mailbox: "INBOX", Validity: validity, UID: wm.UID(m.UID)})

		tb.navigate(t, w.url+path)
		tb.waitFor(t, name, `document.querySelector("[data-testid=message]")`)
		hasHTML := tb.count(t, "#message iframe[data-testid=html-body]") > 0
		hasText := tb.count(t, "[data-testid=show-text]") > 0
		check.top(t, name+": message page", path)
		check.inPage(t, name+": message page")

		if hasText {
			tb.navigate(t, w.url+path+"?view=text")
			tb.waitFor(t, name+" as text", `document.querySelector("[data-testid=text-body]")`)
			check.top(t, name+": text view", path+"?view=text")
		}
		// Attached (forwarded) messages' HTML bodies, each in a frame of its own.
		var attached []string
		tb.eval(t, `Array.from(document.querySelectorAll("#message iframe[data-testid=attached-html-body]")).map(f => f.getAttribute("src"))`, &attached)
		if hasHTML {
			tb.navigate(t, w.url+path+"/body")
			check.frame(t, name+": HTML body on its own", path+"/body")
		}
		for _, src := range attached {
			tb.navigate(t, w.url+src)
			check.frame(t, name+": attached HTML body "+src, src)
		}

		// Through htmx, from the list.
		tb.navigate(t, w.url+views.FolderURL("INBOX", (len(msgs)-1-i)/50+1)) // newest first
		row := fmt.Sprintf(`#list [data-testid=row][data-uid="%d"] a`, m.UID)
		href := tb.str(t, fmt.Sprintf(`document.querySelector(%q).getAttribute("href")`, row))
		tb.eval(t, `performance.clearResourceTimings(); window.__marker = 1`, nil)
		tb.click(t, row)
		tb.waitFor(t, name+" through htmx", fmt.Sprintf(`document.querySelector("#message [data-testid=message][data-uid=\"%d\"]")`, m.UID))
		if tb.count(t, "#message iframe[data-testid=html-body]") > 0 {
			tb.waitFor(t, name+": the body frame to load through htmx",
				`performance.getEntriesByType("resource").some(e => e.name.includes("/body") && e.responseEnd > 0)`)
		}
		if !tb.truthy(t, `window.__marker === 1`) {
			t.Errorf("%s: opening it from the list reloaded the page", name)
		}
		check.top(t, name+": opened through htmx", href)
		check.inPage(t, name+": opened through htmx")
	}

	// Anything late (timers, refreshes) still counts.
	tb.advanceClock(t, 5*time.Second)
	check.top(t, "after all messages", "")
}

// hostileCheck checks what the page did since the last check.
type hostileCheck struct {
	tb                      *tab
	w                       *webmail
	watch                   *watcher
	baseline, frameBaseline string // JSON arrays of window properties
}

// common checks what any document may not do: dialogs and requests to
// other hosts.
func (c *hostileCheck) common(t *testing.T, what string) {
	t.Helper()
	reqs, dialogs, scripts := c.watch.take()
	if len(dialogs) > 0 {
		t.Errorf("%s: a script ran and opened dialogs: %q", what, dialogs)
	}
	if len(scripts) > 0 {
		t.Errorf("%s: scripts that are not the app's were compiled: %q", what, scripts)
	}
	if f := foreign(reqs, c.w.host); len(f) > 0 {
		t.Errorf("%s: requests to other hosts: %q", what, f)
	}
	if hits := c.tb.proxy.take(); len(hits) > 0 {
		t.Errorf("%s: the proxy saw requests to other hosts: %q", what, hits)
	}
}

// top checks the app's page; path is the URL path it must still be at
// ("" for any).
func (c *hostileCheck) top(t *testing.T, what, path string) {
	t.Helper()
	c.common(t, what)
	var s topState
	c.tb.eval(t, fmt.Sprintf(topStateJS, c.baseline), &s)
	if path != "" && s.Href != c.w.url+path {
		t.Errorf("%s: the page moved to %s, want %s", what, s.Href, c.w.url+path)
	}
	if path != "" && s.Messages != 1 {
		t.Errorf("%s: %d message articles in the page, want exactly 1", what, s.Messages)
	}
	for _, l := range []struct {
		name string
		list []string
	}{
		{"frames, objects or embeds outside the message body", s.Frames},
		{"scripts that are not ours", s.Scripts},
		{"fixed or sticky elements over the page", s.Fixed},
		{"script or data URLs in links and forms", s.Links},
		{"inline event handlers", s.Handlers},
		{"new global variables (a script ran)", s.Globals},
		{"CSP violations (markup got into the page)", s.CSP},
	} {
		if len(l.list) > 0 {
			t.Errorf("%s: %s: %q", what, l.name, l.list)
		}
	}
}

// inPage checks the HTML body frames of the message page (the message's
// and its attached messages'), read through their same-origin documents:
// no script element, handler or script URL, no form, no new global, and
// each still at its own body URL.
func (c *hostileCheck) inPage(t *testing.T, what string) {
	t.Helper()
	c.tb.waitFor(t, what+": the body frames to load", `Array.from(document.querySelectorAll("#message iframe.html-body")).every(f =>
		f.contentDocument && f.contentDocument.readyState === "complete" && f.contentDocument.location.href !== "about:blank")`)
	var states []struct {
		frameState
		Forms int
		Href  string
	}
	c.tb.eval(t, fmt.Sprintf(inPageFramesJS, c.frameBaseline), &states)
	for i, s := range states {
		w := fmt.Sprintf("%s: frame %d", what, i)
		switch {
		case s.Scripts != 0:
			t.Errorf("%s: %d script elements (or no document)", w, s.Scripts)
		case len(s.Handlers) > 0 || len(s.Links) > 0 || s.Refresh > 0 || s.Forms > 0:
			t.Errorf("%s: handlers %q, script URLs %q, %d meta http-equiv, %d forms", w, s.Handlers, s.Links, s.Refresh, s.Forms)
		case len(s.Globals) > 0:
			t.Errorf("%s: new globals in the frame's window (a script ran): %q", w, s.Globals)
		case !strings.HasPrefix(s.Href, c.w.url+"/m/") || !strings.Contains(s.Href, "/body"):
			t.Errorf("%s: the frame moved to %s", w, s.Href)
		}
	}
}

// frame checks a message body loaded as a top-level document.
func (c *hostileCheck) frame(t *testing.T, what, path string) {
	t.Helper()
	c.common(t, what)
	var s frameState
	c.tb.eval(t, fmt.Sprintf(frameStateJS, c.frameBaseline), &s)
	if s.Scripts > 0 {
		t.Errorf("%s: the sanitised body has %d script elements", what, s.Scripts)
	}
	if len(s.Handlers) > 0 {
		t.Errorf("%s: the sanitised body has inline event handlers: %q", what, s.Handlers)
	}
	if len(s.Links) > 0 {
		t.Errorf("%s: the sanitised body has script URLs: %q", what, s.Links)
	}
	if s.Refresh > 0 {
		t.Errorf("%s: the sanitised body has %d meta http-equiv elements", what, s.Refresh)
	}
	if len(s.Globals) > 0 {
		t.Errorf("%s: new global variables in the body document (a script ran): %q", what, s.Globals)
	}
	if loc := c.tb.location(t); !strings.HasSuffix(loc, path) {
		t.Errorf("%s: the body document moved to %s", what, loc)
	}
}
