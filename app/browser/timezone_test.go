package browser

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// TestBrowserTimeZone: with JavaScript, the browser's own zone reaches the
// server (app.js sets the tz cookie), which shows dates in it from the
// next page on and says so in the settings.
func TestBrowserTimeZone(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the time zone", chromedp.ActionFunc(func(ctx context.Context) error {
		return emulation.SetTimezoneOverride("Asia/Tokyo").Do(ctx)
	}))
	tb.login(t, w)
	tb.waitFor(t, "the tz cookie", `document.cookie.split("; ").includes("tz=Asia/Tokyo")`)
	tb.navigate(t, w.url+"/settings/sending")
	if got, want := tb.text(t, "[data-testid=tz-in-use]"), "Dates are shown in Asia/Tokyo (this browser's zone)."; got != want {
		t.Errorf("settings say %q, want %q", got, want)
	}
}
