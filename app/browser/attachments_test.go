package browser

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"webmail/app/demo"
	"webmail/app/internal/faultnet"
	"webmail/app/message"
	"webmail/config"
)

// attachedFile is a file a test attaches from disk.
type attachedFile struct {
	name, path string
	data       []byte
}

// twoFiles writes two files to attach: one whose name survives a round
// trip through a draft only if the original name is kept, and one with
// every byte value.
func twoFiles(t *testing.T) []attachedFile {
	t.Helper()
	dir := t.TempDir()
	rnd := rand.New(rand.NewPCG(3, 4))
	a := make([]byte, 200_000)
	for i := range a {
		a[i] = byte(rnd.Uint32())
	}
	b := bytes.Repeat([]byte("lat,lon\r\n47.1,11.2\n\x00\xff"), 2000)
	var out []attachedFile
	for _, f := range []attachedFile{{name: "Übersicht: Q1.pdf", data: a}, {name: "route points.csv", data: b}} {
		f.path = filepath.Join(dir, f.name)
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// checkKeptList checks that the compose form lists files as attachments it
// holds, ticked, in order.
func (tb *tab) checkKeptList(t *testing.T, files []attachedFile) {
	t.Helper()
	var got []string
	tb.eval(t, `Array.from(document.querySelectorAll("[data-testid=kept]")).map(li =>
		li.querySelector("[data-testid=kept-name]").textContent.trim() + (li.querySelector("input[name=keep]").checked ? "" : " (unticked)"))`, &got)
	var want []string
	for _, f := range files {
		want = append(want, message.SafeFilename(f.name))
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the form lists the attachments %q, want %q", got, want)
	}
	if v := tb.str(t, `document.querySelector("[data-testid=attachments-input]").files.length`); v != "0" {
		t.Errorf("the file input holds %s files after the form came back, want none (the list holds them)", v)
	}
}

// checkAttached checks that the delivered message has exactly files as
// attachments, byte for byte.
func checkAttached(t *testing.T, m parsedMail, files []attachedFile) {
	t.Helper()
	if len(m.Attachments) != len(files) {
		var names []string
		for n := range m.Attachments {
			names = append(names, n)
		}
		t.Errorf("the message has the attachments %q, want %d", names, len(files))
	}
	for _, f := range files {
		got, ok := m.Attachments[f.name]
		switch {
		case !ok:
			t.Errorf("the message lacks the attachment %q", f.name)
		case !bytes.Equal(got, f.data):
			t.Errorf("the attachment %q arrived as %d bytes that differ from the %d attached", f.name, len(got), len(f.data))
		}
	}
}

// TestComposeKeepsAttachments attaches two files and sends to an invalid
// address: the form comes back listing both (saved in Drafts meanwhile),
// without asking for them again; with the address fixed, sending delivers
// them. With JavaScript (the compose pane, saved credentials), without it
// (the compose page, typed credentials), and on a phone, where one is
// removed before sending.
func TestComposeKeepsAttachments(t *testing.T) {
	for _, tc := range []struct {
		name   string
		js     bool
		phone  bool
		remove bool // remove the first file before sending
	}{
		{"javascript desktop", true, false, false},
		{"no javascript phone", false, true, false},
		{"javascript phone remove one", true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWebmail(t, demo.Options{})
			tb := newTab(t, testTimeout)
			if tc.phone {
				tb.run(t, "emulating a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			} else {
				tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
			}
			if !tc.js {
				tb.run(t, "disabling JavaScript", chromedp.ActionFunc(disableScripts))
			}
			tb.login(t, w)
			if tc.js {
				tb.saveSMTPCredentials(t, w)
			}
			tb.navigate(t, w.url+"/m/INBOX")
			tb.waitFor(t, "the inbox", `document.querySelector("[data-testid=compose]")`)
			tb.click(t, "[data-testid=compose]")
			tb.waitFor(t, "the compose form", composeReady(`document.querySelector("[data-testid=compose-form]")`))

			files := twoFiles(t)
			const rcpt = "ann@example.net"
			subject, body := "Figures for Q1", "Ann,\nboth files attached.\nDemo"
			tb.fillCompose(t, "ann@example", subject, body)
			if !tc.js {
				tb.typeInto(t, "[data-testid=smtp-fields] #smtp_login", w.acct.SMTPLogin)
				tb.typeInto(t, "[data-testid=smtp-fields] #smtp_password", w.acct.SMTPPassword)
			}
			tb.run(t, "attaching two files", chromedp.SetUploadFiles("[data-testid=attachments-input]", []string{files[0].path, files[1].path}, chromedp.ByQuery))
			tb.send(t)
			tb.waitFor(t, "the form back with the invalid address marked", `document.querySelector("[data-testid=error-to]")`)
			tb.checkKeptList(t, files)
			if got := tb.text(t, "[data-testid=compose-notice]"); !strings.Contains(got, "attachments are safe") {
				t.Errorf("the notice says %q, want it to say the attachments are safe in Drafts", got)
			}
			if got := tb.value(t, "[data-testid=body-input]"); strings.ReplaceAll(got, "\r\n", "\n") != body {
				t.Errorf("the body came back as %q", got)
			}
			if tc.js != tb.shown(t, "[data-testid=kept-remove]") {
				t.Errorf("the Remove buttons shown = %v, want %v (with JavaScript only)", !tc.js, tc.js)
			}
			// With JavaScript the boxes stay in the form, visually hidden.
			if boxShown := tb.rect(t, "[data-testid=kept] input[name=keep]").Width > 1; boxShown == tc.js {
				t.Errorf("the keep boxes shown = %v, want %v (without JavaScript only)", boxShown, !tc.js)
			}
			tb.noHorizontalOverflow(t, "compose with kept attachments")
			if tc.phone {
				if small := tb.smallTargets(t, "[data-testid=kept-attachments]"); len(small) > 0 {
					t.Errorf("kept attachment buttons under %d px tall: %s", minTap, strings.Join(small, "; "))
				}
				var low []string
				tb.eval(t, fmt.Sprintf(`Array.from(document.querySelectorAll("[data-testid=kept] label")).filter(e => e.getBoundingClientRect().height < %d).map(e => e.textContent.trim() + " " + e.getBoundingClientRect().height.toFixed(1) + "px")`, minTap), &low)
				if len(low) > 0 {
					t.Errorf("kept attachment rows under %d px tall: %s", minTap, strings.Join(low, "; "))
				}
			}
			tb.eval(t, `document.querySelector("[data-testid=kept-attachments]").scrollIntoView({block: "center"})`, nil)
			tb.screenshot(t, "compose-kept-"+strings.ReplaceAll(tc.name, " ", "-"))

			want := files
			if tc.remove {
				tb.click(t, "[data-testid=kept] [data-testid=kept-remove]")
				if tb.truthy(t, `document.querySelector("[data-testid=kept] input[name=keep]").checked`) {
					t.Fatal("Remove left the file ticked")
				}
				if got := tb.text(t, "[data-testid=kept] [data-testid=kept-remove]"); !strings.HasPrefix(got, "Undo") {
					t.Errorf("after Remove the button says %q, want Undo", got)
				}
				tb.screenshot(t, "compose-kept-removed-phone")
				want = files[1:]
			}
			tb.eval(t, `document.querySelectorAll("[data-testid=chip] button").forEach(b => b.click()); document.querySelector("[data-testid=to-input]").value = ""`, nil)
			tb.typeInto(t, "[data-testid=to-input]", rcpt)
			if !tc.js { // the password is never rendered back
				tb.typeInto(t, "[data-testid=smtp-fields] #smtp_password", w.acct.SMTPPassword)
			}
			before := len(w.demo.Received())
			tb.send(t)
			tb.waitSent(t, rcpt)
			checkAttached(t, checkDelivery(t, w, w.delivered(t, before), rcpt, subject, body), want)
		})
	}
}

// TestComposeUploadTooLarge attaches a file over the limit (and over
// what was once the cap on the whole body). Without JavaScript it is
// uploaded, and the browser shows the form again with everything typed
// and the reason, not a reset connection; with JavaScript the browser
// refuses at once, without uploading.
func TestComposeUploadTooLarge(t *testing.T) {
	big := filepath.Join(t.TempDir(), "holiday.mov")
	if err := os.WriteFile(big, bytes.Repeat([]byte("0123456789abcdef"), 12<<20/16), 0o600); err != nil {
		t.Fatal(err)
	}
	const tooLarge = "The attachments are larger than 1 MB together. Attach fewer or smaller files."
	limit := func(c *config.Config) { c.Limits.MaxAttachmentMB = 1 }
	for _, js := range []bool{false, true} {
		t.Run(map[bool]string{false: "no javascript", true: "javascript"}[js], func(t *testing.T) {
			w := newWebmail(t, demo.Options{}, limit)
			tb := newTab(t, testTimeout)
			tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
			if !js {
				tb.run(t, "disabling JavaScript", chromedp.ActionFunc(disableScripts))
			}
			tb.login(t, w)
			tb.navigate(t, w.url+"/compose")
			tb.waitFor(t, "the compose page", composeReady(`document.querySelector("[data-testid=compose-form]")`))
			subject, body := "The video", "Ann,\nhere is the video.\nDemo"
			tb.fillCompose(t, "ann@example.net", subject, body)
			tb.typeInto(t, "[data-testid=smtp-fields] #smtp_login", w.acct.SMTPLogin)
			tb.run(t, "attaching a 12 MB file", chromedp.SetUploadFiles("[data-testid=attachments-input]", []string{big}, chromedp.ByQuery))
			if js {
				tb.waitFor(t, "the message as soon as the file is chosen", `document.querySelector("[data-testid=error-attachments]:not([hidden])")`)
			}
			tb.eval(t, `window.__marker = 1`, nil)
			tb.send(t)
			tb.waitFor(t, "the attachments error", `document.querySelector("[data-testid=error-attachments]:not([hidden])")?.textContent.includes("larger than")`)
			if got := tb.text(t, "[data-testid=error-attachments]"); got != tooLarge {
				t.Errorf("the page says %q, want %q", got, tooLarge)
			}
			if got := tb.value(t, "[data-testid=subject-input]"); got != subject {
				t.Errorf("the subject is %q, want %q kept", got, subject)
			}
			if got := tb.value(t, "[data-testid=body-input]"); strings.ReplaceAll(got, "\r\n", "\n") != body {
				t.Errorf("the body is %q, want %q kept", got, body)
			}
			if got := tb.value(t, "#smtp_login"); got != w.acct.SMTPLogin {
				t.Errorf("the SMTP login is %q, want %q kept", got, w.acct.SMTPLogin)
			}
			if js && !tb.truthy(t, `window.__marker === 1`) {
				t.Error("with JavaScript the form was sent (the page was replaced) although the file is too large")
			}
			tb.screenshot(t, "compose-too-large-"+map[bool]string{false: "nojs", true: "js"}[js])

			// Without the file, the draft saves: the one POST the server saw
			// with JavaScript, the second without.
			tb.eval(t, `document.querySelector("[data-testid=attachments-input]").value = ""`, nil)
			if js {
				tb.eval(t, `document.querySelector("[data-testid=attachments-input]").dispatchEvent(new Event("change", {bubbles: true}))`, nil)
			}
			tb.click(t, "[data-testid=save-draft]")
			tb.waitFor(t, "the draft saved", `/Draft saved/.test(document.querySelector("[data-testid=compose-notice]")?.textContent)`)
			want := map[bool]int{false: 2, true: 1}[js]
			if got := strings.Count(w.logs.String(), "method=POST path=/compose/"); got != want {
				t.Errorf("the server saw %d compose posts, want %d", got, want)
			}
			if js && tb.shown(t, "[data-testid=error-attachments]") {
				t.Error("the attachments error stays once the file is gone")
			}
		})
	}
}

// TestComposeDraftAttachments saves a draft with two files and sends it
// while the SMTP server is down: the form comes back listing both, and
// sending again once the server is back delivers them and removes the
// draft. Then a second draft, reopened from the Drafts folder, lists its
// files and sends them. With JavaScript and without.
func TestComposeDraftAttachments(t *testing.T) {
	for _, js := range []bool{true, false} {
		t.Run(map[bool]string{false: "no javascript", true: "javascript"}[js], func(t *testing.T) {
			var smtp *faultnet.Proxy
			w := newWebmail(t, demo.Options{}, func(c *config.Config) {
				smtp = faultnet.NewProxy(t, net.JoinHostPort(c.SMTP.Host, strconv.Itoa(c.SMTP.Port)))
				c.SMTP.Host, c.SMTP.Port = splitHostPort(t, smtp.Addr())
			})
			tb := newTab(t, testTimeout)
			tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
			if !js {
				tb.run(t, "disabling JavaScript", chromedp.ActionFunc(disableScripts))
			}
			tb.login(t, w)
			if js {
				tb.saveSMTPCredentials(t, w)
			}
			credentials := func() {
				if !js { // typed for each send; the password never comes back
					tb.eval(t, `document.querySelector("#smtp_login").value = ""`, nil)
					tb.typeInto(t, "[data-testid=smtp-fields] #smtp_login", w.acct.SMTPLogin)
					tb.typeInto(t, "[data-testid=smtp-fields] #smtp_password", w.acct.SMTPPassword)
				}
			}
			count := func() int { _, msgs := w.mailbox(t, "Drafts"); return len(msgs) }
			base := count() // the demo's own drafts
			drafts := func() int { return count() - base }
			files := twoFiles(t)
			const rcpt = "ann@example.net"

			// Saved, then sent while the SMTP server is down, then again.
			tb.navigate(t, w.url+"/compose")
			tb.waitFor(t, "the compose page", composeReady(`document.querySelector("[data-testid=compose-form]")`))
			subject, body := "Figures, first try", "Ann,\nthe figures.\nDemo"
			tb.fillCompose(t, rcpt, subject, body)
			tb.run(t, "attaching two files", chromedp.SetUploadFiles("[data-testid=attachments-input]", []string{files[0].path, files[1].path}, chromedp.ByQuery))
			tb.click(t, "[data-testid=save-draft]")
			tb.waitFor(t, "the draft saved", `/Draft saved/.test(document.querySelector("[data-testid=compose-notice]")?.textContent)`)
			tb.checkKeptList(t, files)
			smtp.Refuse(true)
			credentials()
			tb.send(t)
			tb.waitFor(t, "the send error", `document.querySelector("[data-testid=compose-error]:not([data-stale])")`)
			if got := tb.text(t, "[data-testid=compose-error]"); !strings.Contains(got, "sending server") {
				t.Errorf("the error says %q, want it to name the sending server", got)
			}
			tb.checkKeptList(t, files)
			if n := drafts(); n != 1 {
				t.Errorf("Drafts holds %d messages after the failed send, want the draft", n)
			}
			smtp.Refuse(false)
			credentials()
			before := len(w.demo.Received())
			tb.send(t)
			tb.waitSent(t, rcpt)
			checkAttached(t, checkDelivery(t, w, w.delivered(t, before), rcpt, subject, body), files)
			if n := drafts(); n != 0 {
				t.Errorf("Drafts holds %d messages after sending, want none", n)
			}

			// Saved, left, reopened from Drafts, sent.
			tb.navigate(t, w.url+"/compose")
			tb.waitFor(t, "the compose page", composeReady(`document.querySelector("[data-testid=compose-form]")`))
			subject, body = "Figures, reopened", "Ann,\nthe figures again.\nDemo"
			tb.fillCompose(t, rcpt, subject, body)
			tb.run(t, "attaching two files", chromedp.SetUploadFiles("[data-testid=attachments-input]", []string{files[0].path, files[1].path}, chromedp.ByQuery))
			tb.click(t, "[data-testid=save-draft]")
			tb.waitFor(t, "the draft saved", `/Draft saved/.test(document.querySelector("[data-testid=compose-notice]")?.textContent)`)
			tb.navigate(t, w.url+w.messagePath(t, "Drafts", subject))
			tb.waitFor(t, "the draft", `document.querySelector("[data-testid=edit-draft]")`)
			tb.click(t, "[data-testid=edit-draft]")
			tb.waitFor(t, "the draft in the form", `document.querySelector("[data-testid=compose-form] [data-testid=kept]")`)
			tb.checkKeptList(t, files)
			credentials()
			before = len(w.demo.Received())
			tb.send(t)
			tb.waitSent(t, rcpt)
			checkAttached(t, checkDelivery(t, w, w.delivered(t, before), rcpt, subject, body), files)
			if n := drafts(); n != 0 {
				t.Errorf("Drafts holds %d messages after sending the reopened draft, want none", n)
			}
		})
	}
}
