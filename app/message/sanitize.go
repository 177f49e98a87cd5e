package message

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// SanitizeOptions controls what SanitizeHTML keeps besides the fixed
// allow-list.
type SanitizeOptions struct {
	// AllowRemote keeps http and https images and CSS url() backgrounds.
	// When false they are removed and Sanitized.RemoteBlocked is set.
	AllowRemote bool
	// CID maps the content ID of a cid: reference (without angle
	// brackets) to the data: URI of that part. A src it returns must be a
	// base64 data: URI of a raster image, anything else is ignored. Nil
	// means cid: images are dropped.
	CID func(contentID string) (src string, ok bool)
}

// Sanitized is the result of SanitizeHTML.
type Sanitized struct {
	// HTML is a fragment safe to place in the body of the sandboxed frame
	// document: a <style> element with the filtered style sheets of the
	// mail (if any), then the filtered markup.
	HTML string
	// RemoteBlocked reports that remote content (images, CSS backgrounds)
	// was removed that AllowRemote would have kept.
	RemoteBlocked bool
	// CIDs lists the content IDs the markup showed through the CID mapper,
	// in order of first use. Parts of Layout.Inline not in this list were
	// not shown and belong with the attachments (see Layout.ResolveInline).
	CIDs []string
}

// maxHTMLDepth is the deepest element nesting written out; deeper elements
// are unwrapped so that the output cannot trip browser nesting limits
// (which would make the browser's tree differ from the one checked here).
const maxHTMLDepth = 200

// dropWithContent are elements removed together with everything inside
// them: active content, foreign content (also caught by namespace), form
// controls and every element whose content the HTML parser treats as raw
// text or that browsers re-parse differently (noscript, template, ...).
var dropWithContent = map[string]bool{
	"script": true, "noscript": true, "template": true, "noembed": true,
	"noframes": true, "xmp": true, "plaintext": true, "iframe": true,
	"frame": true, "frameset": true, "object": true, "embed": true,
	"applet": true, "param": true, "svg": true, "math": true, "title": true,
	"meta": true, "link": true, "base": true, "textarea": true,
	"select": true, "option": true, "optgroup": true, "datalist": true,
	"input": true, "keygen": true, "audio": true, "video": true,
	"source": true, "track": true, "canvas": true, "map": true, "area": true,
	"portal": true, "fencedframe": true, "dialog": true, "slot": true,
	"image": true, "isindex": true, "bgsound": true, "selectedcontent": true,
}

// attrRule says which values an attribute may take.
type attrRule uint8

const (
	aText     attrRule = iota // free text: alt, title
	aLength                   // 600, 50%, 20px
	aInt                      // 0-9999
	aSpan                     // 1-1000
	aColor                    // #abc, #aabbcc, red
	aAlign                    // left, right, center, ...
	aVAlign                   // top, middle, bottom, baseline
	aDir                      // ltr, rtl, auto
	aLang                     // en, pt-BR
	aFontFace                 // Arial, "Helvetica Neue", sans-serif
	aFontSize                 // 1-7, +1, -2
	aOLType                   // 1 a A i I
	aULType                   // disc circle square
	aBool                     // present or not
	aSigned                   // -999999..999999
)

var (
	reLength   = regexp.MustCompile(`^\d{1,5}(\.\d{1,4})?(%|px)?$`)
	reInt      = regexp.MustCompile(`^\d{1,4}$`)
	reColor    = regexp.MustCompile(`^(#[0-9a-fA-F]{3,8}|[0-9a-fA-F]{6}|[a-zA-Z]{1,32})$`)
	reAlign    = regexp.MustCompile(`^(left|right|center|justify|top|middle|bottom|baseline|absmiddle|absbottom|texttop)$`)
	reVAlign   = regexp.MustCompile(`^(top|middle|bottom|baseline)$`)
	reDir      = regexp.MustCompile(`^(ltr|rtl|auto)$`)
	reLang     = regexp.MustCompile(`^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,4}$`)
	reFontFace = regexp.MustCompile(`^[\p{L}\p{N} ,'"_.-]{1,200}$`)
	reFontSize = regexp.MustCompile(`^[+-]?[1-7]$`)
	reOLType   = regexp.MustCompile(`^[1aAiI]$`)
	reULType   = regexp.MustCompile(`^(disc|circle|square)$`)
	reSigned   = regexp.MustCompile(`^-?\d{1,6}$`)
	reSpan     = regexp.MustCompile(`^([1-9]\d{0,2}|1000)$`)
	reText     = regexp.MustCompile(`^[^\x00]{0,1000}$`)
	reBool     = regexp.MustCompile(`^$`)
)

var ruleRegexp = map[attrRule]*regexp.Regexp{
	aText: reText, aLength: reLength, aInt: reInt, aSpan: reSpan,
	aColor: reColor, aAlign: reAlign, aVAlign: reVAlign, aDir: reDir,
	aLang: reLang, aFontFace: reFontFace, aFontSize: reFontSize,
	aOLType: reOLType, aULType: reULType, aBool: reBool, aSigned: reSigned,
}

// allowedElements is the element allow-list with each element's own
// attributes. Every allowed element may also have the global attributes
// (title, dir, lang) and a filtered style, class and id. Elements neither
// here nor in dropWithContent (html, body, form, button, label, unknown and
// custom elements, ...) are unwrapped: their children are kept.
var allowedElements = map[string]map[string]attrRule{
	"p": {"align": aAlign}, "div": {"align": aAlign},
	"h1": {"align": aAlign}, "h2": {"align": aAlign}, "h3": {"align": aAlign},
	"h4": {"align": aAlign}, "h5": {"align": aAlign}, "h6": {"align": aAlign},
	"span": {}, "br": {}, "wbr": {},
	"hr": {"width": aLength, "size": aInt, "align": aAlign, "color": aColor, "noshade": aBool},
	"b":  {}, "i": {}, "u": {}, "s": {}, "em": {}, "strong": {}, "small": {}, "big": {},
	"sub": {}, "sup": {}, "strike": {}, "tt": {}, "code": {}, "kbd": {}, "samp": {},
	"var": {}, "abbr": {}, "cite": {}, "q": {}, "del": {}, "ins": {}, "mark": {},
	"dfn": {}, "address": {}, "article": {}, "section": {}, "header": {},
	"footer": {}, "main": {}, "nav": {}, "aside": {}, "figure": {}, "figcaption": {},
	"center":     {},
	"font":       {"color": aColor, "face": aFontFace, "size": aFontSize},
	"blockquote": {}, "pre": {},
	"ul": {"type": aULType},
	"ol": {"type": aOLType, "start": aSigned, "reversed": aBool},
	"li": {"type": aOLType, "value": aSigned},
	"dl": {}, "dt": {}, "dd": {},
	"a":   {},
	"img": {"alt": aText, "width": aLength, "height": aLength, "border": aInt, "align": aAlign, "hspace": aInt, "vspace": aInt},
	"table": {"width": aLength, "height": aLength, "align": aAlign, "bgcolor": aColor,
		"cellpadding": aInt, "cellspacing": aInt, "border": aInt},
	"thead": {"align": aAlign, "valign": aVAlign, "bgcolor": aColor},
	"tbody": {"align": aAlign, "valign": aVAlign, "bgcolor": aColor},
	"tfoot": {"align": aAlign, "valign": aVAlign, "bgcolor": aColor},
	"tr":    {"align": aAlign, "valign": aVAlign, "bgcolor": aColor, "height": aLength},
	"td": {"width": aLength, "height": aLength, "align": aAlign, "valign": aVAlign,
		"bgcolor": aColor, "colspan": aSpan, "rowspan": aSpan, "nowrap": aBool},
	"th": {"width": aLength, "height": aLength, "align": aAlign, "valign": aVAlign,
		"bgcolor": aColor, "colspan": aSpan, "rowspan": aSpan, "nowrap": aBool},
	"caption":  {"align": aAlign},
	"col":      {"width": aLength, "span": aSpan, "align": aAlign, "valign": aVAlign},
	"colgroup": {"width": aLength, "span": aSpan, "align": aAlign, "valign": aVAlign},
}

var globalAttrs = map[string]attrRule{"title": aText, "dir": aDir, "lang": aLang}

// backgroundElements may carry the legacy background="" attribute, which is
// turned into a background-image style.
var backgroundElements = map[string]bool{"table": true, "tr": true, "td": true, "th": true, "body": true}

var voidElements = map[string]bool{"br": true, "wbr": true, "hr": true, "img": true, "col": true}

// sanitizeReport collects what the filters saw.
type sanitizeReport struct {
	remoteBlocked bool
	cids          []string
	seen          map[string]bool
}

func (r *sanitizeReport) useCID(id string) {
	if r.seen[id] {
		return
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	r.seen[id] = true
	r.cids = append(r.cids, id)
}

type sanitizer struct {
	opt    SanitizeOptions
	rep    sanitizeReport
	css    cssEnv
	b      strings.Builder
	styles []string
}

// SanitizeHTML turns an untrusted HTML mail body into a fragment that only
// has allow-listed elements, attributes, URL schemes and CSS.
//
// The body is parsed into a tree the way a browser parses it (x/net/html),
// the tree is walked and only allowed parts are written out (text always
// escaped, so no raw-text or foreign-content context survives to be
// re-parsed differently), and the result goes through a bluemonday policy
// with the same allow-list as a second, independent check.
//
// <style> elements are kept, filtered: see sanitizeStylesheet. They come
// first in the output. Class names and ids get the prefix "m_" in both the
// markup and the style sheets.
func SanitizeHTML(in string, opt SanitizeOptions) Sanitized {
	s := &sanitizer{opt: opt}
	s.css = cssEnv{remote: opt.AllowRemote, cid: opt.CID, report: &s.rep}
	doc, err := html.Parse(strings.NewReader(in))
	if err != nil || doc == nil {
		// The parser refuses absurd nesting (more than 512 open elements);
		// show the text of such a message rather than nothing.
		return Sanitized{HTML: textOnly(in)}
	}
	s.children(doc, 0)

	body := bodyPolicy(opt.AllowRemote).Sanitize(s.b.String())

	var out strings.Builder
	var sheets strings.Builder
	for _, src := range s.styles {
		// Each <style> is its own style sheet: an unclosed comment or
		// block in one does not run into the next.
		sheets.WriteString(sanitizeStylesheet(src, &s.css))
	}
	// The sheets are built from checked tokens and cannot contain "<";
	// this is a last guard against a bug breaking out of <style>.
	if sheet := sheets.String(); sheet != "" && !strings.Contains(sheet, "<") {
		out.WriteString("<style>\n")
		out.WriteString(sheet)
		out.WriteString("</style>\n")
	}
	out.WriteString(body)
	return Sanitized{HTML: out.String(), RemoteBlocked: s.rep.remoteBlocked, CIDs: s.rep.cids}
}

func (s *sanitizer) children(n *html.Node, depth int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		s.node(c, depth)
	}
}

func (s *sanitizer) node(n *html.Node, depth int) {
	switch n.Type {
	case html.TextNode:
		s.b.WriteString(html.EscapeString(n.Data))
	case html.DocumentNode:
		s.children(n, depth)
	case html.ElementNode:
		s.element(n, depth)
	}
	// Comments, doctypes and raw nodes are dropped.
}

func (s *sanitizer) element(n *html.Node, depth int) {
	if n.Namespace != "" {
		// SVG and MathML, with everything inside (including HTML in
		// integration points such as <foreignObject> and <mtext>).
		return
	}
	name := n.Data
	if name == "style" {
		s.styles = append(s.styles, textContent(n))
		return
	}
	if name == "head" {
		// Only style sheets are wanted from the head.
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.Data == "style" && c.Namespace == "" {
				s.styles = append(s.styles, textContent(c))
			}
		}
		return
	}
	if dropWithContent[name] {
		return
	}
	if name == "body" {
		s.body(n, depth)
		return
	}
	rules, ok := allowedElements[name]
	if !ok || depth >= maxHTMLDepth {
		s.children(n, depth)
		return
	}
	attrs := s.attrs(name, rules, n.Attr)
	switch name {
	case "a":
		if !hasAttr(attrs, "href") {
			s.children(n, depth)
			return
		}
	case "img":
		if len(attrs) == 0 {
			return
		}
	case "font":
		if len(attrs) == 0 {
			s.children(n, depth)
			return
		}
	}
	s.startTag(name, attrs)
	if voidElements[name] {
		return
	}
	if name == "pre" && n.FirstChild != nil && n.FirstChild.Type == html.TextNode && strings.HasPrefix(n.FirstChild.Data, "\n") {
		// The parser drops a newline right after <pre>; keep the one
		// that was there.
		s.b.WriteByte('\n')
	}
	s.children(n, depth+1)
	s.b.WriteString("</" + name + ">")
}

// body writes the body's colours and background as a wrapping <div>, so
// that a newsletter's page background survives.
func (s *sanitizer) body(n *html.Node, depth int) {
	var style []string
	for _, a := range dedupAttrs(n.Attr) {
		v := strings.TrimSpace(a.Val)
		switch a.Key {
		case "bgcolor":
			if reColor.MatchString(v) {
				style = append(style, "background-color:"+cssColor(v))
			}
		case "text":
			if reColor.MatchString(v) {
				style = append(style, "color:"+cssColor(v))
			}
		case "background":
			if bg := s.backgroundStyle(v); bg != "" {
				style = append(style, bg)
			}
		case "style":
			if st := sanitizeStyleAttr(a.Val, &s.css); st != "" {
				style = append(style, st)
			}
		}
	}
	if len(style) == 0 {
		s.children(n, depth)
		return
	}
	s.startTag("div", []html.Attribute{{Key: "style", Val: strings.Join(style, ";")}})
	s.children(n, depth+1)
	s.b.WriteString("</div>")
}

func cssColor(v string) string {
	if len(v) == 6 && v[0] != '#' && strings.Trim(v, "0123456789abcdefABCDEF") == "" {
		return "#" + v
	}
	return v
}

func (s *sanitizer) startTag(name string, attrs []html.Attribute) {
	s.b.WriteByte('<')
	s.b.WriteString(name)
	for _, a := range attrs {
		s.b.WriteByte(' ')
		s.b.WriteString(a.Key)
		s.b.WriteString(`="`)
		s.b.WriteString(html.EscapeString(a.Val))
		s.b.WriteByte('"')
	}
	s.b.WriteByte('>')
}

func hasAttr(attrs []html.Attribute, key string) bool {
	for _, a := range attrs {
		if a.Key == key {
			return true
		}
	}
	return false
}

// dedupAttrs keeps the first of attributes with the same name, which is
// the one browsers use.
func dedupAttrs(attrs []html.Attribute) []html.Attribute {
	if len(attrs) < 2 {
		return attrs
	}
	if len(attrs) <= 16 {
		dup := false
		for i := 1; i < len(attrs) && !dup; i++ {
			for j := 0; j < i; j++ {
				if attrs[i].Key == attrs[j].Key && attrs[i].Namespace == attrs[j].Namespace {
					dup = true
					break
				}
			}
		}
		if !dup {
			return attrs
		}
	}
	seen := make(map[string]bool, len(attrs))
	out := attrs[:0:0]
	for _, a := range attrs {
		k := a.Namespace + ":" + a.Key
		if !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	return out
}

func (s *sanitizer) attrs(name string, rules map[string]attrRule, in []html.Attribute) []html.Attribute {
	var out []html.Attribute
	var classes []string
	style, bgStyle := "", ""
	for _, a := range dedupAttrs(in) {
		if a.Namespace != "" {
			continue
		}
		key := a.Key
		switch key {
		case "style":
			style = sanitizeStyleAttr(a.Val, &s.css)
			continue
		case "class":
			for _, c := range strings.Fields(a.Val) {
				if isNameChars(c) && len(classes) < 32 {
					classes = append(classes, classPrefix+c)
				}
			}
			continue
		case "id":
			if v := strings.TrimSpace(a.Val); isNameChars(v) && len(v) <= 128 {
				out = append(out, html.Attribute{Key: "id", Val: classPrefix + v})
			}
			continue
		case "href":
			if name == "a" {
				u := classifyURL(a.Val)
				switch u.kind {
				case urlRemote:
					out = append(out, html.Attribute{Key: "href", Val: u.clean},
						html.Attribute{Key: "target", Val: "_blank"},
						html.Attribute{Key: "rel", Val: "noopener noreferrer nofollow"})
				case urlMailto:
					out = append(out, html.Attribute{Key: "href", Val: u.clean})
					classes = append(classes, "mailto")
				}
			}
			continue
		case "src":
			if name == "img" {
				if src, ok := s.imageURL(a.Val); ok {
					out = append(out, html.Attribute{Key: "src", Val: src})
					if strings.HasPrefix(src, "http") {
						out = append(out, html.Attribute{Key: "referrerpolicy", Val: "no-referrer"})
					}
				}
			}
			continue
		case "background":
			if backgroundElements[name] {
				bgStyle = s.backgroundStyle(a.Val)
			}
			continue
		}
		rule, ok := rules[key]
		if !ok {
			rule, ok = globalAttrs[key]
		}
		if !ok {
			continue
		}
		v := a.Val
		if rule != aText {
			v = strings.TrimSpace(v)
		}
		if rule == aAlign || rule == aVAlign || rule == aDir || rule == aULType {
			v = strings.ToLower(v)
		}
		if rule == aBool {
			v = ""
		}
		if !ruleRegexp[rule].MatchString(v) {
			continue
		}
		out = append(out, html.Attribute{Key: key, Val: v})
	}
	if len(classes) > 0 {
		out = append(out, html.Attribute{Key: "class", Val: strings.Join(classes, " ")})
	}
	if bgStyle != "" {
		if style != "" {
			style = bgStyle + ";" + style
		} else {
			style = bgStyle
		}
	}
	if style != "" {
		out = append(out, html.Attribute{Key: "style", Val: style})
	}
	return out
}

// imageURL decides the src of an <img>.
func (s *sanitizer) imageURL(raw string) (string, bool) {
	u := classifyURL(raw)
	switch u.kind {
	case urlRemote:
		if s.opt.AllowRemote {
			return u.clean, true
		}
		s.rep.remoteBlocked = true
	case urlDataImage:
		return u.clean, true
	case urlCID:
		if s.opt.CID != nil {
			if src, ok := s.opt.CID(u.cid); ok {
				if d, ok := cleanDataImage(src); ok {
					s.rep.useCID(u.cid)
					return d, true
				}
			}
		}
	}
	return "", false
}

// backgroundStyle turns a background="" attribute into a style
// declaration ("" if nothing is kept).
func (s *sanitizer) backgroundStyle(raw string) string {
	u := classifyURL(raw)
	switch u.kind {
	case urlRemote:
		if !s.opt.AllowRemote {
			s.rep.remoteBlocked = true
			return ""
		}
		return `background-image:url("` + cssEscapeURL(u.clean) + `")`
	case urlDataImage, urlCID:
		if src, ok := s.imageURL(raw); ok {
			return `background-image:url("` + src + `")`
		}
	}
	return ""
}

// hiddenContent are the elements whose content textOnly leaves out: raw
// text and markup that is not meant to be shown.
var hiddenContent = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true,
	"noembed": true, "noframes": true, "xmp": true, "iframe": true,
	"textarea": true, "title": true, "svg": true, "math": true,
	"object": true, "applet": true, "select": true, "head": true,
}

// textOnly returns the text of an HTML document, escaped, in a <pre>: the
// fallback for markup the parser gives up on. Text inside elements whose
// content is not meant to be shown is left out.
func textOnly(in string) string {
	var b strings.Builder
	b.WriteString("<pre>")
	z := html.NewTokenizer(strings.NewReader(in))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			b.WriteString("</pre>")
			return b.String()
		case html.TextToken:
			if skip == 0 {
				b.WriteString(html.EscapeString(string(z.Text())))
			}
		case html.StartTagToken:
			if name, _ := z.TagName(); hiddenContent[string(name)] {
				skip++
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); hiddenContent[string(name)] && skip > 0 {
				skip--
			}
		}
	}
}

func textContent(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				b.WriteString(c.Data)
			case html.ElementNode:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// ---------------------------------------------------------------------------
// The bluemonday policy: the same allow-list, applied a second time to the
// serialised markup (not to the style sheets, which bluemonday cannot
// filter and which never reach it).

var (
	policyLocal  = sync.OnceValue(func() *bluemonday.Policy { return newBodyPolicy(false) })
	policyRemote = sync.OnceValue(func() *bluemonday.Policy { return newBodyPolicy(true) })
)

func bodyPolicy(remote bool) *bluemonday.Policy {
	if remote {
		return policyRemote()
	}
	return policyLocal()
}

var (
	reClassAttr  = regexp.MustCompile(`^(` + classPrefix + `[A-Za-z0-9_-]+|mailto)( (` + classPrefix + `[A-Za-z0-9_-]+|mailto))*$`)
	reIDAttr     = regexp.MustCompile(`^` + classPrefix + `[A-Za-z0-9_-]+$`)
	reHref       = regexp.MustCompile(`^(?:https?://|mailto:)`)
	reDataImgSrc = regexp.MustCompile(`^data:image/[a-z.-]+;base64,[A-Za-z0-9+/=]+$`)
	reRemoteSrc  = regexp.MustCompile(`^(?:https?://|data:image/[a-z.-]+;base64,[A-Za-z0-9+/=]+$)`)
)

func newBodyPolicy(remote bool) *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowURLSchemeWithCustomPolicy("data", func(u *url.URL) bool {
		if u.RawQuery != "" || u.Fragment != "" {
			return false
		}
		_, ok := cleanDataImage("data:" + u.Opaque)
		return ok
	})
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)

	names := make([]string, 0, len(allowedElements)+1)
	for name := range allowedElements {
		names = append(names, name)
	}
	sort.Strings(names)
	p.AllowElements(names...)
	for _, name := range names {
		for attr, rule := range allowedElements[name] {
			p.AllowAttrs(attr).Matching(ruleRegexp[rule]).OnElements(name)
		}
	}
	for attr, rule := range globalAttrs {
		p.AllowAttrs(attr).Matching(ruleRegexp[rule]).Globally()
	}
	p.AllowAttrs("class").Matching(reClassAttr).Globally()
	p.AllowAttrs("id").Matching(reIDAttr).Globally()
	p.AllowAttrs("href").Matching(reHref).OnElements("a")
	p.AllowAttrs("target").Matching(regexp.MustCompile(`^_blank$`)).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^noopener noreferrer nofollow$`)).OnElements("a")
	if remote {
		p.AllowAttrs("src").Matching(reRemoteSrc).OnElements("img")
		p.AllowAttrs("referrerpolicy").Matching(regexp.MustCompile(`^no-referrer$`)).OnElements("img")
	} else {
		p.AllowAttrs("src").Matching(reDataImgSrc).OnElements("img")
	}

	for prop := range allowedCSSProperties {
		prop := prop
		p.AllowStyles(prop).MatchingHandler(func(v string) bool {
			return cssValueAllowed(prop, v, remote)
		}).Globally()
	}
	return p
}

// cssValueAllowed is the bluemonday check of one declaration: the value
// must pass the same filter, with nothing left to block or rewrite.
func cssValueAllowed(prop, value string, remote bool) bool {
	env := cssEnv{remote: remote, strict: true}
	_, ok := sanitizeDeclaration(cssTokenize(prop+":"+value), &env)
	return ok
}
