package app

import (
	"html"
	"net/url"
	"regexp"
)

// mailtoHref matches the href of a mailto link as the sanitiser and the
// text renderer write it: double-quoted, entity-escaped.
var mailtoHref = regexp.MustCompile(`href="(mailto:[^"]*)"`)

// composeLinks points mailto: links at this webmail's compose page, so
// they open a pre-filled message here instead of another mail program.
// base is the sub-path the webmail is served under (views.Root) for
// links in the page, or public_url for links in the sandboxed frame (which
// opens them in a new tab).
func composeLinks(s, base string) string {
	return mailtoHref.ReplaceAllStringFunc(s, func(m string) string {
		raw := html.UnescapeString(mailtoHref.FindStringSubmatch(m)[1])
		return `href="` + html.EscapeString(base+"/compose?mailto="+url.QueryEscape(raw)) + `"`
	})
}
