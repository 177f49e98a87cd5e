package browser

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-message/mail"

	"webmail/app/demo"
)

// deliveredHTML is the text/html body of a delivered message, "" if none.
func deliveredHTML(t *testing.T, d demo.Delivery) string {
	t.Helper()
	mr, err := mail.CreateReader(strings.NewReader(string(d.Data)))
	if err != nil {
		t.Fatal(err)
	}
	for {
		p, err := mr.NextPart()
		if err != nil {
			return ""
		}
		if h, ok := p.Header.(*mail.InlineHeader); ok {
			if ct, _, _ := h.ContentType(); ct == "text/html" {
				var b strings.Builder
				buf := make([]byte, 4096)
				for {
					n, err := p.Body.Read(buf)
					b.Write(buf[:n])
					if err != nil {
						return b.String()
					}
				}
			}
		}
	}
}

// TestComposeMarkdown writes in the pane with the toolbar (a word made
// bold with the button, one with Ctrl+I), previews in place and sends:
// the HTML has what the preview showed, the text what was typed.
func TestComposeMarkdown(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)
	tb.saveSMTPCredentials(t, w)

	tb.navigate(t, w.url+"/m/INBOX")
	tb.waitFor(t, "the inbox", `document.querySelector("[data-testid=compose]")`)
	tb.click(t, "[data-testid=compose]")
	tb.waitFor(t, "the compose pane", composeReady(`document.querySelector("#message [data-testid=compose-form]")`))
	if !tb.shown(t, "[data-testid=md-toolbar]") {
		t.Fatal("the Markdown toolbar is not shown with JavaScript")
	}
	if got := tb.str(t, `document.querySelector("[data-testid=md-bold]").getAttribute("aria-label")`); !strings.HasPrefix(got, "Bold") {
		t.Errorf("the bold button is labelled %q", got)
	}
	tb.fillCompose(t, "erin@example.net", "Markdown", "Meet ")
	tb.click(t, "[data-testid=md-bold]") // "bold text", selected
	tb.typeInto(t, "[data-testid=body-input]", "today")
	tb.run(t, "moving to the end", chromedp.Evaluate(`(() => { const ta = document.querySelector("[data-testid=body-input]"); ta.setSelectionRange(ta.value.length, ta.value.length); })()`, nil))
	tb.typeInto(t, "[data-testid=body-input]", " at ")
	tb.run(t, "pressing Ctrl+I", chromedp.KeyEvent("i", chromedp.KeyModifiers(2))) // 2: Ctrl
	tb.typeInto(t, "[data-testid=body-input]", "noon")
	const typed = "Meet **today** at *noon*"
	if got := tb.value(t, "[data-testid=body-input]"); got != typed {
		t.Fatalf("after the toolbar and Ctrl+I the body is %q, want %q", got, typed)
	}

	// A pasted image goes inline.
	tb.run(t, "pasting an image", chromedp.Evaluate(`(() => {
		const ta = document.querySelector("[data-testid=body-input]");
		ta.focus();
		ta.setSelectionRange(ta.value.length, ta.value.length);
		const png = Uint8Array.from(atob("`+tinyPNGBase64+`"), c => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([png], "image.png", {type: "image/png"}));
		ta.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
	})()`, nil))
	body := tb.value(t, "[data-testid=body-input]")
	if !strings.HasPrefix(body, typed+"![image.png](cid:") || tb.count(t, "input[name=inline]") != 1 || tb.num(t, `document.querySelector("[data-testid=attachments-input]").files.length`) != 1 {
		t.Fatalf("after pasting an image the body is %q, with %d markers", body, tb.count(t, "input[name=inline]"))
	}

	tb.eval(t, `window.__marker = 1`, nil)
	tb.click(t, "[data-testid=preview]")
	tb.waitFor(t, "the preview", `document.querySelector("#message [data-testid=preview-body] strong")`)
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("Preview reloaded the whole page")
	}
	if got := tb.text(t, "[data-testid=preview-body] strong"); got != "today" {
		t.Errorf("the preview shows %q in bold, want “today”", got)
	}
	if got := tb.text(t, "[data-testid=preview-body] em"); got != "noon" {
		t.Errorf("the preview shows %q in italics, want “noon”", got)
	}
	if got := tb.value(t, "[data-testid=body-input]"); got != body {
		t.Errorf("after the preview the body is %q, want %q", got, body)
	}
	if src := tb.str(t, `document.querySelector("[data-testid=preview-body] img")?.getAttribute("src") ?? ""`); !strings.HasPrefix(src, "data:image/png") {
		t.Errorf("the preview shows the pasted image from %q", src)
	}
	tb.screenshot(t, "compose-markdown-preview")

	before := len(w.demo.Received())
	tb.send(t)
	tb.waitSent(t, "erin@example.net")
	d := w.delivered(t, before)
	checkDelivery(t, w, d, "erin@example.net", "Markdown", typed)
	html := deliveredHTML(t, d)
	if !strings.Contains(html, "<strong>today</strong>") || !strings.Contains(html, "<em>noon</em>") || !strings.Contains(html, `<img src="cid:`) {
		t.Errorf("the HTML sent is %q", html)
	}
	if !strings.Contains(string(d.Data), "multipart/related") {
		t.Error("the pasted image is not sent inline (no multipart/related)")
	}
}

// tinyPNGBase64 is a 1×1 PNG.
const tinyPNGBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="

// TestComposeMarkdownNoJavaScript previews and sends Markdown with scripts
// off: no toolbar, the Preview button posts the form, and the preview is
// in the page that comes back.
func TestComposeMarkdownNoJavaScript(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "disabling JavaScript", chromedp.EmulateViewport(1280, 800), chromedp.ActionFunc(disableScripts))
	tb.login(t, w)

	tb.navigate(t, w.url+"/compose")
	tb.waitFor(t, "the compose page", composeReady(`document.querySelector("[data-testid=compose-form]")`))
	if tb.shown(t, "[data-testid=md-toolbar]") {
		t.Error("the toolbar shows without JavaScript")
	}
	const body = "Erin,\n\n- **bring** boots\n- a map\n\nDemo"
	tb.fillCompose(t, "erin@example.net", "Hike", body)
	tb.click(t, "[data-testid=preview]")
	tb.waitFor(t, "the preview", `document.querySelector("[data-testid=preview-body] li")`)
	if got := tb.count(t, "[data-testid=preview-body] li"); got != 2 {
		t.Errorf("the preview has %d list items, want 2", got)
	}
	if got := tb.value(t, "[data-testid=body-input]"); got != body {
		t.Errorf("after the preview the body is %q, want %q", got, body)
	}
	tb.screenshot(t, "compose-markdown-preview-nojs")
	tb.typeInto(t, "[data-testid=smtp-fields] #smtp_login", w.acct.SMTPLogin)
	tb.typeInto(t, "[data-testid=smtp-fields] #smtp_password", w.acct.SMTPPassword)
	before := len(w.demo.Received())
	tb.send(t)
	tb.waitSent(t, "erin@example.net")
	d := w.delivered(t, before)
	checkDelivery(t, w, d, "erin@example.net", "Hike", body)
	if html := deliveredHTML(t, d); !strings.Contains(html, "<li><strong>bring</strong> boots</li>") {
		t.Errorf("the HTML sent is %q", html)
	}
}
