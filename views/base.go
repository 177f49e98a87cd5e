// Package views holds the templ components of every page and fragment.
// Each page takes a typed params struct that embeds Base.
package views

// Base is what every full page needs.
type Base struct {
	Title   string
	Account string // the logged-in login name, "" on public pages
	Assets  Assets
	Flash   string // a one-time notice shown at the top
	// Refresh, if set, is a URL the page moves on to at once (a <meta>
	// refresh: no JavaScript needed): the mailbox after an OAuth sign-in,
	// the provider before one.
	Refresh string
	// Theme is the colour scheme chosen in this browser: "light", "dark",
	// or "" for the system's (prefers-color-scheme).
	Theme string
	// Density of the message list: "comfortable" or "compact".
	Density string
}

// Assets are the hashed URLs of the static files.
type Assets struct {
	CSS, HTMX, SSE, JS, Icon, Sprite string // SSE: htmx's SSE extension
}
