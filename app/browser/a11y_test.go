package browser

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"webmail/app/demo"
)

// active describes the focused element, for messages.
func (tb *tab) active(t *testing.T) string {
	t.Helper()
	return tb.str(t, `(document.activeElement?.outerHTML ?? "none").slice(0, 120)`)
}

// TestKeyboardAndScreenReader walks the list and a message as a keyboard
// and screen reader user: the skip link comes first, a pane htmx swaps in
// takes the focus at its heading, row boxes have names of their own, the
// count of ticked rows is spoken, a bulk action's notice reaches the live
// region.
func TestKeyboardAndScreenReader(t *testing.T) {
	t.Parallel()
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)

	// The first Tab reaches the skip link; following it lands past the
	// folders, in the list.
	tb.eval(t, `document.activeElement?.blur()`, nil)
	tb.run(t, "pressing Tab", chromedp.KeyEvent(kb.Tab))
	if got := tb.str(t, `document.activeElement.textContent.trim()`); got != "Skip to messages" {
		t.Fatalf("the first Tab reaches %s, want the skip link", tb.active(t))
	}
	tb.run(t, "pressing Enter", chromedp.KeyEvent(kb.Enter))
	tb.waitFor(t, "the skip link to lead to the list", `location.hash === "#list" && document.activeElement === document.getElementById("list")`)
	if n := tb.count(t, "main"); n != 1 {
		t.Errorf("%d <main> elements, want 1", n)
	}

	// Every row's box says which message it selects.
	var labels []string
	tb.eval(t, `Array.from(document.querySelectorAll("#list input[name=uid]")).map(b =>
		b.getAttribute("aria-label") ?? (b.getAttribute("aria-labelledby") || "").split(" ").map(id => document.getElementById(id)?.textContent.replace(/\s+/g, " ").trim()).join(" "))`, &labels)
	seen := map[string]bool{}
	for _, l := range labels {
		if seen[l] {
			t.Errorf("two row boxes are named %q", l)
		}
		seen[l] = true
	}
	subject := tb.text(t, "#list [data-testid=row]:nth-child(3) .subject")
	if len(labels) < 3 || !strings.Contains(labels[2], subject) {
		t.Errorf("row box names: %q", labels)
	}

	// The count of ticked rows, in a polite live region.
	tb.click(t, "#list [data-testid=row]:nth-child(1) input[name=uid]")
	tb.click(t, "#list [data-testid=row]:nth-child(2) input[name=uid]")
	tb.waitFor(t, "Selected: 2", `document.querySelector("[data-testid=selected-count]").textContent === "Selected: 2"`)
	if got := tb.str(t, `document.querySelector("[data-testid=selected-count]").getAttribute("aria-live")`); got != "polite" {
		t.Errorf("the count's aria-live is %q", got)
	}

	if got := tb.str(t, `document.querySelector("[data-testid=bulkbar] .bulk-actions").getAttribute("aria-label")`); got != "Selected messages" {
		t.Errorf("the bulk buttons' group is named %q: its Archive is not told from the message's", got)
	}

	// Opening a message puts the focus on its subject, one h1 on the page.
	tb.click(t, "#list [data-testid=row]:nth-child(3) a")
	tb.waitFor(t, "the message", `document.querySelector("#message [data-testid=message]")`)
	tb.waitFor(t, "the focus on the message's subject", `document.activeElement === document.querySelector("#message [data-testid=msg-subject]")`)
	if got := tb.text(t, "#message [data-testid=msg-subject]"); got != subject {
		t.Errorf("the subject reads %q, want %q", got, subject)
	}
	if n := tb.count(t, "h1"); n != 1 {
		t.Errorf("%d h1 on the message page, want 1", n)
	}

	// Another folder: the focus goes to its title.
	tb.click(t, `#folders [data-role=archive] a`)
	tb.waitFor(t, "the Archive folder", `location.pathname === "/m/Archive"`)
	tb.waitFor(t, "the focus on the folder's title", `document.activeElement === document.querySelector("[data-testid=folder-title]")`)

	// Back to the inbox; archive a ticked message: the notice is spoken.
	tb.click(t, `#folders [data-role=inbox] a`)
	tb.waitFor(t, "the inbox", `location.pathname === "/m/INBOX" && document.activeElement === document.querySelector("[data-testid=folder-title]")`)
	tb.click(t, "#list [data-testid=row]:nth-child(1) input[name=uid]")
	tb.click(t, "[data-testid=bulk-archive]")
	tb.waitFor(t, "the notice", `document.querySelector("[data-testid=notice]")`)
	tb.waitFor(t, "the notice in the live region", `document.querySelector("[data-announce]").textContent !== "" &&
		document.querySelector("[data-testid=notice]").textContent.includes(document.querySelector("[data-announce]").textContent.replace(/ Undo$/, ""))`)
	if got := tb.str(t, `document.querySelector("[data-announce]").closest("[role=status]")?.dataset.testid`); got != "status" {
		t.Errorf("the announcement is not in the layout's status region (%q)", got)
	}
	tb.screenshot(t, "a11y-after-archive")
}

// TestFeedback: while htmx waits for the server the page says so; Send
// pressed twice sends once; a flash can be closed.
func TestFeedback(t *testing.T) {
	t.Parallel()
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)
	tb.saveSMTPCredentials(t, w)
	tb.navigate(t, w.url+"/m/INBOX")
	tb.waitFor(t, "the inbox", `document.querySelector("[data-testid=row]")`)

	// A slow link: every request takes 400 ms more.
	slow := func(latency float64) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			if err := network.Enable().Do(ctx); err != nil {
				return err
			}
			return network.EmulateNetworkConditions(false, latency, -1, -1).Do(ctx)
		})
	}
	tb.run(t, "slowing the network", slow(400))
	tb.click(t, `#folders [data-role=archive] a`)
	tb.waitFor(t, "the loading bar", `document.documentElement.classList.contains("loading") &&
		getComputedStyle(document.querySelector(".loading-bar")).visibility === "visible" &&
		document.getElementById("main").getAttribute("aria-busy") === "true"`)
	tb.waitFor(t, "the Archive folder", `location.pathname === "/m/Archive" && document.querySelector("[data-testid=folder-title]").textContent.trim() === "Archive"`)
	tb.waitFor(t, "the loading bar to go", `!document.documentElement.classList.contains("loading") && !document.querySelector("[aria-busy]")`)

	// Send, pressed twice on a slow link: one message.
	before := len(w.demo.Received())
	tb.click(t, "[data-testid=compose]")
	tb.waitFor(t, "the compose form", composeReady(`document.querySelector("#message [data-testid=compose-form]")`))
	tb.typeInto(t, "#message #to", "ann@example.net,")
	tb.typeInto(t, "#message #subject", "Twice?")
	tb.typeInto(t, "#message #body", "Once.")
	tb.run(t, "pressing Send twice", chromedp.Evaluate(`(() => { const b = document.querySelector("#message [data-testid=send]"); b.click(); b.click(); })()`, nil))
	if got := tb.str(t, `document.querySelector("#message [data-testid=send]")?.getAttribute("aria-disabled")`); got != "true" {
		t.Errorf("Send is not marked disabled while sending (aria-disabled=%s)", got)
	}
	tb.waitFor(t, "the message sent", `document.querySelector("[data-testid=sent]")`)
	tb.run(t, "the network back to normal", slow(0))
	if got := len(w.demo.Received()) - before; got != 1 {
		t.Errorf("Send pressed twice sent %d messages, want 1", got)
	}

	// A flash closes.
	tb.click(t, "[data-testid=logout]")
	tb.waitFor(t, "the flash", `document.querySelector("[data-testid=flash]")`)
	tb.click(t, "[data-testid=flash-close]")
	tb.waitFor(t, "the flash to go", `!document.querySelector("[data-testid=flash]")`)
	if got := tb.str(t, `document.activeElement.tagName`); got != "MAIN" {
		t.Errorf("after closing the flash the focus is on %s, want the page's main", tb.active(t))
	}
}

// TestSendingSettingsWithoutJS: saving SMTP credentials with JavaScript
// off says they were accepted, and that this browser cannot keep them,
// not the opposite.
func TestSendingSettingsWithoutJS(t *testing.T) {
	t.Parallel()
	w := newWebmail(t, demo.Options{})
	for _, js := range []bool{false, true} {
		name := map[bool]string{false: "js-off", true: "js-on"}[js]
		t.Run(name, func(t *testing.T) {
			tb := newTab(t, testTimeout)
			if !js {
				tb.run(t, "disabling scripts", chromedp.ActionFunc(disableScripts))
			}
			tb.login(t, w)
			tb.saveSMTPCredentials(t, w)
			page := tb.str(t, `document.querySelector("[data-testid=settings-sending]").innerText`)
			keeps := strings.Contains(page, "kept in this browser only")
			cannot := strings.Contains(page, "cannot keep them")
			if js && (!keeps || cannot) || !js && (keeps || !cannot) {
				t.Errorf("with JavaScript %v the page reads:\n%s", map[bool]string{false: "off", true: "on"}[js], page)
			}
			if !js && strings.Contains(page, "Messages are sent with your login credentials") {
				t.Errorf("the page says both that these credentials were saved and that the login credentials send:\n%s", page)
			}
		})
	}
}

// TestZoom200 is a 1280 px screen at 200% zoom: 640 CSS pixels wide.
// Every main screen fits without scrolling sideways, and the skip link
// still comes first.
func TestZoom200(t *testing.T) {
	t.Parallel()
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "640 CSS px", chromedp.EmulateViewport(640, 400))
	tb.login(t, w)
	for _, s := range []struct{ name, path, wait string }{
		{"list", "/m/INBOX", `document.querySelector("[data-testid=row]")`},
		{"message", w.messagePath(t, "INBOX", subjectQuotedA11y), `document.querySelector("#message [data-testid=message]")`},
		{"compose", "/compose", composeReady(`document.querySelector("[data-testid=compose-form]")`)},
		{"settings", "/settings/sending", `document.querySelector("[data-testid=smtp-form]")`},
		{"folders", "/folders/manage", `document.querySelector("main")`},
	} {
		tb.navigate(t, w.url+s.path)
		tb.waitFor(t, s.name, s.wait)
		tb.noHorizontalOverflow(t, s.name+" at 200%")
		tb.screenshot(t, "zoom200-"+s.name)
	}
}

const subjectQuotedA11y = "Re: Dinner on Saturday?"

// TestComposeErrorInView: a send the server refuses comes back with the
// error focused and on the screen, not scrolled away by a field's
// autofocus further down (here without JavaScript, on a phone).
func TestComposeErrorInView(t *testing.T) {
	t.Parallel()
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "a phone without JavaScript", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.ActionFunc(disableScripts))
	tb.login(t, w)
	tb.navigate(t, w.url+"/compose")
	tb.typeInto(t, "#to", "ann@example.net")
	tb.typeInto(t, "#subject", "Needs SMTP")
	tb.typeInto(t, "#body", "Hello")
	tb.click(t, "[data-testid=send]")
	tb.waitFor(t, "the error", `document.querySelector("[data-testid=compose-error]") && document.readyState === "complete"`)
	tb.waitFor(t, "the focus on the error", `document.activeElement === document.querySelector("[data-testid=compose-error]")`)
	if r := tb.rect(t, "[data-testid=compose-error]"); r.Top < 0 || r.Bottom > 844 {
		t.Errorf("the error is out of view at %.0f-%.0f px", r.Top, r.Bottom)
	}
}

// TestKeyboardOnly reads, replies and sends with the keyboard alone: j
// picks the first row, o opens it, r answers it, the answer is typed
// where the focus lands, and Tab leads to Send, which Enter presses.
func TestKeyboardOnly(t *testing.T) {
	t.Parallel()
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)
	tb.saveSMTPCredentials(t, w)
	tb.navigate(t, w.url+"/m/INBOX")
	tb.waitFor(t, "the inbox", `document.querySelector("[data-testid=row]") && document.documentElement.hasAttribute("data-js")`)
	tb.eval(t, `document.activeElement?.blur()`, nil)
	subject := tb.text(t, "#list [data-testid=row]:nth-child(1) .subject")

	tb.press(t, 'j')
	tb.waitFor(t, "the first row picked", `document.querySelector("#list [data-testid=row]:nth-child(1)").classList.contains("kbd")`)
	tb.press(t, 'o')
	tb.waitFor(t, "the message", `document.querySelector("#message [data-testid=msg-subject]")?.textContent.trim() === `+strconv.Quote(subject))
	tb.press(t, 'r')
	tb.waitFor(t, "the reply form", composeReady(`document.querySelector("#message [data-testid=compose-form]")`))
	// A reply opens with the cursor in its body, as Gmail's does.
	tb.waitFor(t, "the focus in the reply's body", `document.activeElement?.matches("[data-testid=body-input]")`)
	tb.run(t, "typing the answer", chromedp.KeyEvent("Answered by keyboard.\n"))
	if got := tb.value(t, "[data-testid=body-input]"); !strings.Contains(got, "Answered by keyboard.") {
		t.Fatalf("the body reads %q after typing", got)
	}
	// Shift+Tab as a bare key press (chromedp's KeyEvent adds a "char"
	// event, which a select takes as typing).
	shiftTab := chromedp.ActionFunc(func(ctx context.Context) error {
		key := func(t input.KeyType) *input.DispatchKeyEventParams {
			return input.DispatchKeyEvent(t).WithKey("Tab").WithCode("Tab").WithWindowsVirtualKeyCode(9).WithModifiers(input.ModifierShift)
		}
		if err := key(input.KeyRawDown).Do(ctx); err != nil {
			return err
		}
		return key(input.KeyUp).Do(ctx)
	})
	var path []string
	for i := 0; i < 30 && !tb.truthy(t, `document.activeElement?.matches("[data-testid=send]")`); i++ {
		path = append(path, tb.str(t, `document.activeElement.dataset.testid || document.activeElement.id || document.activeElement.tagName`))
		tb.run(t, "pressing Shift+Tab", shiftTab)
	}
	if !tb.truthy(t, `document.activeElement?.matches("[data-testid=send]")`) {
		t.Fatalf("Shift+Tab from the body never reaches Send; it goes %v", path)
	}
	before := len(w.demo.Received())
	tb.run(t, "pressing Enter on Send", chromedp.KeyEvent(kb.Enter))
	tb.waitSent(t, "")
	m := parseDelivery(t, w.delivered(t, before))
	if s, _ := m.Header.Subject(); s != "Re: "+subject || !strings.Contains(m.Text, "Answered by keyboard.") {
		t.Errorf("delivered %q with the text:\n%s", s, m.Text)
	}
}
