// Package views holds the templ components of every page and fragment.
// Each page takes a typed params struct that embeds Base.
package views

import "context"

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
	// Density is the list density the person chose: "comfortable" (or "")
	// or "compact", which puts class="density-compact" on <body>.
	Density string
	// SkipTo is the id of the element the skip link leads to, SkipLabel
	// the message id of its words; empty: "Skip to content", to the page's <main id=content>.
	SkipTo, SkipLabel string
	// Forms: the page holds one of the forms styled by forms.css
	// (compose, settings, folder management, contacts).
	Forms bool
}

// withForms is b for a page with one of forms.css's forms.
func withForms(b Base) Base {
	b.Forms = true
	return b
}

func (b Base) skipTarget() string {
	if b.SkipTo == "" {
		return "content"
	}
	return b.SkipTo
}

func (b Base) skipLabel(ctx context.Context) string {
	switch b.SkipLabel {
	case "SkipToFolders":
		return T(ctx, "SkipToFolders")
	case "SkipToMessage":
		return T(ctx, "SkipToMessage")
	case "SkipToMessages":
		return T(ctx, "SkipToMessages")
	}
	return T(ctx, "SkipToContent")
}

// Assets are the hashed URLs of the static files.
type Assets struct {
	CSS, HTMX, SSE, JS, Icon, Sprite string // SSE: htmx's SSE extension
	Forms                            string // the forms' stylesheet: in the head of a page with one, added by app.js to the others
	Compose                          string // the compose form's script, loaded by app.js when needed
	Keys                             string // the keyboard shortcuts, loaded by app.js once the page has loaded
	Message                          string // the message view's script, loaded by app.js when a message is shown
}
