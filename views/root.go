package views

import (
	"context"
	"strings"

	"github.com/a-h/templ"
)

// The URL builders (urls.go, Place) give paths from the webmail's root:
// "/m/INBOX". Where the webmail is served under a sub-path (public_url
// "https://example.org/mail"), the browser must ask for "/mail/m/INBOX".
// Handlers and URL builders keep working with root paths, the request
// having had the sub-path taken off; the root is added where a URL leaves
// for the browser: in a page's attributes here (Path), and in the redirect
// headers the app writes. The root travels in the context, as the CSP
// nonce does (templ.WithNonce), because every component and fragment
// renders with the request's context and few of them take a Base.

type rootKey struct{}

// WithRoot returns ctx carrying root, the sub-path the webmail is served
// under ("/mail", or "" at the root of the host).
func WithRoot(ctx context.Context, root string) context.Context {
	return context.WithValue(ctx, rootKey{}, root)
}

// Root is the sub-path ctx carries: "" at the root of the host.
func Root(ctx context.Context) string {
	r, _ := ctx.Value(rootKey{}).(string)
	return r
}

// Path is u as the browser must request it: a local path ("/m/INBOX")
// gets the root in front; anything else (an absolute URL such as an OAuth
// provider's, "") is left as it is.
func Path(ctx context.Context, u string) string {
	if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") || strings.HasPrefix(u, `/\`) {
		return u
	}
	return Root(ctx) + u
}

// safePath is Path for href, action and formaction attributes.
func safePath(ctx context.Context, u string) templ.SafeURL {
	return templ.SafeURL(Path(ctx, u))
}
