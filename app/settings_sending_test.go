package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// TestSettingsSendingForms: each form of the sending settings posts to its
// own route; no field picks the verb.
func TestSettingsSendingForms(t *testing.T) {
	_, c := loggedIn(t)
	doc := c.page(t, "/settings/sending", http.StatusOK)
	if n := doc.Find("[name=action]").Length(); n != 0 {
		t.Errorf("%d fields named action", n)
	}
	got := map[string]string{}
	doc.Find("[data-testid=settings-sending] form").Each(func(_ int, f *goquery.Selection) {
		id := f.AttrOr("data-testid", "")
		if f.Find("[data-testid=smtp-forget]").Length() > 0 {
			id = "forget"
		}
		got[id] = f.AttrOr("action", "")
	})
	want := map[string]string{"smtp-form": "/settings/sending", "forget": "/settings/sending/forget", "name-form": "/settings/sending/name", "tz-form": "/settings/timezone", "theme-form": "/settings/theme"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("form targets (-want +got):\n%s", diff)
	}
}

// TestSettingsSendingForget: the page tells the browser to drop its
// sealed credentials; the server had none to forget.
func TestSettingsSendingForget(t *testing.T) {
	_, c := loggedIn(t)
	doc := c.page(t, "/settings/sending", http.StatusOK)
	if doc.Find("[data-smtp-clear]").Length() != 0 {
		t.Fatal("the settings page clears the credentials unasked")
	}
	resp := c.submit(t, doc.Find("[data-testid=smtp-forget]").Closest("form"))
	doc = parse(t, resp, http.StatusOK)
	if doc.Find("[data-smtp-clear]").Length() != 1 {
		t.Error("the browser is not told to drop its credentials")
	}
	if got := text(doc.Find("[data-testid=settings-saved]")); got != "This browser no longer holds SMTP credentials." {
		t.Errorf("notice = %q", got)
	}
}

// TestSettingsSendingName: the name is kept in this browser and shown
// again; a name with a line break or too long comes back with 422, kept.
func TestSettingsSendingName(t *testing.T) {
	_, c := loggedIn(t)
	name := func(doc *goquery.Document) string { return doc.Find("#display_name").AttrOr("value", "") }
	resp := c.do(t, "POST", "/settings/sending/name", url.Values{"display_name": {"  Alice Liddell "}})
	doc := parse(t, resp, http.StatusOK)
	if got := text(doc.Find("[data-testid=settings-saved]")); got != "Your name is saved in this browser." {
		t.Errorf("notice = %q", got)
	}
	if got := name(c.page(t, "/settings/sending", http.StatusOK)); got != "Alice Liddell" {
		t.Errorf("name shown afterwards = %q", got)
	}
	for _, bad := range []string{"Alice\nBcc: eve@example.net", strings.Repeat("a", 101)} {
		resp := c.do(t, "POST", "/settings/sending/name", url.Values{"display_name": {bad}})
		doc := parse(t, resp, http.StatusUnprocessableEntity)
		if got := text(doc.Find("[data-testid=settings-error]")); !strings.Contains(got, "control characters") {
			t.Errorf("%q: error = %q", bad, got)
		}
		if got := name(doc); got != bad {
			t.Errorf("%q: input not kept: %q", bad, got)
		}
	}
	if got := name(c.page(t, "/settings/sending", http.StatusOK)); got != "Alice Liddell" {
		t.Errorf("name after refusals = %q", got)
	}
}
