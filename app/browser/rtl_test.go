package browser

import (
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// acceptLanguage makes the tab ask for pages in lang, as a browser set to
// that language does.
func acceptLanguage(lang string) chromedp.Action {
	return chromedp.Tasks{
		network.Enable(),
		network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": lang}),
	}
}

// TestRightToLeft uses the webmail in a browser that asks for Arabic: the
// pages are in Arabic and mirrored. On a desktop the folder pane is on the
// right, the list beside it and the message on the left; on a phone one
// pane at a time fills the screen without sideways scrolling. Screenshots:
// rtl-*.png (what the screen shows: full-page captures of a
// right-to-left page come out shifted in headless Chromium).
func TestRightToLeft(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	msg := w.messagePath(t, "INBOX", subjectFlowed)
	t.Run("desktop", func(t *testing.T) {
		tb := newTab(t, testTimeout)
		tb.run(t, "a wide window that asks for Arabic", chromedp.EmulateViewport(1280, 800), acceptLanguage("ar-EG,ar;q=0.9,en;q=0.5"))
		tb.navigate(t, w.url+"/login")
		tb.checkDirection(t, "login", "ar", "rtl")
		if got := tb.text(t, "[data-testid=login-form] h1"); got != "تسجيل الدخول" {
			t.Errorf("login heading %q, want Arabic", got)
		}
		tb.screenshotScreen(t, "rtl-login-desktop")
		tb.login(t, w)
		tb.navigate(t, w.url+msg)
		tb.waitFor(t, "the message", `document.querySelector("#message [data-testid=message]")`)
		tb.checkDirection(t, "message", "ar", "rtl")
		folders, list, message := tb.rect(t, "#folders"), tb.rect(t, "#list"), tb.rect(t, "#message")
		if !(folders.Left >= list.Right-1 && list.Left >= message.Right-1) {
			t.Errorf("panes not mirrored: folders %+v, list %+v, message %+v; want folders on the right, then the list, then the message", folders, list, message)
		}
		// Within a row the sender starts at the right edge, the date at the left.
		from, date := tb.rect(t, "[data-testid=row] a > b"), tb.rect(t, "[data-testid=row] time")
		if !(from.Right > date.Right) {
			t.Errorf("list row not mirrored: sender %+v, date %+v", from, date)
		}
		// The From label of the header comes before (right of) its value.
		dt, dd := tb.rect(t, "[data-testid=headers] dt"), tb.rect(t, "[data-testid=hdr-from]")
		if !(dt.Left >= dd.Right-1) {
			t.Errorf("message header not mirrored: label %+v, value %+v", dt, dd)
		}
		tb.noHorizontalOverflow(t, "message")
		tb.screenshotScreen(t, "rtl-message-desktop")
		tb.navigate(t, w.url+"/compose")
		tb.waitFor(t, "the compose form", composeReady(`document.querySelector("[data-testid=compose-form]")`))
		tb.checkDirection(t, "compose", "ar", "rtl")
		send, save := tb.rect(t, "[data-testid=send]"), tb.rect(t, "[data-testid=save-draft]")
		if !(save.Left > send.Left) {
			t.Errorf("compose bar not mirrored: save %+v, send %+v", save, send)
		}
		tb.screenshotScreen(t, "rtl-compose-desktop")
	})
	t.Run("phone", func(t *testing.T) {
		tb := newTab(t, testTimeout)
		tb.run(t, "a phone that asks for Arabic", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), acceptLanguage("ar"))
		tb.login(t, w)
		tb.checkDirection(t, "inbox", "ar", "rtl")
		tb.phoneScreen(t, "inbox", "list")
		tb.screenshotScreen(t, "rtl-inbox-phone")
		tb.navigate(t, w.url+msg)
		tb.waitFor(t, "the message", `document.querySelector("#message [data-testid=message]")`)
		tb.phoneScreen(t, "message", "message")
		tb.screenshotScreen(t, "rtl-message-phone")
	})
	t.Run("German", func(t *testing.T) {
		tb := newTab(t, testTimeout)
		tb.run(t, "a browser that asks for German", chromedp.EmulateViewport(1280, 800), acceptLanguage("de-AT,de;q=0.9"))
		tb.login(t, w)
		tb.checkDirection(t, "inbox", "de", "ltr")
		if got := tb.text(t, "[data-testid=compose]"); got != "Schreiben" {
			t.Errorf("compose link %q, want Schreiben", got)
		}
		folders, list := tb.rect(t, "#folders"), tb.rect(t, "#list")
		if !(folders.Right <= list.Left+1) {
			t.Errorf("left to right: folders %+v should be left of the list %+v", folders, list)
		}
		tb.screenshotScreen(t, "de-inbox-desktop")

		// The compose script's words are German too: Bold with nothing
		// selected puts in "fetter Text"; a ticked box, then list, count.
		tb.click(t, "[data-testid=compose]")
		tb.waitFor(t, "the compose pane", composeReady(`document.querySelector("#message [data-testid=compose-form]")`))
		tb.run(t, "focusing the body", chromedp.Focus("[data-testid=body-input]", chromedp.ByQuery))
		tb.click(t, "[data-testid=md-bold]")
		if got := tb.value(t, "[data-testid=body-input]"); got != "**fetter Text**" {
			t.Errorf("Bold in German put in %q, want **fetter Text**", got)
		}
		tb.navigate(t, w.url+"/m/INBOX")
		tb.waitFor(t, "the inbox", `document.querySelector("#list [data-testid=row]") && document.documentElement.hasAttribute("data-js")`)
		tb.click(t, "#list [data-testid=row]:nth-child(1) input[name=uid]")
		tb.waitFor(t, "the count in German", `document.querySelector("[data-testid=selected-count]").textContent === "Ausgewählt: 1"`)
	})
}

// checkDirection checks the page's language and writing direction.
func (tb *tab) checkDirection(t *testing.T, screen, lang, dir string) {
	t.Helper()
	if got := tb.str(t, `document.documentElement.lang + " " + document.documentElement.dir + " " + getComputedStyle(document.body).direction`); got != lang+" "+dir+" "+dir {
		t.Errorf("%s: lang, dir and direction %q, want %q", screen, got, lang+" "+dir+" "+dir)
	}
}
