package browser

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"webmail/app/demo"
)

// sentTo puts a message to these recipients in the demo account's Sent.
func (w *webmail) sentTo(t *testing.T, to string) {
	t.Helper()
	raw := "From: " + w.acct.Login + "\r\nTo: " + to + "\r\nSubject: Plans\r\nMessage-ID: <plans." + to[:3] + "@example.org>\r\n\r\nSee you.\r\n"
	if err := w.demo.Append(context.Background(), w.acct.Login, "Sent", []byte(raw), nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
}

// TestRecipientSuggestionsPhone types the start of a name into To on a
// phone, with JavaScript: the server's suggestions appear under the field,
// picking one makes a chip, and the form sends every chip.
func TestRecipientSuggestionsPhone(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	w.sentTo(t, "Zebulon Quill <zeb@quill.example>")
	w.sentTo(t, "Zelda Quirk <zelda@quirk.example>")
	tb := newTab(t, testTimeout)
	tb.run(t, "emulating a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	tb.login(t, w)

	tb.navigate(t, w.url+"/compose")
	tb.waitFor(t, "the recipient chips", `document.querySelector("[data-testid=chips-to]")`)
	tb.typeInto(t, "[data-testid=to-input]", "zeb")
	tb.waitFor(t, "a suggestion", `(() => { const l = document.querySelector("[data-testid=suggest-to]"); return l && !l.hidden && l.querySelectorAll("[data-testid=suggestion]").length === 1; })()`)
	if got := tb.text(t, "[data-testid=suggest-to] [data-testid=suggestion]"); !strings.Contains(got, "Zebulon Quill") || !strings.Contains(got, "zeb@quill.example") {
		t.Errorf("the suggestion reads %q", got)
	}
	tb.noHorizontalOverflow(t, "suggestions on a phone")
	tb.screenshot(t, "compose-suggestions-phone")
	tb.click(t, "[data-testid=suggest-to] [data-testid=suggestion]")
	tb.waitFor(t, "the chip", `document.querySelectorAll("[data-testid=chips-to] [data-testid=chip]").length === 1`)

	// The keyboard picks too; a typed address becomes a chip at the comma.
	tb.typeInto(t, "[data-testid=to-input]", "zel")
	tb.waitFor(t, "the second suggestion", `document.querySelector("[data-testid=suggest-to] [data-testid=suggestion]") && !document.querySelector("[data-testid=suggest-to]").hidden`)
	// Enter as a bare key press: chromedp's KeyEvent adds a "char" event
	// that would submit the form whatever the page does with the key.
	enter := chromedp.ActionFunc(func(ctx context.Context) error {
		if err := input.DispatchKeyEvent(input.KeyRawDown).WithKey("Enter").WithCode("Enter").WithWindowsVirtualKeyCode(13).Do(ctx); err != nil {
			return err
		}
		return input.DispatchKeyEvent(input.KeyUp).WithKey("Enter").WithCode("Enter").WithWindowsVirtualKeyCode(13).Do(ctx)
	})
	tb.run(t, "picking with the keyboard", chromedp.KeyEvent(kb.ArrowDown), enter)
	tb.typeInto(t, "[data-testid=to-input]", "carol@example.net,")
	tb.waitFor(t, "three chips", `document.querySelectorAll("[data-testid=chips-to] [data-testid=chip]").length === 3`)
	if tb.count(t, "[data-testid=compose-notice]") != 0 {
		t.Error("Enter in the To field submitted the form")
	}
	want := "Zebulon Quill <zeb@quill.example>, Zelda Quirk <zelda@quirk.example>, carol@example.net"
	if got := tb.value(t, "[data-testid=compose-form] [name=to]"); got != want {
		t.Errorf("the To field sends %q, want %q", got, want)
	}
	tb.noHorizontalOverflow(t, "three chips on a phone")
	if small := tb.smallTargets(t, "[data-testid=compose-form]"); len(small) > 0 {
		t.Errorf("compose touch targets under %d px tall: %s", minTap, strings.Join(small, "; "))
	}
	tb.screenshot(t, "compose-chips-phone")
	// A chip goes with its button.
	tb.click(t, "[data-testid=chips-to] [data-testid=chip] button")
	if got := tb.value(t, "[data-testid=compose-form] [name=to]"); strings.Contains(got, "Zebulon") {
		t.Errorf("after removing the chip To sends %q", got)
	}

	tb.navigate(t, w.url+"/contacts?q=quill")
	tb.waitFor(t, "the contacts page", `document.querySelector("[data-testid=contacts]")`)
	if got := tb.text(t, "[data-testid=contact-list]"); !strings.Contains(got, "zeb@quill.example") || strings.Contains(got, "zelda") {
		t.Errorf("the search lists %q", got)
	}
	tb.noHorizontalOverflow(t, "contacts on a phone")
	tb.screenshot(t, "contacts-phone")
}

// TestRecipientChoicesNoJavaScript: without JavaScript the To field offers
// the addresses most often met in a datalist, and the Contacts page works
// on the narrowest phone.
func TestRecipientChoicesNoJavaScript(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	w.sentTo(t, "Zebulon Quill <zeb@quill.example>")
	tb := newTab(t, testTimeout)
	tb.run(t, "disabling JavaScript", chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile), chromedp.ActionFunc(disableScripts))
	tb.login(t, w)

	tb.navigate(t, w.url+"/compose")
	tb.waitFor(t, "the compose page", composeReady(`document.querySelector("[data-testid=compose-form]")`))
	if tb.count(t, "[data-testid=chips-to]") != 0 {
		t.Fatal("chips without JavaScript")
	}
	if !tb.truthy(t, `(() => { const i = document.querySelector("[data-testid=to-input]"); return i.list && Array.from(i.list.options).some(o => o.value === "zeb@quill.example"); })()`) {
		t.Error("the To field's datalist does not offer zeb@quill.example")
	}
	tb.noHorizontalOverflow(t, "compose without JavaScript on a phone")

	tb.navigate(t, w.url+"/contacts")
	tb.waitFor(t, "the contacts page", `document.querySelector("[data-testid=contacts]")`)
	tb.noHorizontalOverflow(t, "contacts on a 320 px phone")
	tb.typeInto(t, "[data-testid=contacts-q]", "zebulon")
	tb.click(t, "[data-testid=contacts-search]")
	tb.waitFor(t, "the search", `location.search === "?q=zebulon" && document.querySelectorAll("[data-testid=contact]").length === 1`)
	tb.click(t, "[data-testid=contact] a")
	tb.waitFor(t, "a message to the contact", `location.pathname === "/compose" && document.querySelector("[data-testid=to-input]").value === "zeb@quill.example"`)
}
