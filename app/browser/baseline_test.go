package browser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// withoutHas deletes every style rule whose selector uses :has(), at any
// depth (inside @media and @supports too), as a browser that does not
// know :has() drops them (Firefox ESR 115, Safari 14, Chrome 90). It
// returns how many it deleted.
const withoutHas = `(() => {
	let n = 0;
	const walk = owner => {
		for (let i = owner.cssRules.length - 1; i >= 0; i--) {
			const r = owner.cssRules[i];
			if (r.selectorText && r.selectorText.includes(":has(")) { owner.deleteRule(i); n++; }
			else if (r.cssRules) walk(r);
		}
	};
	for (const s of document.styleSheets) walk(s);
	return n;
})()`

// shown is true when the element matching sel takes room on the screen,
// inside the viewport's width.
func shown(sel string) string {
	return fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false;
		const r = e.getBoundingClientRect();
		return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth + 1; })()`, sel)
}

// TestWithoutHas uses the list and the message pane with every :has()
// rule removed from the stylesheet, on a desktop and a phone, with and
// without JavaScript: the bulk actions appear once a row is ticked, and
// an opened message shows.
func TestWithoutHas(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	for _, tc := range []struct {
		name          string
		js, phone     bool
		width, height int64
	}{
		{"desktop javascript", true, false, 1280, 800},
		{"desktop no javascript", false, false, 1280, 800},
		{"phone javascript", true, true, 390, 844},
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
			tb.num(t, withoutHas)
			if n := tb.num(t, withoutHas); n != 0 {
				t.Fatalf("%v :has() rules left after deleting them", n)
			}
			if tc.js && tb.truthy(t, shown("[data-testid=bulk-archive]")) {
				t.Error("with JavaScript the bulk actions show before any row is ticked")
			}
			tb.click(t, "#list [data-testid=row]:nth-child(2) label input")
			tb.waitFor(t, "the bulk actions after ticking a row", shown("[data-testid=bulk-archive]")+" && "+shown("[data-testid=bulk-delete]"))
			uid := tb.str(t, `document.querySelector("#list [data-testid=row]:nth-child(2)").dataset.uid`)
			tb.click(t, "[data-testid=bulk-archive]")
			tb.waitFor(t, "the archived row to leave the list", fmt.Sprintf(`document.querySelector("[data-testid=notice]") && !document.querySelector('#list [data-testid=row][data-uid="%s"]')`, uid))

			subject := tb.text(t, rowSel(0)+" .subject")
			tb.click(t, rowSel(0))
			tb.waitFor(t, "the message", `document.querySelector("#message [data-testid=msg-subject]")?.textContent.trim().replace(/\s+/g, " ") === `+jsonString(subject))
			if !tc.js {
				tb.num(t, withoutHas) // a new page, a new stylesheet
			}
			tb.waitFor(t, "the message pane", shown("#message [data-testid=msg-subject]"))
			if tc.phone && tb.display(t, "#list") != "none" {
				t.Error("on a phone the list still shows beside the opened message")
			}
			if tc.phone {
				// The subject first, the actions and the way back at the
				// bottom, under the thumb; the account in view.
				if top := tb.rect(t, "#message [data-testid=msg-subject]").Top; top > 120 {
					t.Errorf("on a phone the subject starts %.0f px down, want it first", top)
				}
				if bar := tb.rect(t, "#message [data-testid=message-bar]"); bar.Bottom < float64(tc.height)-1 || bar.Height > 80 {
					t.Errorf("on a phone the message's actions are at %+v, want a bar at the bottom", bar)
				}
				if !tb.truthy(t, shown("[data-testid=account]")) {
					t.Error("on a phone the account name is hidden")
				}
			}
			if !tc.phone && !tb.truthy(t, shown("#list [data-testid=row]")) {
				t.Error("on a desktop the list is gone beside the opened message")
			}
		})
	}
}

// withoutFlexGap deletes gap, row-gap and column-gap from every style rule
// (inside @media and @supports too) that styles no grid container, as
// Safari 14.0 ignores them on flex containers (flex gap came in 14.1). It
// returns how many rules it changed.
const withoutFlexGap = `(() => {
	let n = 0;
	const grid = sel => { try { return [...document.querySelectorAll(sel)].some(e => getComputedStyle(e).display.includes("grid")); } catch (e) { return false; } };
	const walk = owner => {
		for (const r of owner.cssRules) {
			if (r.cssRules) walk(r);
			if (!r.style || !(r.style.gap || r.style.rowGap || r.style.columnGap)) continue;
			if (r.style.display.includes("grid") || grid(r.selectorText)) continue;
			r.style.removeProperty("gap"); r.style.removeProperty("row-gap"); r.style.removeProperty("column-gap"); n++;
		}
	};
	for (const s of document.styleSheets) walk(s);
	return n;
})()`

// crowded lists the controls (links, buttons, fields, menus) shown inside
// the elements matching sel that overlap or come closer than 4 px to
// another on the same line. A control inside another, or in a closed
// <details>, is not compared.
func crowded(sel string) string {
	return fmt.Sprintf(`(() => {
	const name = e => (e.dataset.testid || e.getAttribute("aria-label") || e.textContent.trim().replace(/\s+/g, " ")).slice(0, 30);
	const cs = [...document.querySelectorAll(%q)].flatMap(b => [...b.querySelectorAll("a, button, input:not([type=hidden]), select, summary, label")])
		.filter(e => { const r = e.getBoundingClientRect(); return r.width > 1 && r.height > 1 && getComputedStyle(e).visibility !== "hidden"; })
		.filter(e => { const d = e.closest("details:not([open])"); return !d || e.parentElement === d && e.tagName === "SUMMARY"; });
	const out = [];
	for (let i = 0; i < cs.length; i++) for (let j = i + 1; j < cs.length; j++) {
		const a = cs[i], b = cs[j];
		if (a.contains(b) || b.contains(a) || (a.tagName === "LABEL" && a.control === b) || (b.tagName === "LABEL" && b.control === a)) continue;
		const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
		const vert = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
		if (vert <= 0) continue; // not on one line
		const apart = Math.max(q.left - p.right, p.left - q.right);
		if (apart < 4) out.push(name(a) + " / " + name(b) + ": " + Math.round(apart) + " px");
	}
	return out.join("; ");
})()`, sel)
}

// TestWithoutFlexGap uses the list, a message and compose with flex gap
// removed, as in Safari 14.0, on a desktop and a phone, with and without
// JavaScript: the controls of the list's header, search and bulk bar, the
// message's icon bar (at the bottom of a phone) and the compose bar are
// at least 4 px apart, and the list, message and form show.
func TestWithoutFlexGap(t *testing.T) {
	t.Parallel()
	w := newWebmail(t, demo.Options{})
	for _, tc := range []struct {
		name          string
		js, phone     bool
		width, height int64
	}{
		{"desktop javascript", true, false, 1280, 800},
		{"desktop no javascript", false, false, 1280, 800},
		{"phone javascript", true, true, 390, 844},
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
			check := func(screen, shows string, parts ...string) {
				t.Helper()
				if n := tb.num(t, withoutFlexGap); n == 0 {
					t.Fatalf("%s: no flex gap to remove", screen)
				}
				tb.screenshot(t, "without-flex-gap-"+screen+"-"+strings.ReplaceAll(tc.name, " ", "-"))
				if !tb.truthy(t, shown(shows)) {
					t.Errorf("%s: %s does not show", screen, shows)
				}
				for _, sel := range parts {
					if got := tb.str(t, crowded(sel)); got != "" {
						t.Errorf("%s: controls in %s too close: %s", screen, sel, got)
					}
				}
			}
			tb.navigate(t, w.url+"/m/INBOX")
			tb.waitFor(t, "the inbox", `document.querySelector("#list [data-testid=row]")`)
			tb.click(t, "#list [data-testid=row]:nth-child(2) label input")
			if !tc.js { // the bulk bar shows without JavaScript anyway
				tb.waitFor(t, "the row ticked", `document.querySelector("#list [data-testid=row]:nth-child(2) input[name=uid]").checked`)
			} else {
				tb.waitFor(t, "the bulk actions", shown("[data-testid=bulk-archive]"))
			}
			check("list", "#list [data-testid=row]", "#list .pane-head", "#list .searchbox", "#list [data-testid=bulkbar]")

			tb.navigate(t, w.url+w.messagePath(t, "INBOX", "Re: Dinner on Saturday?"))
			tb.waitFor(t, "the message", `document.querySelector("#message [data-testid=msg-subject]")`)
			check("message", "#message [data-testid=msg-subject]", "#message [data-testid=message-bar]")

			tb.navigate(t, w.url+"/compose")
			tb.waitFor(t, "the compose form", `document.querySelector("[data-testid=compose-form] textarea")`)
			check("compose", "[data-testid=compose-form] textarea", "[data-testid=compose-form] .compose-bar", "[data-testid=compose-form] .body-tools")
		})
	}
}
