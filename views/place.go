package views

import (
	"net/url"
	"strconv"
)

// Place is where a person is in a folder: the page, the search and the
// sort. Every link and form that leaves the list carries it, so actions
// and Back return to the same place.
type Place struct {
	Mailbox string
	Page    int
	Query   string // the search box text
	All     bool   // search all folders
	Sort    string // "", "date", "-date", "from", ... ("-" descending is the default for dates)
	Threads bool   // grouped into conversations
	// ThreadsOff says that a list not grouped must say so in its URL
	// (threads=0): grouping is the person's default (Settings.Conversations).
	ThreadsOff bool
}

// Values are the place's query parameters (without the mailbox).
func (p Place) Values() url.Values {
	v := url.Values{}
	if p.Page > 1 {
		v.Set("page", strconv.Itoa(p.Page))
	}
	if p.Query != "" {
		v.Set("q", p.Query)
	}
	if p.All {
		v.Set("scope", "all")
	}
	if p.Sort != "" {
		v.Set("sort", p.Sort)
	}
	if p.Threads {
		v.Set("threads", "1")
	} else if p.ThreadsOff {
		v.Set("threads", "0")
	}
	return v
}

// Suffix is "?page=…&q=…" or "", for links that keep the place.
func (p Place) Suffix() string {
	if enc := p.Values().Encode(); enc != "" {
		return "?" + enc
	}
	return ""
}

// URL is the list at this place.
func (p Place) URL() string {
	return "/m/" + url.PathEscape(p.Mailbox) + p.Suffix()
}

// At is the same place on another page.
func (p Place) At(page int) Place {
	p.Page = page
	return p
}

// hiddenPlace lists the place as hidden form fields.
func (p Place) hidden() []Hidden {
	var out []Hidden
	for k, vs := range p.Values() {
		for _, v := range vs {
			out = append(out, Hidden{Name: k, Value: v})
		}
	}
	return out
}

// BySize reports whether the list is in order of size, so that its rows
// show each message's size.
func (p Place) BySize() bool { return p.Sort == "size" || p.Sort == "-size" }
