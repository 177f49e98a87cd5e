package browser

import (
	"testing"

	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// headLines is how many lines the list header's shown parts take: parts
// whose vertical middles lie within 8 px of each other share a line.
const headLines = `(() => {
	const mids = [...document.querySelector("#list .pane-head").children]
		.filter(e => getComputedStyle(e).position !== "fixed") // a phone's floating Write
		.map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0)
		.map(r => (r.top + r.bottom) / 2).sort((a, b) => a - b);
	let lines = 0, last = -1e9;
	for (const m of mids) { if (m - last > 8) lines++; last = m; }
	return lines;
})()`

// TestListHeader looks at the list's header (the folder's name, its
// count, Check for new mail, Write): one line at 1280 px with JavaScript
// on and off, nothing past the pane's edge on a phone.
func TestListHeader(t *testing.T) {
	t.Parallel()
	w := newWebmail(t, demo.Options{})
	for _, tc := range []struct {
		name          string
		js, phone     bool
		width, height int64
	}{
		{"desktop javascript", true, false, 1280, 800},
		{"desktop no javascript", false, false, 1280, 800},
		{"phone no javascript", false, true, 390, 844},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := newTab(t, testTimeout)
			if tc.phone {
				tb.run(t, "emulating a phone", chromedp.EmulateViewport(tc.width, tc.height, chromedp.EmulateMobile))
			} else {
				tb.run(t, "setting the viewport", chromedp.EmulateViewport(tc.width, tc.height))
			}
			if !tc.js {
				tb.run(t, "disabling JavaScript", chromedp.ActionFunc(disableScripts))
			}
			tb.login(t, w)
			tb.navigate(t, w.url+"/m/INBOX")
			tb.waitFor(t, "the inbox", `document.querySelector("#list [data-testid=row]")`)
			tb.waitFor(t, "the header's buttons", shown("#list [data-testid=check-mail]"))
			lines := tb.num(t, headLines)
			if !tc.phone && lines != 1 {
				t.Errorf("the list's header takes %v lines at %d px, want 1 (height %.0f px)", lines, tc.width, tb.rect(t, "#list .pane-head").Height)
			}
			if tc.phone && lines > 2 {
				t.Errorf("the list's header takes %v lines on a phone, want at most 2", lines)
			}
			if got := tb.str(t, `[...document.querySelector("#list .pane-head").children].filter(e => { const r = e.getBoundingClientRect(), p = e.parentElement.getBoundingClientRect(); return r.width > 0 && (r.left < p.left - 1 || r.right > p.right + 1); }).map(e => e.dataset.testid || e.className).join(", ")`); got != "" {
				t.Errorf("past the header's edge: %s", got)
			}
		})
	}
}
