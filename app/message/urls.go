package message

import (
	"net/url"
	"regexp"
	"strings"
)

type urlKind uint8

const (
	urlBad       urlKind = iota // anything not allowed: javascript:, relative, ...
	urlRemote                   // http:, https: or protocol-relative
	urlCID                      // cid: reference to a part of the message
	urlDataImage                // data:image/...;base64,...
	urlMailto                   // mailto:
)

type classifiedURL struct {
	kind  urlKind
	clean string // canonical URL to write out (remote, data image, mailto)
	cid   string // content ID for urlCID, without angle brackets
}

// classifyURL reads a URL the way a browser's URL parser would (leading
// and trailing controls and spaces ignored, tabs and newlines anywhere
// removed, scheme case-insensitive) and says what kind it is. Because the
// decision is made on the browser's reading, "jav&#x09;ascript:" or
// " JaVaScRiPt:" are just as bad as "javascript:".
func classifyURL(raw string) classifiedURL {
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= 0x20 })
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	}
	if strings.HasPrefix(s, "//") || strings.HasPrefix(s, `\\`) || strings.HasPrefix(s, `/\`) || strings.HasPrefix(s, `\/`) {
		// Protocol-relative: the frame has no base URL to resolve it
		// against, so treat it as https.
		return remoteURL("https:" + "//" + strings.TrimLeft(s, `/\`))
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !validScheme(scheme) {
		return classifiedURL{kind: urlBad}
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		return remoteURL(s)
	case "cid":
		id, err := url.PathUnescape(rest)
		if err != nil {
			id = rest
		}
		id = strings.TrimSpace(id)
		id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
		if id == "" {
			return classifiedURL{kind: urlBad}
		}
		return classifiedURL{kind: urlCID, cid: id}
	case "data":
		if d, ok := cleanDataImage(s); ok {
			return classifiedURL{kind: urlDataImage, clean: d}
		}
	case "mailto":
		u, err := url.Parse("mailto:" + rest)
		if err != nil || u.Opaque == "" && u.RawQuery == "" {
			return classifiedURL{kind: urlBad}
		}
		return classifiedURL{kind: urlMailto, clean: escapeSpaces(u.String())}
	}
	return classifiedURL{kind: urlBad}
}

func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

func remoteURL(s string) classifiedURL {
	u, err := url.Parse(s) // lower-cases the scheme
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return classifiedURL{kind: urlBad}
	}
	return classifiedURL{kind: urlRemote, clean: escapeSpaces(u.String())}
}

// escapeSpaces percent-encodes the spaces and control characters that
// url.URL.String leaves in queries, so that the URL is one token.
func escapeSpaces(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var dataImagePrefix = regexp.MustCompile(`(?i)^data:image/(png|gif|jpeg|jpg|pjpeg|webp|bmp|avif|x-icon|vnd\.microsoft\.icon)((?:;[a-z0-9._-]+=[a-z0-9._-]*)*);base64,`)

// cleanDataImage accepts a base64 data: URL of a raster image type and
// returns it in canonical form (lower-case type, no parameters, no
// whitespace). SVG and every non-image type are refused.
func cleanDataImage(s string) (string, bool) {
	m := dataImagePrefix.FindStringSubmatchIndex(s)
	if m == nil {
		return "", false
	}
	typ := strings.ToLower(s[m[2]:m[3]])
	payload := s[m[1]:]
	var b strings.Builder
	b.Grow(len("data:image/;base64,") + len(typ) + len(payload))
	b.WriteString("data:image/")
	b.WriteString(typ)
	b.WriteString(";base64,")
	n := 0
	for i := 0; i < len(payload); i++ {
		c := payload[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
			b.WriteByte(c)
			n++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
		default:
			return "", false
		}
	}
	if n == 0 {
		return "", false
	}
	return b.String(), true
}
