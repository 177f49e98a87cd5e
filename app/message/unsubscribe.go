package message

import (
	"bufio"
	"bytes"
	"io"
	"net/url"
	"strings"
	"unicode"

	"github.com/emersion/go-message/textproto"

	"webmail"
)

// UnsubscribeFields are the header fields ParseUnsubscribe reads; the
// message view fetches them with the envelope.
var UnsubscribeFields = []string{"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"}

// maxUnsubscribeURI bounds one URI of List-Unsubscribe; longer ones are
// ignored.
const maxUnsubscribeURI = 2048

// ParseUnsubscribe reads the List-Unsubscribe (RFC 2369),
// List-Unsubscribe-Post (RFC 8058) and List-Id (RFC 2919) fields of a
// header block. It keeps the first mailto: URI and the first http(s) URI;
// the https one is also OneClick when the list accepts the one-click
// POST. URIs with a user name or password, without a host, or of any
// other scheme are ignored.
func ParseUnsubscribe(raw []byte) webmail.Unsubscribe {
	if len(raw) > maxHeaderBlock {
		raw = raw[:maxHeaderBlock]
	}
	h, _ := textproto.ReadHeader(bufio.NewReader(io.MultiReader(bytes.NewReader(raw), strings.NewReader("\r\n\r\n"))))
	var u webmail.Unsubscribe
	var https string
	for _, v := range h.Values("List-Unsubscribe") {
		for _, uri := range angleURIs(v) {
			p, err := url.Parse(uri)
			if err != nil {
				continue
			}
			switch strings.ToLower(p.Scheme) {
			case "mailto":
				if u.Mailto == "" && p.Opaque != "" {
					u.Mailto = uri
				}
			case "https", "http":
				if p.Host == "" || p.User != nil {
					continue
				}
				if u.Web == "" {
					u.Web = uri
				}
				if https == "" && strings.EqualFold(p.Scheme, "https") {
					https = uri
				}
			}
		}
	}
	for _, v := range h.Values("List-Unsubscribe-Post") {
		if strings.EqualFold(strings.TrimSpace(v), "List-Unsubscribe=One-Click") && https != "" {
			u.OneClick = https
		}
	}
	if u.Offered() {
		u.List = listName(h.Get("List-Id"))
	}
	return u
}

// angleURIs returns the URIs of a List-Unsubscribe value: each between
// angle brackets, with the whitespace inside removed (RFC 2369 allows a
// long URI to be folded).
func angleURIs(v string) []string {
	var out []string
	for len(out) < 8 {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			break
		}
		uri := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, v[i+1:i+j])
		if uri != "" && len(uri) <= maxUnsubscribeURI {
			out = append(out, uri)
		}
		v = v[i+j+1:]
	}
	return out
}

// listName is the name a List-Id gives the list: its phrase
// ("Example News <news.example.com>"), else its identifier.
func listName(v string) string {
	v, _ = wordDecoder.DecodeHeader(v)
	v = strings.TrimSpace(v)
	name, id := v, ""
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		name = strings.TrimSpace(v[:i])
		id, _, _ = strings.Cut(v[i+1:], ">")
	}
	name = strings.TrimSpace(strings.Trim(name, `"`))
	if name == "" {
		name = strings.TrimSpace(id)
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100]) + "…"
	}
	return name
}
