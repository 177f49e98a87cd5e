package browser

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"webmail/app/demo"
)

// Organising mail: acting on checked rows of the list, on the open
// message, searching, keyboard shortcuts and conversations, with and
// without JavaScript, on a desktop and on a phone.

// listRow is a row of the message list as a person sees it.
type listRow struct {
	UID     string
	Subject string
	Href    string
	Unread  bool
	Flagged bool
	Checked bool
	Kbd     bool // highlighted by j/k
}

// listRows are the rows of the list (not those of other folders' search
// matches), top to bottom.
func (tb *tab) listRows(t *testing.T) []listRow {
	t.Helper()
	var rows []listRow
	tb.eval(t, `Array.from(document.querySelectorAll("#list [data-testid=rows] [data-testid=row]")).map(r => ({
		UID: r.dataset.uid,
		Subject: (r.querySelector(".subject")?.textContent ?? "").trim().replace(/\s+/g, " "),
		Href: r.querySelector("a")?.href ?? "",
		Unread: r.classList.contains("unread"),
		Flagged: !!r.querySelector("[data-testid=mark-flagged]"),
		Checked: !!r.querySelector("input[name=uid]")?.checked,
		Kbd: r.classList.contains("kbd"),
	}))`, &rows)
	return rows
}

// uidRow selects the list row of the message with UID uid.
func uidRow(uid string) string {
	return fmt.Sprintf("#list [data-testid=rows] [data-testid=row][data-uid='%s']", uid)
}

// tick checks the box of the row of uid, with a click.
func (tb *tab) tick(t *testing.T, uid string) {
	t.Helper()
	tb.click(t, uidRow(uid)+" input[name=uid]")
	if !tb.truthy(t, `document.querySelector(`+jsonString(uidRow(uid)+" input[name=uid]")+`).checked`) {
		t.Fatalf("clicking the box of row %s did not check it", uid)
	}
}

// inboxUnread is the unread count the folder tree shows for the Inbox, 0
// when it shows none.
func (tb *tab) inboxUnread(t *testing.T) int {
	t.Helper()
	s := tb.text(t, "#folders [data-testid=folder][data-role=inbox] [data-testid=unseen]")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("the Inbox unread count %q is not a number", s)
	}
	return n
}

// press presses one key, once the shortcuts are loaded, as a keyboard does: a keydown that carries the
// text, so that a handler calling preventDefault keeps it from being typed
// (chromedp.KeyEvent sends the text in a separate char event, which
// Chromium types whatever the keydown handler did), then a keyup.
func (tb *tab) press(t *testing.T, key rune) {
	t.Helper()
	tb.waitFor(t, "the keyboard shortcuts (keys.js, loaded after the page)", `document.documentElement.hasAttribute("data-keys")`)
	v, ok := kb.Keys[key]
	if !ok {
		t.Fatalf("no key %q", key)
	}
	var mod input.Modifier
	if v.Shift {
		mod = input.ModifierShift
	}
	down := input.DispatchKeyEvent(input.KeyDown).WithKey(v.Key).WithCode(v.Code).
		WithWindowsVirtualKeyCode(v.Windows).WithNativeVirtualKeyCode(v.Native).WithModifiers(mod)
	if v.Print {
		down = down.WithText(v.Text).WithUnmodifiedText(v.Unmodified)
	}
	up := input.DispatchKeyEvent(input.KeyUp).WithKey(v.Key).WithCode(v.Code).
		WithWindowsVirtualKeyCode(v.Windows).WithNativeVirtualKeyCode(v.Native).WithModifiers(mod)
	tb.run(t, fmt.Sprintf("pressing %q", key), down, up)
}

// waitNotice waits for the action notice to say want.
func (tb *tab) waitNotice(t *testing.T, want string) {
	t.Helper()
	tb.waitFor(t, "the notice "+jsonString(want),
		`(document.querySelector("#list [data-testid=notice] span")?.textContent ?? "").trim() === `+jsonString(want))
}

// openMessage is the check that the message with UID uid is open.
func openMessage(uid string) string {
	return fmt.Sprintf(`document.querySelector("#message [data-testid=message][data-uid='%s']")`, uid)
}

// waitUntil polls a JavaScript condition for up to d and reports whether
// it came true, for checks that must not end the test.
func (tb *tab) waitUntil(t *testing.T, cond string, d time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		var ok bool
		if err := chromedp.Run(tb.ctx, chromedp.Evaluate("!!("+cond+")", &ok)); err == nil && ok {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// screenshotScreen saves what the screen shows (not the whole page) as
// testdata/screenshots/name.png when WEBMAIL_SCREENSHOTS is set.
func (tb *tab) screenshotScreen(t *testing.T, name string) {
	t.Helper()
	if os.Getenv("WEBMAIL_SCREENSHOTS") == "" {
		return
	}
	var buf []byte
	tb.run(t, "screenshot "+name, chromedp.CaptureScreenshot(&buf))
	dir := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// subjects lists the subjects of msgs.
func subjects(msgs []mailRef) []string {
	var s []string
	for _, m := range msgs {
		s = append(s, m.Subject)
	}
	return s
}

// reachable lists, for the controls matching sel, those a thumb cannot
// use: under minTap pixels tall, outside the screen once scrolled to, or
// covered by something else.
func (tb *tab) reachable(t *testing.T, sel string) (n int, bad []string) {
	t.Helper()
	var r struct {
		N   int
		Bad []string
	}
	tb.eval(t, fmt.Sprintf(`(() => {
		const els = Array.from(document.querySelectorAll(%q)), bad = [];
		for (const e of els) {
			e.scrollIntoView({block: "center", inline: "nearest"});
			const r = e.getBoundingClientRect();
			const name = e.tagName.toLowerCase() + "[data-testid=" + (e.dataset.testid ?? "") + "] " + JSON.stringify((e.textContent || e.placeholder || "").trim().replace(/\s+/g, " ").slice(0, 30));
			if (r.width === 0 || r.height === 0) { bad.push(name + " is not shown"); continue; }
			if (r.height < %d) bad.push(name + " is " + r.height.toFixed(1) + " px tall");
			if (r.top < 0 || r.bottom > innerHeight || r.left < 0 || r.right > innerWidth) {
				bad.push(name + " is off screen after scrolling to it: " + [r.left, r.top, r.right, r.bottom].map(Math.round).join(","));
				continue;
			}
			const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
			if (!hit || (hit !== e && !e.contains(hit))) bad.push(name + " is covered by " + (hit ? hit.tagName.toLowerCase() + "." + hit.className : "nothing"));
		}
		return {N: els.length, Bad: bad};
	})()`, sel, minTap), &r)
	return r.N, r.Bad
}

// TestBulkActionsJavaScript acts on checked rows of the list with htmx:
// archive and undo, select all, flag and mark unread, without reloads.
func TestBulkActionsJavaScript(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	_, archive := w.mailbox(t, "Archive")
	_, inbox := w.mailbox(t, "INBOX")
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)

	rows := tb.listRows(t)
	if len(rows) != 50 {
		t.Fatalf("the inbox shows %d rows, want 50", len(rows))
	}
	if got, want := tb.text(t, "#list [data-testid=total]"), fmt.Sprintf("%d messages", len(inbox)); got != want {
		t.Errorf("the list header says %q, want %q", got, want)
	}
	tb.eval(t, `window.__marker = 1`, nil)

	// Archive the two newest.
	picked := rows[:2]
	for _, r := range picked {
		tb.tick(t, r.UID)
	}
	tb.screenshot(t, "list-bulk-desktop")
	tb.click(t, "[data-testid=bulk-archive]")
	tb.waitNotice(t, "2 messages archived.")
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("archiving reloaded the whole page (window.__marker is gone)")
	}
	for _, r := range picked {
		if tb.count(t, uidRow(r.UID)) != 0 {
			t.Errorf("the archived message %q (UID %s) is still in the list", r.Subject, r.UID)
		}
	}
	if got, want := tb.text(t, "#list [data-testid=total]"), fmt.Sprintf("%d messages", len(inbox)-2); got != want {
		t.Errorf("after archiving two the list header says %q, want %q", got, want)
	}
	if n := tb.count(t, "#list [data-testid=rows] [data-testid=row]"); n != 50 {
		t.Errorf("after archiving two the list shows %d rows, want 50 (filled from the next page)", n)
	}
	if got := subjectsOf(tb.listRows(t), 2); !slices.Equal(got, subjectsOf(rows[2:], 2)) {
		t.Errorf("after archiving the two newest the list starts with %q, want the next two %q", got, subjectsOf(rows[2:], 2))
	}
	if n := tb.count(t, "#list input[name=uid]:checked"); n != 0 {
		t.Errorf("after archiving %d boxes are still checked", n)
	}
	_, archived := w.mailbox(t, "Archive")
	if len(archived) != len(archive)+2 {
		t.Errorf("Archive holds %d messages after archiving two, want %d", len(archived), len(archive)+2)
	}
	for _, r := range picked {
		if !slices.Contains(subjects(archived), r.Subject) {
			t.Errorf("%q is not in Archive", r.Subject)
		}
	}
	if !tb.shown(t, "#list [data-testid=undo]") {
		t.Fatal("no Undo button after archiving")
	}

	// Undo: the two are back on top, in the same order.
	tb.click(t, "#list [data-testid=undo]")
	tb.waitNotice(t, "Undone: 2 messages are back.")
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("undoing reloaded the whole page")
	}
	back := tb.listRows(t)
	seen := map[string]bool{}
	for _, r := range back {
		if seen[r.UID] {
			t.Errorf("after Undo the list shows UID %s (%q) twice", r.UID, r.Subject)
		}
		seen[r.UID] = true
	}
	if len(back) < 2 || back[0].Subject != picked[0].Subject || back[1].Subject != picked[1].Subject {
		t.Errorf("after Undo the list starts with %q, want the archived %q and %q back", subjectsOf(back, 2), picked[0].Subject, picked[1].Subject)
	}
	if got, want := tb.text(t, "#list [data-testid=total]"), fmt.Sprintf("%d messages", len(inbox)); got != want {
		t.Errorf("after Undo the list header says %q, want %q", got, want)
	}
	if _, a := w.mailbox(t, "Archive"); len(a) != len(archive) {
		t.Errorf("Archive holds %d messages after Undo, want %d", len(a), len(archive))
	}
	if tb.shown(t, "#list [data-testid=undo]") {
		t.Error("the Undo button is still offered after undoing")
	}

	// Select all (a plain link): every box checked; Select none clears.
	tb.click(t, "[data-testid=select-all]")
	tb.waitFor(t, "the list with every box checked", `document.querySelector("[data-testid=select-none]")`)
	if all, checked := tb.count(t, "#list [data-testid=rows] input[name=uid]"), tb.count(t, "#list [data-testid=rows] input[name=uid]:checked"); all != 50 || checked != all {
		t.Errorf("after Select all %d of %d boxes are checked, want all 50", checked, all)
	}
	tb.click(t, "[data-testid=select-none]")
	tb.waitFor(t, "the list after Select none", `document.querySelector("[data-testid=select-all]")`)
	if n := tb.count(t, "#list input[name=uid]:checked"); n != 0 {
		t.Errorf("after Select none %d boxes are checked", n)
	}

	// Flag two unflagged rows: their stars appear.
	tb.eval(t, `window.__marker = 2`, nil)
	rows = tb.listRows(t)
	var toFlag, toUnread []listRow
	for _, r := range rows {
		if !r.Flagged && len(toFlag) < 2 {
			toFlag = append(toFlag, r)
		} else if !r.Unread && len(toUnread) < 3 {
			toUnread = append(toUnread, r)
		}
	}
	if len(toFlag) < 2 || len(toUnread) < 3 {
		t.Fatalf("the first page has too few unflagged (%d) or read (%d) messages", len(toFlag), len(toUnread))
	}
	for _, r := range toFlag {
		tb.tick(t, r.UID)
	}
	tb.click(t, "[data-testid=bulk-flag]")
	tb.waitNotice(t, "2 messages flagged.")
	for _, r := range toFlag {
		if tb.count(t, uidRow(r.UID)+" [data-testid=mark-flagged]") != 1 {
			t.Errorf("the flagged message %q shows no flag mark", r.Subject)
		}
	}

	// Mark three read rows unread: the Inbox count grows by three.
	before := tb.inboxUnread(t)
	for _, r := range toUnread {
		tb.tick(t, r.UID)
	}
	tb.click(t, "[data-testid=bulk-unread]")
	tb.waitNotice(t, "3 messages marked unread.")
	if after := tb.inboxUnread(t); after != before+3 {
		t.Errorf("marking 3 read messages unread took the Inbox unread count from %d to %d, want %d", before, after, before+3)
	}
	for _, r := range toUnread {
		if !tb.truthy(t, `document.querySelector(`+jsonString(uidRow(r.UID))+`)?.classList.contains("unread")`) {
			t.Errorf("the message %q marked unread does not look unread", r.Subject)
		}
	}
	if !tb.truthy(t, `window.__marker === 2`) {
		t.Error("flagging or marking unread reloaded the whole page")
	}
}

func subjectsOf(rows []listRow, n int) []string {
	var s []string
	for _, r := range rows[:min(n, len(rows))] {
		s = append(s, r.Subject)
	}
	return s
}

// TestMessageActionsJavaScript archives the open message: the next one
// opens in its place and the list loses the row.
func TestMessageActionsJavaScript(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)

	rows := tb.listRows(t)
	const i = 2
	tb.click(t, rowSel(i))
	tb.waitFor(t, "the message", openMessage(rows[i].UID))
	tb.eval(t, `window.__marker = 1`, nil)
	tb.click(t, "#message [data-testid=archive]")
	// The next older message is the next row down.
	tb.waitFor(t, "the next message to open", openMessage(rows[i+1].UID))
	if got := tb.text(t, "#message [data-testid=msg-subject]"); got != rows[i+1].Subject {
		t.Errorf("after archiving, the message shown is %q, want the next one %q", got, rows[i+1].Subject)
	}
	tb.waitFor(t, "the URL to become the next message's", `location.href === `+jsonString(rows[i+1].Href))
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("archiving the open message reloaded the whole page")
	}
	if tb.count(t, uidRow(rows[i].UID)) != 0 {
		t.Errorf("the archived message %q is still in the list", rows[i].Subject)
	}
	for _, r := range rows[:i] {
		if tb.count(t, uidRow(r.UID)) != 1 {
			t.Errorf("after archiving the third message, the newer %q (UID %s) is missing from the list", r.Subject, r.UID)
		}
	}
	if got := tb.str(t, `document.querySelector("#list .row.current")?.dataset.uid`); got != rows[i+1].UID {
		t.Errorf("the row marked current is UID %s, want the open message's %s", got, rows[i+1].UID)
	}
	if got, want := tb.text(t, "#list [data-testid=notice] span"), "1 message archived."; got != want {
		t.Errorf("the notice says %q, want %q", got, want)
	}
	if n := tb.count(t, "[data-testid=message]"); n != 1 {
		t.Errorf("%d messages are open, want 1", n)
	}

	// Archive shows it on top.
	tb.click(t, `#folders [data-testid=folder][data-role=archive] a`)
	tb.waitFor(t, "the Archive folder", `location.pathname === "/m/Archive" && document.querySelector("#list [data-testid=folder-title]")?.textContent.trim() === "Archive"`)
	if top := tb.text(t, rowSel(0)+" .subject"); top != rows[i].Subject {
		t.Errorf("Archive starts with %q, want the archived %q", top, rows[i].Subject)
	}
	if tb.count(t, "[data-testid=bulk-archive]") != 0 {
		t.Error("the Archive folder offers to archive its messages")
	}
}

// TestKeyboardShortcuts drives the list and the message with the keys of
// the shortcut list.
func TestKeyboardShortcuts(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)
	rows := tb.listRows(t)

	kbd := func() []int {
		var at []int
		for i, r := range tb.listRows(t) {
			if r.Kbd {
				at = append(at, i)
			}
		}
		return at
	}
	tb.press(t, 'j')
	tb.press(t, 'j')
	if at := kbd(); !slices.Equal(at, []int{1}) {
		t.Fatalf("after j j the highlighted rows are %v, want the second one only", at)
	}
	if o := tb.num(t, `parseFloat(getComputedStyle(document.querySelector("#list .row.kbd > a")).outlineWidth)`); o == 0 {
		t.Error("the row picked with j is not visibly highlighted (no outline)")
	}
	tb.press(t, 'k')
	if at := kbd(); !slices.Equal(at, []int{0}) {
		t.Errorf("after k the highlighted rows are %v, want the first one", at)
	}
	tb.press(t, 'j')

	// Enter opens it, u goes back.
	tb.eval(t, `window.__marker = 1`, nil)
	tb.press(t, '\r')
	tb.waitFor(t, "Enter to open the second message", openMessage(rows[1].UID))
	tb.waitFor(t, "the URL to become the message's", `location.href === `+jsonString(rows[1].Href))
	tb.press(t, 'u')
	if !tb.waitUntil(t, `!document.querySelector("#message [data-testid=message]") && location.pathname === "/m/INBOX"`, 2*time.Second) {
		t.Errorf("u did not go back to the list: the message stays open at %s", tb.location(t))
	}
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("Enter or u reloaded the whole page")
	}

	// / goes to the search box, where keys are typed, not shortcuts.
	tb.press(t, '/')
	if !tb.truthy(t, `document.activeElement === document.querySelector("[data-testid=search-input]")`) {
		t.Fatalf("/ did not put the focus in the search box (the focus is on %s)", tb.str(t, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	if v := tb.value(t, "[data-testid=search-input]"); v != "" {
		t.Errorf("/ typed %q into the search box", v)
	}
	tb.press(t, 'j')
	if v := tb.value(t, "[data-testid=search-input]"); v != "j" {
		t.Errorf("typing j in the search box gave %q, want \"j\"", v)
	}
	if at := kbd(); !slices.Equal(at, []int{1}) {
		t.Errorf("typing j in the search box moved the highlight to %v, want it left on the second row", at)
	}
	tb.eval(t, `(() => { const s = document.querySelector("[data-testid=search-input]"); s.value = ""; s.blur(); })()`, nil)

	// ? shows and hides the list of shortcuts.
	tb.press(t, '?')
	if !tb.shown(t, "#shortcuts") {
		t.Error("? did not show the keyboard shortcuts")
	} else if r := tb.rect(t, "#shortcuts"); r.Top < 0 || r.Bottom > 800 || r.Right > 1280 {
		t.Errorf("the shortcuts box is off screen: %+v", r)
	}
	tb.press(t, '?')
	if tb.shown(t, "#shortcuts") {
		t.Error("a second ? did not hide the keyboard shortcuts")
	}

	// o opens the highlighted message; s flags it, e archives it, # deletes.
	tb.press(t, 'o')
	tb.waitFor(t, "o to open the second message", openMessage(rows[1].UID))
	if rows[1].Flagged {
		t.Fatalf("the second message %q is flagged already", rows[1].Subject)
	}
	tb.press(t, 's')
	tb.waitFor(t, "s to flag the message", `document.querySelector("#message [data-testid=unflag]")`)
	if tb.count(t, uidRow(rows[1].UID)+" [data-testid=mark-flagged]") != 1 {
		t.Error("after s the list row shows no flag")
	}
	if !tb.truthy(t, openMessage(rows[1].UID)) {
		t.Error("after s the flagged message is no longer open")
	}
	tb.press(t, 'e')
	tb.waitFor(t, "e to archive and open the next message", openMessage(rows[2].UID))
	if tb.count(t, uidRow(rows[1].UID)) != 0 {
		t.Error("after e the archived message is still in the list")
	}
	if _, a := w.mailbox(t, "Archive"); !slices.Contains(subjects(a), rows[1].Subject) {
		t.Errorf("after e %q is not in Archive", rows[1].Subject)
	}
	// As a person would, once htmx has taken over the new message's
	// buttons (a key pressed within the same few milliseconds posts the
	// plain form, which works but reloads the page).
	tb.waitFor(t, "htmx to process the next message's actions", `document.querySelector("#message [data-testid=message-actions][data-htmx-powered]")`)
	tb.press(t, '#')
	tb.waitFor(t, "# to delete and open the next message", openMessage(rows[3].UID))
	if _, tr := w.mailbox(t, "Trash"); !slices.Contains(subjects(tr), rows[2].Subject) {
		t.Errorf("after # %q is not in Trash", rows[2].Subject)
	}
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("a shortcut reloaded the whole page")
	}
}

// TestSearchJavaScript searches with htmx, shows an invalid search's
// error, and moves the found message by typing a folder name.
func TestSearchJavaScript(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)
	tb.eval(t, `window.__marker = 1`, nil)
	search := func(q string) {
		t.Helper()
		tb.eval(t, `document.querySelector("[data-testid=search-input]").value = ""`, nil)
		tb.typeInto(t, "[data-testid=search-input]", q)
		tb.click(t, "[data-testid=search-submit]")
	}

	// An unclosed quote: an error, and the text stays to be corrected.
	const bad = `subject:"Photos from`
	search(bad)
	tb.waitFor(t, "the search error", `document.querySelector("[data-testid=search-error]")`)
	if msg := tb.text(t, "[data-testid=search-error]"); msg == "" {
		t.Error("the search error is empty")
	}
	if v := tb.value(t, "[data-testid=search-input]"); v != bad {
		t.Errorf("after the error the search box holds %q, want %q", v, bad)
	}
	if !tb.truthy(t, `document.querySelector("[data-testid=search-input]").getAttribute("aria-invalid") === "true"`) {
		t.Error("the search box is not marked invalid")
	}

	const q = `subject:"Photos from the hike"`
	search(q)
	tb.waitFor(t, "the search results", `document.querySelector("#list [data-testid=result-count]") && !document.querySelector("[data-testid=search-error]")`)
	if got := tb.text(t, "#list [data-testid=result-count]"); got != "1 message matches" {
		t.Errorf("the result count says %q, want %q", got, "1 message matches")
	}
	if got := tb.text(t, "#list [data-testid=total]"); got == "1 messages" {
		t.Errorf("the list header says %q", got)
	}
	rows := tb.listRows(t)
	if len(rows) != 1 || rows[0].Subject != subjectPNG {
		t.Fatalf("the search shows %q, want only %q", subjectsOf(rows, 5), subjectPNG)
	}
	tb.waitFor(t, "the URL to carry the search", `new URLSearchParams(location.search).get("q") === `+jsonString(q))
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("searching reloaded the whole page")
	}
	if v := tb.value(t, "[data-testid=search-input]"); v != q {
		t.Errorf("the search box holds %q, want %q", v, q)
	}
	if u, err := url.Parse(rows[0].Href); err != nil || u.Query().Get("q") != q {
		t.Errorf("the result's link %s does not keep the search", rows[0].Href)
	}
	tb.screenshot(t, "search-results")

	// Open it and move it to Projects/Website, typed into the field.
	tb.click(t, rowSel(0))
	tb.waitFor(t, "the found message", openMessage(rows[0].UID))
	if u, _ := url.Parse(tb.location(t)); u.Query().Get("q") != q {
		t.Errorf("the open message's URL %s does not keep the search", u)
	}
	if back := tb.str(t, `document.querySelector("#message [data-testid=back]").href`); !strings.Contains(back, "q=") {
		t.Errorf("the message's back link %s does not return to the search", back)
	}
	if opts := tb.num(t, `document.querySelectorAll("#"+document.querySelector("#message [data-testid=dest]").getAttribute("list")+" option[value='Projects/Website']").length`); opts != 1 {
		t.Error("the move field's list does not offer Projects/Website")
	}
	tb.click(t, "#message [data-testid=more] summary")
	tb.typeInto(t, "#message [data-testid=dest]", "Projects/Website")
	tb.click(t, "#message [data-testid=move]")
	tb.waitNotice(t, "1 message moved to Website.")
	if tb.count(t, uidRow(rows[0].UID)) != 0 {
		t.Error("the moved message is still in the search results")
	}
	if tb.truthy(t, openMessage(rows[0].UID)) {
		t.Error("the moved message is still open")
	}
	if got := tb.text(t, "#list [data-testid=empty]"); got == "This folder is empty." {
		t.Errorf("a search without matches says %q, though the Inbox is not empty", got)
	}
	if s := tb.text(t, "#message [data-testid=msg-subject]"); s != "" {
		t.Errorf("after moving the only match of the search, the message %q opens, which the search does not find", s)
	}
	if _, web := w.mailbox(t, "Projects/Website"); !slices.Contains(subjects(web), subjectPNG) {
		t.Errorf("%q is not in Projects/Website after moving it there", subjectPNG)
	}
	if _, in := w.mailbox(t, "INBOX"); slices.Contains(subjects(in), subjectPNG) {
		t.Errorf("%q is still in INBOX after moving it", subjectPNG)
	}
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("moving reloaded the whole page")
	}

	// Projects/Website lists it.
	tb.navigate(t, w.url+"/m/"+url.PathEscape("Projects/Website"))
	tb.waitFor(t, "Projects/Website", `document.querySelector("#list [data-testid=row]")`)
	if !slices.Contains(subjectsOf(tb.listRows(t), 50), subjectPNG) {
		t.Errorf("Projects/Website does not list %q", subjectPNG)
	}
}

// TestBulkNoJavaScript organises mail with scripts off: plain forms and
// full page loads.
func TestBulkNoJavaScript(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "disabling JavaScript", chromedp.EmulateViewport(1280, 800), chromedp.ActionFunc(disableScripts))
	tb.login(t, w)
	if tb.truthy(t, `typeof htmx !== "undefined"`) {
		t.Fatal("htmx ran although scripts are disabled")
	}
	rows := tb.listRows(t)

	// Archive two and undo.
	tb.tick(t, rows[0].UID)
	tb.tick(t, rows[3].UID)
	tb.click(t, "[data-testid=bulk-archive]")
	tb.waitNotice(t, "2 messages archived.")
	if u, _ := url.Parse(tb.location(t)); u.Path != "/m/INBOX" {
		t.Errorf("after archiving the browser shows %s, want /m/INBOX", u)
	}
	for _, r := range []listRow{rows[0], rows[3]} {
		if tb.count(t, uidRow(r.UID)) != 0 {
			t.Errorf("the archived %q is still in the list", r.Subject)
		}
	}
	if !tb.shown(t, "[data-testid=undo]") {
		t.Fatal("no Undo button after archiving")
	}
	tb.click(t, "[data-testid=undo]")
	tb.waitNotice(t, "Undone: 2 messages are back.")
	// Back in the list (on top: moving gives them new UIDs, and the list
	// is in arrival order).
	got := subjectsOf(tb.listRows(t), 4)
	for _, r := range []listRow{rows[0], rows[3]} {
		if !slices.Contains(got, r.Subject) {
			t.Errorf("after Undo %q is not back in the list (it starts with %q)", r.Subject, got)
		}
	}

	// In Trash, Delete asks first, then deletes for good.
	tb.click(t, `#folders [data-testid=folder][data-role=trash] a`)
	tb.waitFor(t, "the Trash", `location.pathname === "/m/Trash" && document.querySelector("#list [data-testid=row]")`)
	_, trash := w.mailbox(t, "Trash")
	trows := tb.listRows(t)
	tb.tick(t, trows[0].UID)
	if got := tb.text(t, "[data-testid=bulk-delete]"); got != "Delete for good" {
		t.Errorf("the Trash's delete button says %q, want %q", got, "Delete for good")
	}
	tb.click(t, "[data-testid=bulk-delete]")
	tb.waitFor(t, "the confirmation", `document.querySelector("[data-testid=confirm]")`)
	if got, want := tb.text(t, "[data-testid=confirm-question]"), "Delete 1 message for good? This cannot be undone."; got != want {
		t.Errorf("the confirmation asks %q, want %q", got, want)
	}
	if _, tr := w.mailbox(t, "Trash"); len(tr) != len(trash) {
		t.Fatalf("Trash holds %d messages before confirming, want %d", len(tr), len(trash))
	}
	tb.click(t, "[data-testid=confirm-yes]")
	tb.waitNotice(t, "1 message deleted for good.")
	if u, _ := url.Parse(tb.location(t)); u.Path != "/m/Trash" {
		t.Errorf("after deleting the browser shows %s, want /m/Trash", u)
	}
	if tb.count(t, uidRow(trows[0].UID)) != 0 {
		t.Error("the deleted message is still in the Trash list")
	}
	if _, tr := w.mailbox(t, "Trash"); len(tr) != len(trash)-1 {
		t.Errorf("Trash holds %d messages after deleting one, want %d", len(tr), len(trash)-1)
	}

	// Search: a plain GET form.
	const q = `subject:"Photos from the hike"`
	tb.click(t, `#folders [data-testid=folder][data-role=inbox] a`)
	tb.waitFor(t, "the inbox", `location.pathname === "/m/INBOX" && document.querySelector("#list [data-testid=row]")`)
	tb.typeInto(t, "[data-testid=search-input]", q)
	tb.click(t, "[data-testid=search-submit]")
	tb.waitFor(t, "the search results page", `new URLSearchParams(location.search).get("q") === `+jsonString(q)+` && document.querySelector("[data-testid=result-count]")`)
	if got := subjectsOf(tb.listRows(t), 5); !slices.Equal(got, []string{subjectPNG}) {
		t.Errorf("the search shows %q, want only %q", got, subjectPNG)
	}
}

// TestOrganisePhone checks the bulk bar, the message actions and the move
// field on a 390×844 phone.
func TestOrganisePhone(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "emulating a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	tb.login(t, w)
	rows := tb.listRows(t)

	tb.tick(t, rows[1].UID)
	n, bad := tb.reachable(t, "[data-testid=bulkbar] button, [data-testid=bulkbar] a, [data-testid=bulkbar] input, #list .row > label")
	if n < 8 {
		t.Errorf("the bulk bar has %d controls, want at least 8", n)
	}
	for _, b := range bad {
		t.Errorf("list on a phone: %s", b)
	}
	tb.click(t, "[data-testid=search-options]") // the options fold away until asked for
	_, bad = tb.reachable(t, "[data-testid=search-form] input[type=search], [data-testid=search-form] label, [data-testid=search-form] select, [data-testid=search-form] button")
	for _, b := range bad {
		t.Errorf("search box on a phone: %s", b)
	}
	tb.eval(t, `scrollTo(0, 0); document.querySelector("#list").scrollTop = 0`, nil)
	tb.noHorizontalOverflow(t, "inbox with the bulk bar and the search box")
	tb.screenshotScreen(t, "list-phone")

	// Move the checked row by typing a folder name.
	tb.typeInto(t, "[data-testid=bulk-dest]", "Projects")
	tb.click(t, "[data-testid=bulk-move]")
	tb.waitNotice(t, "1 message moved to Projects.")
	if tb.count(t, uidRow(rows[1].UID)) != 0 {
		t.Error("the moved message is still in the list")
	}
	if _, p := w.mailbox(t, "Projects"); !slices.Contains(subjects(p), rows[1].Subject) {
		t.Errorf("%q is not in Projects after moving it there", rows[1].Subject)
	}
	tb.noHorizontalOverflow(t, "inbox with a notice")
	if _, bad := tb.reachable(t, "#list [data-testid=notice] button"); len(bad) > 0 {
		t.Errorf("the notice's Undo on a phone: %s", strings.Join(bad, "; "))
	}

	if tb.count(t, uidRow(rows[0].UID)) != 1 {
		t.Errorf("after moving the second message, the newest %q (UID %s) is missing from the list", rows[0].Subject, rows[0].UID)
	}

	// The message's actions, and moving from there.
	now := tb.listRows(t)
	tb.click(t, rowSel(0))
	tb.waitFor(t, "the message", openMessage(now[0].UID))
	tb.waitFor(t, "the message screen", `getComputedStyle(document.querySelector("#list")).display === "none"`)
	tb.click(t, "#message [data-testid=more] summary")
	n, bad = tb.reachable(t, "[data-testid=message-bar] a, [data-testid=message-bar] button, [data-testid=message-bar] summary, [data-testid=message-bar] input:not([type=hidden])")
	if n < 5 {
		t.Errorf("the message actions have %d controls, want at least 5", n)
	}
	for _, b := range bad {
		t.Errorf("message on a phone: %s", b)
	}
	tb.noHorizontalOverflow(t, "message with its actions")
	tb.typeInto(t, "#message [data-testid=dest]", "Projects/Website/Launch")
	tb.click(t, "#message [data-testid=move]")
	tb.waitFor(t, "the next message after moving", openMessage(now[1].UID))
	if _, l := w.mailbox(t, "Projects/Website/Launch"); !slices.Contains(subjects(l), now[0].Subject) {
		t.Errorf("%q is not in Projects/Website/Launch after moving it there", now[0].Subject)
	}
	if d := tb.display(t, "#message"); d == "none" {
		t.Error("after moving, the phone does not show the next message")
	}
	tb.phoneScreen(t, "next message after moving", "message")

	// u (a tablet's keyboard) goes back to the list.
	tb.press(t, 'u')
	if !tb.waitUntil(t, `getComputedStyle(document.querySelector("#list")).display !== "none" && !document.querySelector("#message [data-testid=message]")`, 2*time.Second) {
		t.Error("u on the phone layout did not go back to the list")
	}
}

// TestConversations groups the list into conversations and opens one.
func TestConversations(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)
	messages := tb.count(t, "#list [data-testid=row]")

	tb.click(t, "[data-testid=search-options]")
	tb.click(t, "[data-testid=threads]")
	tb.click(t, "[data-testid=search-submit]")
	tb.waitFor(t, "the conversations", `document.querySelector("#list [data-testid=conversation]")`)
	tb.waitFor(t, "the URL to keep threads=1", `new URLSearchParams(location.search).get("threads") === "1"`)
	convs := tb.count(t, "#list [data-testid=conversation]")
	if convs == 0 || convs >= messages {
		t.Errorf("%d conversations for %d messages, want fewer conversations than messages", convs, messages)
	}
	if !tb.truthy(t, `document.querySelector("[data-testid=threads]").checked`) {
		t.Error("the Conversations box is not checked in the grouped list")
	}
	// The grouped list offers the bulk bar: it must have something to act on.
	if tb.shown(t, "[data-testid=bulkbar]") && tb.count(t, "#list input[name=uid]") == 0 {
		t.Error("the conversation list shows the bulk bar (Select all, Archive…) but no row has a box to check: the bar can only fail with \"Select at least one message first.\"")
	}

	sel := "#list [data-testid=conversation]:has([data-testid=thread-count])"
	if tb.count(t, sel) == 0 {
		t.Fatal("no conversation has more than one message")
	}
	want, err := strconv.Atoi(tb.text(t, sel+" [data-testid=thread-count]"))
	if err != nil {
		t.Fatalf("thread count: %v", err)
	}
	subject := tb.text(t, sel+" .subject")
	convUID := tb.str(t, `document.querySelector(`+jsonString(sel)+`).dataset.uid`)
	wasUnread := tb.truthy(t, `document.querySelector(`+jsonString(sel)+`).classList.contains("unread")`)
	unreadBefore := tb.inboxUnread(t)
	tb.click(t, sel+" a")
	tb.waitFor(t, "the conversation", `document.querySelector("#message [data-testid=conversation-view]")`)
	// The list counts the folder's messages; the person's replies from Sent
	// come besides.
	if got := tb.count(t, "#message [data-testid=conv-message][data-folder=INBOX]"); got != want {
		t.Errorf("the conversation %q shows %d messages of the Inbox, the list said %d", subject, got, want)
	}
	if tb.count(t, "#message [data-testid=conv-message][open]") == 0 {
		t.Error("no message of the conversation is open")
	}
	if got := tb.text(t, "#message .msg-subject"); got != subject {
		t.Errorf("the conversation is titled %q, the list said %q", got, subject)
	}
	if wasUnread {
		// Opening marks its unread messages read, as opening a message does.
		row := fmt.Sprintf(`document.querySelector("#list [data-testid=conversation][data-uid='%s']")`, convUID)
		if !tb.waitUntil(t, `!`+row+`.classList.contains("unread")`, time.Second) {
			t.Errorf("the conversation %q, opened and so read, still looks unread in the list", subject)
		}
		if after := tb.inboxUnread(t); after >= unreadBefore {
			t.Errorf("opening the unread conversation %q left the Inbox unread count at %d (was %d)", subject, after, unreadBefore)
		}
	}
	tb.screenshot(t, "conversation")

	// j in the grouped list moves the highlight too.
	tb.eval(t, `document.activeElement?.blur()`, nil)
	tb.press(t, 'j')
	if tb.count(t, "#list .row.kbd") != 1 {
		t.Error("j does not highlight a conversation in the grouped list")
	}

	// A search with Conversations ticked still shows its matches.
	tb.eval(t, `document.querySelector("[data-testid=search-input]").value = ""`, nil)
	tb.typeInto(t, "[data-testid=search-input]", "subject:launch")
	tb.click(t, "[data-testid=search-submit]")
	tb.waitFor(t, "the search results", `new URLSearchParams(location.search).get("q") === "subject:launch" && document.querySelector("#list [data-testid=result-count]")`)
	count := tb.text(t, "#list [data-testid=result-count]")
	if shown := tb.count(t, "#list [data-testid=conversation], #list [data-testid=row]"); shown == 0 && !strings.HasPrefix(count, "0 ") {
		t.Errorf("a search with Conversations ticked shows no rows, though it says %q", count)
	}
}
