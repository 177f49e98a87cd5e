package browser

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// TestManageFolders creates a folder inside a nested one, renames it,
// unsubscribes and subscribes it, deletes it and empties Junk, with
// JavaScript on and off: every button posts to its own route, a nested
// folder's full name one escaped segment of it.
func TestManageFolders(t *testing.T) {
	for _, js := range []bool{true, false} {
		name := "JavaScript on"
		if !js {
			name = "JavaScript off"
		}
		t.Run(name, func(t *testing.T) {
			w := newWebmail(t, demo.Options{})
			tb := newTab(t, testTimeout)
			tb.run(t, "a desktop window", chromedp.EmulateViewport(1280, 800))
			if !js {
				tb.run(t, "disabling JavaScript", chromedp.ActionFunc(disableScripts))
			}
			tb.login(t, w)
			tb.navigate(t, w.url+"/folders/manage")
			tb.waitFor(t, "the folder management page", `document.querySelector("[data-testid=create-form]")`)
			if got := tb.truthy(t, `typeof htmx !== "undefined"`); got != js {
				t.Fatalf("htmx loaded: %v, want %v", got, js)
			}

			tb.run(t, "filling in the create form",
				chromedp.SendKeys("[data-testid=create-name]", "Receipts", chromedp.ByQuery),
				chromedp.SetValue("[data-testid=create-parent]", "Projects/Website", chromedp.ByQuery),
			)
			tb.click(t, "[data-testid=create-submit]")
			tb.waitManageNotice(t, "Folder Projects/Website/Receipts created.")

			tb.click(t, `[data-folder="Projects/Website/Receipts"] [data-testid=edit]`)
			tb.waitFor(t, "the rename form", `document.querySelector("[data-testid=rename-form]")`)
			tb.run(t, "renaming", chromedp.SetValue("[data-testid=rename-name]", "Bills", chromedp.ByQuery))
			tb.click(t, "[data-testid=rename-submit]")
			tb.waitManageNotice(t, "Folder Projects/Website/Receipts is now Projects/Website/Bills.")

			tb.click(t, `[data-folder="Projects/Website/Bills"] [data-testid=unsubscribe]`)
			tb.waitManageNotice(t, "Unsubscribed from Bills.")
			tb.click(t, `[data-folder="Projects/Website/Bills"] [data-testid=subscribe]`)
			tb.waitManageNotice(t, "Subscribed to Bills.")

			tb.click(t, `[data-folder="Projects/Website/Bills"] [data-testid=edit]`)
			tb.click(t, "[data-testid=delete]")
			tb.waitFor(t, "the question before deleting", `document.querySelector("[data-testid=confirm]")`)
			if q := tb.text(t, "[data-testid=confirm-question]"); !strings.Contains(q, "Projects/Website/Bills") {
				t.Errorf("the question is %q", q)
			}
			tb.click(t, "[data-testid=confirm-yes]")
			tb.waitManageNotice(t, "Folder Projects/Website/Bills deleted.")
			if n := tb.count(t, `[data-folder="Projects/Website/Bills"]`); n != 0 {
				t.Error("the deleted folder is still listed")
			}

			tb.click(t, "[data-folder=Junk] [data-testid=empty]")
			tb.waitFor(t, "the question before emptying", `document.querySelector("[data-testid=confirm]")`)
			tb.click(t, "[data-testid=confirm-yes]")
			tb.waitFor(t, "the notice that Junk is empty", `/^Junk emptied: \d+ messages? deleted for good\.$/.test(document.querySelector("[data-testid=manage-notice]")?.textContent.trim())`)
			if got := tb.text(t, "[data-folder=Junk] [data-testid=manage-count]"); got != "0 messages" {
				t.Errorf("Junk counts %q", got)
			}
		})
	}
}

// waitManageNotice waits for the folder management page to show want.
func (tb *tab) waitManageNotice(t *testing.T, want string) {
	t.Helper()
	tb.waitFor(t, "the notice "+jsonString(want),
		`location.pathname === "/folders/manage" && (document.querySelector("[data-testid=manage-notice]")?.textContent ?? "").trim() === `+jsonString(want))
}
