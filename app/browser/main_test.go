package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// One Chromium serves every test of the package; each test gets a tab in a
// browser context of its own (cookies, cache and proxy are per context).
var shared struct {
	once    sync.Once
	err     error // why there is no browser
	missing bool  // no Chromium binary at all
	ctx     context.Context
	stop    func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.stop != nil {
		shared.stop()
	}
	os.Exit(code)
}

func findChromium() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium, chromium-browser or google-chrome in PATH")
}

func startBrowser() {
	path, err := findChromium()
	if err != nil {
		shared.err, shared.missing = err, true
		return
	}
	dir, err := os.MkdirTemp("", "webmail-chromium-")
	if err != nil {
		shared.err = err
		return
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests may run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-hang-monitor", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("lang", "en-US"),
		// Keep the sandboxed message frame in the page's process, so that
		// its requests and dialogs are reported on the page's DevTools
		// session (Chromium otherwise isolates sandboxed frames). What is
		// tested, the iframe sandbox and CSP, does not depend on it.
		chromedp.Flag("disable-features", "IsolateSandboxedIframes,site-per-process,"+
			// Chromium's own calls home, which the recording proxy would
			// otherwise count against the page.
			"AutofillServerCommunication,Translate,OptimizationHints,OptimizationGuideModelDownloading,"+
			"CertificateTransparencyComponentUpdater,MediaRouter,DialMediaRouteProvider,InterestFeedContentSuggestions"),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-site-isolation-trials", true),
		// Nothing but loopback resolves: a request to another host fails
		// at once instead of waiting for DNS. (Each test's browser context
		// also sends such requests to a recording proxy, see newTab.)
		// localhost is the demo OpenID Connect provider's: a loopback site
		// other than the webmail's 127.0.0.1.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	// No timeout here: the browser lives as long as the context of its
	// first Run (chromedp's allocator bounds the start-up itself).
	if err := chromedp.Run(bctx); err != nil {
		bcancel()
		acancel()
		os.RemoveAll(dir)
		shared.err = fmt.Errorf("starting %s: %w", path, err)
		return
	}
	shared.ctx = bctx
	shared.stop = func() {
		cctx, cancel := context.WithTimeout(bctx, 5*time.Second)
		chromedp.Cancel(cctx)
		cancel()
		bcancel()
		acancel()
		os.RemoveAll(dir)
	}
}

// needBrowser returns the shared browser's context, skipping the test when
// there is no Chromium, unless it runs in CI, where that is a failure.
func needBrowser(t *testing.T) context.Context {
	t.Helper()
	shared.once.Do(startBrowser)
	if shared.err != nil {
		if shared.missing && os.Getenv("CI") == "" {
			t.Skipf("browser tests need Chromium: %v", shared.err)
		}
		t.Fatalf("browser tests need Chromium: %v", shared.err)
	}
	return shared.ctx
}

// tab is one browser tab in a fresh browser context.
type tab struct {
	ctx   context.Context // the tab's chromedp context, with the test's deadline
	proxy *recordingProxy
}

// newTab opens a tab in a new browser context whose proxy records every
// request to a host other than loopback (and fails it); Chromium never
// proxies loopback. The tab and its
// context are closed when the test ends; ctx carries a deadline of timeout.
func newTab(t *testing.T, timeout time.Duration) *tab {
	t.Helper()
	bctx := needBrowser(t)
	proxy := newRecordingProxy(t)
	ex := cdp.WithExecutor(bctx, chromedp.FromContext(bctx).Browser)
	id, err := target.CreateBrowserContext().WithProxyServer(proxy.url).Do(ex)
	if err != nil {
		t.Fatalf("creating a browser context: %v", err)
	}
	// chromedp's WithNewBrowserContext cannot be used: headless Chromium
	// only opens a tab in a new browser context in a new window.
	tid, err := target.CreateTarget("about:blank").WithBrowserContextID(id).WithNewWindow(true).Do(ex)
	if err != nil {
		target.DisposeBrowserContext(id).Do(ex)
		t.Fatalf("opening a tab: %v", err)
	}
	tctx, tcancel := chromedp.NewContext(bctx, chromedp.WithTargetID(tid))
	ctx, cancel := context.WithTimeout(tctx, timeout)
	t.Cleanup(func() {
		cancel()
		tcancel() // closes the tab
		dctx, dcancel := context.WithTimeout(bctx, 5*time.Second)
		defer dcancel()
		target.DisposeBrowserContext(id).Do(cdp.WithExecutor(dctx, chromedp.FromContext(bctx).Browser))
	})
	if err := chromedp.Run(ctx); err != nil { // attach
		t.Fatalf("attaching to the tab: %v", err)
	}
	return &tab{ctx: ctx, proxy: proxy}
}
