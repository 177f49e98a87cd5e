package browser

import (
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// timing is one htmx navigation as the page's Performance API saw it, in
// milliseconds from the click.
type timing struct {
	Request  float64 // the request sent (fetch start)
	Response float64 // the first byte back: the server's time and the network
	Body     float64 // the last byte back
	Swapped  float64 // htmx:after:swap
	Settled  float64 // htmx:after:settle
	Painted  float64 // the next animation frame after settling
}

// measure clicks the link matching sel and times what follows, until
// done holds.
func (tb *tab) measure(t *testing.T, sel, done string) timing {
	t.Helper()
	tb.eval(t, fmt.Sprintf(`(() => {
		performance.clearResourceTimings();
		const m = window.__m = {};
		const at = name => () => { if (!(name in m)) m[name] = performance.now() - m.click; };
		document.addEventListener("htmx:after:swap", at("Swapped"), {once: true});
		document.addEventListener("htmx:after:settle", () => { at("Settled")(); requestAnimationFrame(() => setTimeout(at("Painted"))); }, {once: true});
		m.click = performance.now();
		document.querySelector(%q).click();
	})()`, sel), nil)
	tb.waitFor(t, "the page to be shown", done+` && window.__m && "Painted" in window.__m`)
	var tm timing
	tb.eval(t, `(() => { const m = window.__m;
		const r = performance.getEntriesByType("resource").filter(e => e.initiatorType === "fetch" && !e.name.includes("/events"))[0];
		return {Request: r ? r.fetchStart - m.click : -1, Response: r ? r.responseStart - m.click : -1, Body: r ? r.responseEnd - m.click : -1,
			Swapped: m.Swapped, Settled: m.Settled, Painted: m.Painted}; })()`, &tm)
	return tm
}

// TestSpeed reports (never asserts) how long switching folders and
// opening a message take in Chromium, and where the time goes. It runs
// when WEBMAIL_SPEED is set: go test -run TestSpeed -v ./app/browser.
func TestSpeed(t *testing.T) {
	if os.Getenv("WEBMAIL_SPEED") == "" {
		t.Skip("set WEBMAIL_SPEED to measure folder switches and message opening")
	}
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, 3*time.Minute)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)
	var folder, message []timing
	for i := 0; i < 10; i++ {
		folder = append(folder, tb.measure(t, `#folders [data-role=archive] a`, `location.pathname === "/m/Archive"`))
		folder = append(folder, tb.measure(t, `#folders [data-role=inbox] a`, `location.pathname === "/m/INBOX"`))
		message = append(message, tb.measure(t, fmt.Sprintf(`#list [data-testid=row]:nth-child(%d) a`, i+1), `document.querySelector("#message [data-testid=message]")`))
	}
	report := func(what string, ts []timing) {
		med := func(f func(timing) float64) float64 {
			v := make([]float64, len(ts))
			for i, x := range ts {
				v[i] = f(x)
			}
			sort.Float64s(v)
			return v[len(v)/2]
		}
		t.Logf("%s (median of %d, ms from the click): request sent %.0f, first byte %.0f, last byte %.0f, swapped %.0f, settled %.0f, painted %.0f",
			what, len(ts), med(func(x timing) float64 { return x.Request }), med(func(x timing) float64 { return x.Response }),
			med(func(x timing) float64 { return x.Body }), med(func(x timing) float64 { return x.Swapped }),
			med(func(x timing) float64 { return x.Settled }), med(func(x timing) float64 { return x.Painted }))
	}
	report("switching folders", folder)
	report("opening a message", message)
}
