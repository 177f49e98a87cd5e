// Package browser holds the webmail's end-to-end tests: they drive a
// headless Chromium (with chromedp) against the real application and the
// in-process demo mail server. The package has no code of its own; see the
// _test.go files.
//
// Chromium is required in CI (the CI environment variable set): without it
// the tests fail there, and are skipped elsewhere. Set WEBMAIL_SCREENSHOTS to
// write screenshots of the main screens to testdata/screenshots/.
package browser
