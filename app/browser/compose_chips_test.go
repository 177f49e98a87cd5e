package browser

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// pickedChips is the names on the chips of the files picked for the
// compose form, and the names of the files its input holds.
func (tb *tab) pickedChips(t *testing.T) (chips, files []string) {
	t.Helper()
	tb.eval(t, `Array.from(document.querySelectorAll("[data-testid=picked-attachments]:not([hidden]) [data-testid=picked-name]")).map(e => e.textContent)`, &chips)
	tb.eval(t, `Array.from(document.querySelector("[data-testid=attachments-input]").files).map(f => f.name)`, &files)
	return chips, files
}

// TestComposeAttachmentChips attaches files with JavaScript on a phone:
// the Attach button is on screen beside the body, two files picked show
// as two chips, one removed leaves one, a file dropped on the form and
// one picked again are added and removed again, the upload shows its
// progress, and the
// message sent carries the one file left.
func TestComposeAttachmentChips(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "emulating a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	tb.login(t, w)
	tb.saveSMTPCredentials(t, w)
	tb.navigate(t, w.url+"/m/INBOX")
	tb.click(t, "[data-testid=compose]")
	tb.waitFor(t, "the compose form", composeReady(`document.querySelector("[data-testid=compose-form]")`))

	if r := tb.rect(t, "[data-testid=attach-button]"); r.Width == 0 || r.Top < 0 || r.Bottom > 844 || r.Height < minTap {
		t.Errorf("the Attach button is not on the phone's screen as a touch target: %+v", r)
	}
	if tb.shown(t, "[data-testid=picked-attachments]") {
		t.Error("an empty list of picked files is shown")
	}

	files := twoFiles(t)
	const rcpt = "ann@example.net"
	subject, body := "One of two files", "Ann,\nthe route only.\nDemo"
	tb.fillCompose(t, rcpt, subject, body)
	tb.run(t, "picking two files", chromedp.SetUploadFiles("[data-testid=attachments-input]", []string{files[0].path, files[1].path}, chromedp.ByQuery))
	tb.waitFor(t, "two chips", `document.querySelectorAll("[data-testid=picked]").length === 2`)
	chips, held := tb.pickedChips(t)
	if strings.Join(chips, "|") != files[0].name+"|"+files[1].name || len(held) != 2 {
		t.Errorf("after picking two files the chips say %q and the input holds %q", chips, held)
	}
	if got := tb.text(t, "[data-testid=picked] .att-chip-size"); got != "200 kB" {
		t.Errorf("the first chip gives the size %q, want 200 kB", got)
	}
	tb.noHorizontalOverflow(t, "compose with two chips")
	tb.screenshot(t, "compose-chips-phone")

	tb.click(t, "[data-testid=picked] [data-testid=picked-remove]")
	tb.waitFor(t, "one chip", `document.querySelectorAll("[data-testid=picked]").length === 1`)
	if chips, held := tb.pickedChips(t); strings.Join(chips, "|") != files[1].name || strings.Join(held, "|") != files[1].name {
		t.Errorf("after removing the first file the chips say %q and the input holds %q, want only %q", chips, held, files[1].name)
	}

	// A file dropped on the body is added to the one there; then removed.
	tb.eval(t, `(() => {
		const dt = new DataTransfer();
		dt.items.add(new File(["dropped\n"], "dropped.txt", {type: "text/plain"}));
		const on = document.querySelector("[data-testid=body-input]");
		for (const type of ["dragenter", "dragover", "drop"]) on.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
	})()`, nil)
	tb.waitFor(t, "the dropped file's chip", `document.querySelectorAll("[data-testid=picked]").length === 2`)
	if chips, held := tb.pickedChips(t); strings.Join(chips, "|") != files[1].name+"|dropped.txt" || len(held) != 2 {
		t.Errorf("after the drop the chips say %q and the input holds %q", chips, held)
	}
	tb.click(t, "[data-testid=picked]:nth-child(2) [data-testid=picked-remove]")
	tb.waitFor(t, "one chip again", `document.querySelectorAll("[data-testid=picked]").length === 1`)

	// Picking again adds to the file there; then that one goes too.
	tb.run(t, "picking the first file again", chromedp.SetUploadFiles("[data-testid=attachments-input]", []string{files[0].path}, chromedp.ByQuery))
	tb.waitFor(t, "two chips again", `document.querySelectorAll("[data-testid=picked]").length === 2`)
	if chips, held := tb.pickedChips(t); strings.Join(chips, "|") != files[1].name+"|"+files[0].name || len(held) != 2 {
		t.Errorf("after picking again the chips say %q and the input holds %q", chips, held)
	}
	tb.click(t, "[data-testid=picked]:nth-child(2) [data-testid=picked-remove]")
	tb.waitFor(t, "one chip at last", `document.querySelectorAll("[data-testid=picked]").length === 1`)

	// Every text the progress shows while sending is recorded.
	tb.eval(t, `window.__progress = []; new MutationObserver(() => {
		const p = document.querySelector("[data-testid=upload-progress]:not([hidden]) span");
		if (p && p.textContent) window.__progress.push(p.textContent);
	}).observe(document.body, {subtree: true, childList: true, characterData: true})`, nil)
	before := len(w.demo.Received())
	tb.send(t)
	tb.waitSent(t, rcpt)
	var progress []string
	tb.eval(t, `window.__progress`, &progress)
	if len(progress) == 0 || !strings.Contains(progress[len(progress)-1], "(100%)") {
		t.Errorf("the upload's progress showed %q, want it to reach 100%%", progress)
	}
	checkAttached(t, checkDelivery(t, w, w.delivered(t, before), rcpt, subject, body), files[1:])
}
