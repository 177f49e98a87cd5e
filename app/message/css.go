package message

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds a small CSS tokenizer that follows CSS Syntax Level 3
// (the algorithm browsers use) and the filters built on it. The filters never
// copy input text to the output: every value is re-serialised from tokens
// whose shape has been checked (plain identifiers, numbers, colours, quoted
// strings with escaped contents, whitelisted functions), so the browser reads
// back exactly the tokens that were checked, whatever tricks the input used
// (escapes, comments, unclosed url(, nested blocks, "</style>", ...).

type cssTokType uint8

const (
	cssEOF cssTokType = iota
	cssIdent
	cssFunction
	cssAtKeyword
	cssHash
	cssString
	cssBadString
	cssURL
	cssBadURL
	cssDelim
	cssNumber
	cssPercentage
	cssDimension
	cssWhitespace
	cssCDO
	cssCDC
	cssColon
	cssSemicolon
	cssComma
	cssLBracket
	cssRBracket
	cssLParen
	cssRParen
	cssLBrace
	cssRBrace
)

type cssToken struct {
	typ   cssTokType
	value string // ident/function/at-keyword/hash name, string or URL contents, delim, dimension unit
	num   string // numeric representation for numbers, percentages and dimensions
}

// cssTokenize splits CSS source into tokens. Comments are dropped.
func cssTokenize(src string) []cssToken {
	t := cssTokenizer{src: cssPreprocess(src)}
	out := make([]cssToken, 0, len(src)/4+1)
	for {
		tok := t.next()
		if tok.typ == cssEOF {
			return out
		}
		out = append(out, tok)
	}
}

// cssPreprocess applies the input preprocessing of CSS Syntax §3.3: newlines
// are normalised, NUL and invalid UTF-8 become U+FFFD.
func cssPreprocess(s string) string {
	if !strings.ContainsAny(s, "\r\f\x00") && utf8.ValidString(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	r := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\f", "\n", "\x00", "\uFFFD")
	return r.Replace(s)
}

type cssTokenizer struct {
	src string
	pos int
}

func (t *cssTokenizer) peek(n int) rune {
	p := t.pos
	for i := 0; i < n; i++ {
		if p >= len(t.src) {
			return -1
		}
		_, w := utf8.DecodeRuneInString(t.src[p:])
		p += w
	}
	if p >= len(t.src) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(t.src[p:])
	return r
}

func (t *cssTokenizer) advance() rune {
	if t.pos >= len(t.src) {
		return -1
	}
	r, w := utf8.DecodeRuneInString(t.src[t.pos:])
	t.pos += w
	return r
}

func isCSSWhitespace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }
func isCSSDigit(r rune) bool      { return r >= '0' && r <= '9' }
func isCSSHex(r rune) bool {
	return isCSSDigit(r) || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F')
}
func isCSSNameStart(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_' || r >= 0x80
}
func isCSSName(r rune) bool { return isCSSNameStart(r) || isCSSDigit(r) || r == '-' }
func isCSSNonPrintable(r rune) bool {
	return (r >= 0 && r <= 8) || r == 0x0b || (r >= 0x0e && r <= 0x1f) || r == 0x7f
}
func cssValidEscape(a, b rune) bool { return a == '\\' && b != '\n' && b != -1 }

func cssStartsIdent(a, b, c rune) bool {
	switch {
	case a == '-':
		return isCSSNameStart(b) || b == '-' || cssValidEscape(b, c)
	case isCSSNameStart(a):
		return true
	case a == '\\':
		return cssValidEscape(a, b)
	}
	return false
}

func cssStartsNumber(a, b, c rune) bool {
	switch {
	case a == '+' || a == '-':
		return isCSSDigit(b) || (b == '.' && isCSSDigit(c))
	case a == '.':
		return isCSSDigit(b)
	}
	return isCSSDigit(a)
}

func (t *cssTokenizer) next() cssToken {
	// Comments.
	for strings.HasPrefix(t.src[t.pos:], "/*") {
		end := strings.Index(t.src[t.pos+2:], "*/")
		if end < 0 {
			t.pos = len(t.src)
		} else {
			t.pos += 2 + end + 2
		}
	}
	c := t.advance()
	switch {
	case c == -1:
		return cssToken{typ: cssEOF}
	case isCSSWhitespace(c):
		for isCSSWhitespace(t.peek(0)) {
			t.advance()
		}
		return cssToken{typ: cssWhitespace}
	case c == '"' || c == '\'':
		return t.consumeString(c)
	case c == '#':
		if isCSSName(t.peek(0)) || cssValidEscape(t.peek(0), t.peek(1)) {
			return cssToken{typ: cssHash, value: t.consumeName()}
		}
		return cssToken{typ: cssDelim, value: "#"}
	case c == '(':
		return cssToken{typ: cssLParen}
	case c == ')':
		return cssToken{typ: cssRParen}
	case c == '[':
		return cssToken{typ: cssLBracket}
	case c == ']':
		return cssToken{typ: cssRBracket}
	case c == '{':
		return cssToken{typ: cssLBrace}
	case c == '}':
		return cssToken{typ: cssRBrace}
	case c == ',':
		return cssToken{typ: cssComma}
	case c == ':':
		return cssToken{typ: cssColon}
	case c == ';':
		return cssToken{typ: cssSemicolon}
	case c == '+' || c == '.':
		if cssStartsNumber(c, t.peek(0), t.peek(1)) {
			t.pos--
			return t.consumeNumeric()
		}
		return cssToken{typ: cssDelim, value: string(c)}
	case c == '-':
		if cssStartsNumber(c, t.peek(0), t.peek(1)) {
			t.pos--
			return t.consumeNumeric()
		}
		if t.peek(0) == '-' && t.peek(1) == '>' {
			t.advance()
			t.advance()
			return cssToken{typ: cssCDC}
		}
		if cssStartsIdent(c, t.peek(0), t.peek(1)) {
			t.pos--
			return t.consumeIdentLike()
		}
		return cssToken{typ: cssDelim, value: "-"}
	case c == '<':
		if strings.HasPrefix(t.src[t.pos:], "!--") {
			t.pos += 3
			return cssToken{typ: cssCDO}
		}
		return cssToken{typ: cssDelim, value: "<"}
	case c == '@':
		if cssStartsIdent(t.peek(0), t.peek(1), t.peek(2)) {
			return cssToken{typ: cssAtKeyword, value: t.consumeName()}
		}
		return cssToken{typ: cssDelim, value: "@"}
	case c == '\\':
		if cssValidEscape(c, t.peek(0)) {
			t.pos--
			return t.consumeIdentLike()
		}
		return cssToken{typ: cssDelim, value: "\\"}
	case isCSSDigit(c):
		t.pos--
		return t.consumeNumeric()
	case isCSSNameStart(c):
		t.pos -= utf8.RuneLen(c)
		return t.consumeIdentLike()
	}
	return cssToken{typ: cssDelim, value: string(c)}
}

func (t *cssTokenizer) consumeEscape() rune {
	c := t.advance()
	if c == -1 {
		return utf8.RuneError
	}
	if !isCSSHex(c) {
		return c
	}
	v := hexVal(c)
	for i := 0; i < 5 && isCSSHex(t.peek(0)); i++ {
		v = v*16 + hexVal(t.advance())
	}
	if isCSSWhitespace(t.peek(0)) {
		t.advance()
	}
	if v == 0 || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF {
		return utf8.RuneError
	}
	return rune(v)
}

func hexVal(c rune) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return 0
}

func (t *cssTokenizer) consumeName() string {
	var b strings.Builder
	for {
		c := t.peek(0)
		switch {
		case isCSSName(c):
			b.WriteRune(t.advance())
		case cssValidEscape(c, t.peek(1)):
			t.advance()
			b.WriteRune(t.consumeEscape())
		default:
			return b.String()
		}
	}
}

func (t *cssTokenizer) consumeString(quote rune) cssToken {
	var b strings.Builder
	for {
		c := t.advance()
		switch {
		case c == quote || c == -1:
			return cssToken{typ: cssString, value: b.String()}
		case c == '\n':
			t.pos--
			return cssToken{typ: cssBadString}
		case c == '\\':
			switch t.peek(0) {
			case -1:
			case '\n':
				t.advance()
			default:
				b.WriteRune(t.consumeEscape())
			}
		default:
			b.WriteRune(c)
		}
	}
}

func (t *cssTokenizer) consumeNumber() string {
	start := t.pos
	if c := t.peek(0); c == '+' || c == '-' {
		t.advance()
	}
	for isCSSDigit(t.peek(0)) {
		t.advance()
	}
	if t.peek(0) == '.' && isCSSDigit(t.peek(1)) {
		t.advance()
		for isCSSDigit(t.peek(0)) {
			t.advance()
		}
	}
	if c := t.peek(0); c == 'e' || c == 'E' {
		d := t.peek(1)
		if isCSSDigit(d) || ((d == '+' || d == '-') && isCSSDigit(t.peek(2))) {
			t.advance()
			t.advance()
			for isCSSDigit(t.peek(0)) {
				t.advance()
			}
		}
	}
	return t.src[start:t.pos]
}

func (t *cssTokenizer) consumeNumeric() cssToken {
	num := t.consumeNumber()
	if cssStartsIdent(t.peek(0), t.peek(1), t.peek(2)) {
		return cssToken{typ: cssDimension, num: num, value: t.consumeName()}
	}
	if t.peek(0) == '%' {
		t.advance()
		return cssToken{typ: cssPercentage, num: num}
	}
	return cssToken{typ: cssNumber, num: num}
}

func (t *cssTokenizer) consumeIdentLike() cssToken {
	name := t.consumeName()
	if strings.EqualFold(name, "url") && t.peek(0) == '(' {
		t.advance()
		for isCSSWhitespace(t.peek(0)) && isCSSWhitespace(t.peek(1)) {
			t.advance()
		}
		c := t.peek(0)
		if c == '"' || c == '\'' || (isCSSWhitespace(c) && (t.peek(1) == '"' || t.peek(1) == '\'')) {
			return cssToken{typ: cssFunction, value: name}
		}
		return t.consumeURL()
	}
	if t.peek(0) == '(' {
		t.advance()
		return cssToken{typ: cssFunction, value: name}
	}
	return cssToken{typ: cssIdent, value: name}
}

func (t *cssTokenizer) consumeURL() cssToken {
	var b strings.Builder
	for isCSSWhitespace(t.peek(0)) {
		t.advance()
	}
	for {
		c := t.advance()
		switch {
		case c == ')' || c == -1:
			// An unclosed url( at the end of input is still a URL for the
			// browser, so it is one here too.
			return cssToken{typ: cssURL, value: b.String()}
		case isCSSWhitespace(c):
			for isCSSWhitespace(t.peek(0)) {
				t.advance()
			}
			if t.peek(0) == ')' || t.peek(0) == -1 {
				t.advance()
				return cssToken{typ: cssURL, value: b.String()}
			}
			t.consumeBadURL()
			return cssToken{typ: cssBadURL, value: b.String()}
		case c == '"' || c == '\'' || c == '(' || isCSSNonPrintable(c):
			t.consumeBadURL()
			return cssToken{typ: cssBadURL, value: b.String()}
		case c == '\\':
			if cssValidEscape(c, t.peek(0)) {
				b.WriteRune(t.consumeEscape())
				continue
			}
			t.consumeBadURL()
			return cssToken{typ: cssBadURL, value: b.String()}
		default:
			b.WriteRune(c)
		}
	}
}

func (t *cssTokenizer) consumeBadURL() {
	for {
		c := t.advance()
		switch {
		case c == ')' || c == -1:
			return
		case cssValidEscape(c, t.peek(0)):
			t.consumeEscape()
		}
	}
}

// ---------------------------------------------------------------------------
// Values and declarations.

// propKind says which value shapes a property accepts.
type propKind uint8

const (
	propGeneric    propKind = iota // keywords, numbers, lengths, colours, safe functions
	propFont                       // like generic, plus quoted family names
	propBackground                 // like generic, plus url() (remote only when allowed)
	propDisplay                    // one keyword from displayValues
	propVisibility                 // one keyword from visibilityValues
)

// allowedCSSProperties is the allow-list of CSS properties kept in style
// attributes and style blocks. Everything else (position, z-index,
// transform, content, behavior, -moz-binding, every vendor-prefixed property,
// custom properties, ...) is dropped.
var allowedCSSProperties = map[string]propKind{
	"color":                      propGeneric,
	"background":                 propBackground,
	"background-color":           propGeneric,
	"background-image":           propBackground,
	"background-repeat":          propGeneric,
	"background-position":        propGeneric,
	"background-size":            propGeneric,
	"font":                       propFont,
	"font-family":                propFont,
	"font-size":                  propGeneric,
	"font-style":                 propGeneric,
	"font-weight":                propGeneric,
	"font-variant":               propGeneric,
	"text-align":                 propGeneric,
	"text-decoration":            propGeneric,
	"text-decoration-line":       propGeneric,
	"text-decoration-color":      propGeneric,
	"text-decoration-style":      propGeneric,
	"text-indent":                propGeneric,
	"text-transform":             propGeneric,
	"text-overflow":              propGeneric,
	"text-shadow":                propGeneric,
	"line-height":                propGeneric,
	"letter-spacing":             propGeneric,
	"word-spacing":               propGeneric,
	"word-break":                 propGeneric,
	"word-wrap":                  propGeneric,
	"overflow-wrap":              propGeneric,
	"white-space":                propGeneric,
	"vertical-align":             propGeneric,
	"direction":                  propGeneric,
	"margin":                     propGeneric,
	"margin-top":                 propGeneric,
	"margin-right":               propGeneric,
	"margin-bottom":              propGeneric,
	"margin-left":                propGeneric,
	"padding":                    propGeneric,
	"padding-top":                propGeneric,
	"padding-right":              propGeneric,
	"padding-bottom":             propGeneric,
	"padding-left":               propGeneric,
	"border":                     propGeneric,
	"border-top":                 propGeneric,
	"border-right":               propGeneric,
	"border-bottom":              propGeneric,
	"border-left":                propGeneric,
	"border-width":               propGeneric,
	"border-style":               propGeneric,
	"border-color":               propGeneric,
	"border-top-width":           propGeneric,
	"border-top-style":           propGeneric,
	"border-top-color":           propGeneric,
	"border-right-width":         propGeneric,
	"border-right-style":         propGeneric,
	"border-right-color":         propGeneric,
	"border-bottom-width":        propGeneric,
	"border-bottom-style":        propGeneric,
	"border-bottom-color":        propGeneric,
	"border-left-width":          propGeneric,
	"border-left-style":          propGeneric,
	"border-left-color":          propGeneric,
	"border-radius":              propGeneric,
	"border-top-left-radius":     propGeneric,
	"border-top-right-radius":    propGeneric,
	"border-bottom-left-radius":  propGeneric,
	"border-bottom-right-radius": propGeneric,
	"border-collapse":            propGeneric,
	"border-spacing":             propGeneric,
	"width":                      propGeneric,
	"height":                     propGeneric,
	"max-width":                  propGeneric,
	"min-width":                  propGeneric,
	"max-height":                 propGeneric,
	"min-height":                 propGeneric,
	"display":                    propDisplay,
	"visibility":                 propVisibility,
	"list-style":                 propGeneric,
	"list-style-type":            propGeneric,
	"list-style-position":        propGeneric,
	"table-layout":               propGeneric,
	"caption-side":               propGeneric,
	"empty-cells":                propGeneric,
	"float":                      propGeneric,
	"clear":                      propGeneric,
	"overflow":                   propGeneric,
	"overflow-x":                 propGeneric,
	"overflow-y":                 propGeneric,
	"box-sizing":                 propGeneric,
	"box-shadow":                 propGeneric,
	"opacity":                    propGeneric,
}

var displayValues = map[string]bool{
	"none": true, "block": true, "inline": true, "inline-block": true,
	"flex": true, "inline-flex": true, "list-item": true,
	"table": true, "inline-table": true, "table-row": true, "table-cell": true,
	"table-row-group": true, "table-header-group": true, "table-footer-group": true,
	"table-column": true, "table-column-group": true, "table-caption": true,
}

var visibilityValues = map[string]bool{"visible": true, "hidden": true, "collapse": true}

// allowedCSSFunctions are the functions a value may call. url() is handled
// separately; var(), env(), attr(), expression(), image-set(), image(),
// element(), cross-fade(), paint() and anything unknown are refused.
var allowedCSSFunctions = map[string]bool{
	"rgb": true, "rgba": true, "hsl": true, "hsla": true,
	"calc": true, "min": true, "max": true, "clamp": true,
	"linear-gradient": true, "radial-gradient": true,
	"repeating-linear-gradient": true, "repeating-radial-gradient": true,
}

var mathCSSFunctions = map[string]bool{"calc": true, "min": true, "max": true, "clamp": true}

const (
	maxCSSValueLen    = 4096 // longest value kept, not counting data: URLs
	maxCSSFuncDepth   = 4
	maxCSSMediaDepth  = 3
	maxCSSSelectorLen = 1024
)

// cssEnv is what filtering one piece of CSS needs to know and to report.
type cssEnv struct {
	remote bool                        // remote url() allowed
	cid    func(string) (string, bool) // cid: to data: mapping, may be nil
	report *sanitizeReport             // may be nil (then nothing is recorded)
	// strict refuses what would otherwise be blocked or rewritten (remote
	// URLs when not allowed, cid: URLs): used for the second check of
	// already filtered output.
	strict bool
}

func (e *cssEnv) remoteBlocked() {
	if e.report != nil {
		e.report.remoteBlocked = true
	}
}

func (e *cssEnv) usedCID(id string) {
	if e.report != nil {
		e.report.useCID(id)
	}
}

// sanitizeStyleAttr filters the value of a style attribute and returns the
// canonical text of the declarations that were kept ("" if none).
func sanitizeStyleAttr(v string, env *cssEnv) string {
	return sanitizeDeclarations(cssTokenize(v), env)
}

// sanitizeDeclarations filters a declaration list (the inside of a style
// attribute or a rule's block).
func sanitizeDeclarations(toks []cssToken, env *cssEnv) string {
	var b strings.Builder
	for _, decl := range splitTopLevel(toks, cssSemicolon) {
		s, ok := sanitizeDeclaration(decl, env)
		if !ok {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(';')
		}
		b.WriteString(s)
	}
	return b.String()
}

// splitTopLevel splits toks at separators that are not nested inside (), []
// or {} (function tokens open a parenthesis).
func splitTopLevel(toks []cssToken, sep cssTokType) [][]cssToken {
	var out [][]cssToken
	depth, start := 0, 0
	for i, tok := range toks {
		switch tok.typ {
		case cssFunction, cssLParen, cssLBracket, cssLBrace:
			depth++
		case cssRParen, cssRBracket, cssRBrace:
			if depth > 0 {
				depth--
			}
		case sep:
			if depth == 0 {
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	return append(out, toks[start:])
}

func trimCSSWhitespace(toks []cssToken) []cssToken {
	for len(toks) > 0 && toks[0].typ == cssWhitespace {
		toks = toks[1:]
	}
	for len(toks) > 0 && toks[len(toks)-1].typ == cssWhitespace {
		toks = toks[:len(toks)-1]
	}
	return toks
}

func sanitizeDeclaration(toks []cssToken, env *cssEnv) (string, bool) {
	toks = trimCSSWhitespace(toks)
	if len(toks) < 3 || toks[0].typ != cssIdent {
		return "", false
	}
	prop := strings.ToLower(toks[0].value)
	kind, ok := allowedCSSProperties[prop]
	if !ok {
		return "", false
	}
	i := 1
	for i < len(toks) && toks[i].typ == cssWhitespace {
		i++
	}
	if i >= len(toks) || toks[i].typ != cssColon {
		return "", false
	}
	value := trimCSSWhitespace(toks[i+1:])
	important := false
	if n := len(value); n >= 2 && value[n-1].typ == cssIdent && strings.EqualFold(value[n-1].value, "important") {
		j := n - 2
		for j >= 0 && value[j].typ == cssWhitespace {
			j--
		}
		if j >= 0 && value[j].typ == cssDelim && value[j].value == "!" {
			important = true
			value = trimCSSWhitespace(value[:j])
		}
	}
	if len(value) == 0 {
		return "", false
	}
	var out string
	switch kind {
	case propDisplay, propVisibility:
		if len(value) != 1 || value[0].typ != cssIdent {
			return "", false
		}
		v := strings.ToLower(value[0].value)
		if (kind == propDisplay && !displayValues[v]) || (kind == propVisibility && !visibilityValues[v]) {
			return "", false
		}
		out = v
	default:
		vs := valueSerializer{env: env, strings: kind == propFont, urls: kind == propBackground}
		if !vs.serialize(value, 0, "") {
			return "", false
		}
		out = vs.b.String()
		if vs.plainLen > maxCSSValueLen {
			return "", false
		}
	}
	if important {
		out += "!important"
	}
	return prop + ":" + out, true
}

type valueSerializer struct {
	b        strings.Builder
	env      *cssEnv
	strings  bool // quoted strings allowed (font families)
	urls     bool // url() allowed (backgrounds)
	plainLen int  // output length not counting data: URLs
	lastWord bool // the last thing written could merge with a following word
}

func (s *valueSerializer) write(str string, word bool) {
	if word && s.lastWord {
		s.b.WriteByte(' ')
	}
	s.b.WriteString(str)
	s.plainLen += len(str)
	s.lastWord = word
}

// serialize writes the canonical form of toks; fn is the enclosing function
// name ("" at the top level). It reports false if anything is not allowed.
func (s *valueSerializer) serialize(toks []cssToken, depth int, fn string) bool {
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		switch tok.typ {
		case cssWhitespace:
			if s.b.Len() > 0 && !strings.HasSuffix(s.b.String(), " ") && !strings.HasSuffix(s.b.String(), "(") {
				s.b.WriteByte(' ')
				s.plainLen++
			}
			s.lastWord = false
		case cssIdent:
			if !isPlainIdent(tok.value) {
				return false
			}
			s.write(tok.value, true)
		case cssNumber:
			s.write(tok.num, true)
		case cssPercentage:
			s.write(tok.num+"%", true)
		case cssDimension:
			if !isLetters(tok.value) {
				return false
			}
			s.write(tok.num+tok.value, true)
		case cssHash:
			if !isNameChars(tok.value) {
				return false
			}
			s.write("#"+tok.value, true)
		case cssString:
			if !s.strings {
				return false
			}
			s.write(cssQuote(tok.value), true)
		case cssComma:
			s.write(",", false)
		case cssDelim:
			switch {
			case tok.value == "/" && fn == "":
			case tok.value == "/" && (fn == "rgb" || fn == "rgba" || fn == "hsl" || fn == "hsla"):
			case (tok.value == "+" || tok.value == "-" || tok.value == "*" || tok.value == "/") && mathCSSFunctions[fn]:
			default:
				return false
			}
			s.write(tok.value, false)
		case cssURL:
			if depth > 0 || !s.urls {
				return false
			}
			if !s.writeURL(tok.value) {
				return false
			}
		case cssFunction:
			name := strings.ToLower(tok.value)
			end := matchingParen(toks, i)
			if end < 0 {
				// Unclosed function: the browser closes it at the end of the
				// value, so do the same.
				end = len(toks)
			}
			args := toks[i+1 : end]
			i = end
			if name == "url" {
				if depth > 0 || !s.urls {
					return false
				}
				args = trimCSSWhitespace(args)
				if len(args) != 1 || args[0].typ != cssString {
					return false
				}
				if !s.writeURL(args[0].value) {
					return false
				}
				continue
			}
			if !allowedCSSFunctions[name] || depth >= maxCSSFuncDepth {
				return false
			}
			s.write(name+"(", true)
			s.lastWord = false
			if !s.serialize(trimCSSWhitespace(args), depth+1, name) {
				return false
			}
			s.b.WriteByte(')')
			s.plainLen++
			s.lastWord = true
		default:
			// Brackets, braces, bare parentheses, colons, semicolons,
			// at-keywords, bad strings/URLs, CDO/CDC and other delimiters.
			return false
		}
	}
	return true
}

// matchingParen returns the index of the ")" closing the function or
// parenthesis at toks[open], or -1.
func matchingParen(toks []cssToken, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch toks[i].typ {
		case cssFunction, cssLParen:
			depth++
		case cssRParen:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// writeURL writes url("...") for an allowed URL, "none" for one that is
// blocked (remote while remote content is off, unknown cid:), and reports
// false for anything else (javascript:, relative URLs, ...).
func (s *valueSerializer) writeURL(raw string) bool {
	u := classifyURL(raw)
	switch u.kind {
	case urlRemote:
		if s.env == nil || !s.env.remote {
			if s.env != nil && s.env.strict {
				return false
			}
			if s.env != nil {
				s.env.remoteBlocked()
			}
			s.write("none", true)
			return true
		}
		s.write(`url("`+cssEscapeURL(u.clean)+`")`, true)
		return true
	case urlCID:
		if s.env != nil && s.env.strict {
			return false
		}
		if s.env != nil && s.env.cid != nil {
			if src, ok := s.env.cid(u.cid); ok {
				if d, ok := cleanDataImage(src); ok {
					s.env.usedCID(u.cid)
					s.write(`url("`, true)
					s.b.WriteString(d)
					s.write(`")`, false)
					s.lastWord = true
					return true
				}
			}
		}
		s.write("none", true)
		return true
	case urlDataImage:
		s.write(`url("`, true)
		s.b.WriteString(u.clean) // only base64 characters, checked
		s.write(`")`, false)
		s.lastWord = true
		return true
	}
	return false
}

// isPlainIdent reports whether s can be written as an identifier without
// escapes and is read back as the same identifier.
func isPlainIdent(s string) bool {
	if s == "" || !isNameChars(s) {
		return false
	}
	if s[0] >= '0' && s[0] <= '9' {
		return false
	}
	if s[0] == '-' && len(s) > 1 && s[1] >= '0' && s[1] <= '9' {
		return false
	}
	return s != "-"
}

// isNameChars reports whether s only has ASCII letters, digits, "-" and "_".
func isNameChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// cssQuote writes s as a double-quoted CSS string. Only printable ASCII
// other than quote, backslash and angle brackets is written as is; anything
// else becomes a hex escape, so the result never contains "<", a newline or
// a quote that could end the string or the surrounding <style>/attribute.
func cssQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' && r != '<' && r != '>' && r != '&' {
			b.WriteRune(r)
			continue
		}
		b.WriteByte('\\')
		b.WriteString(strconv.FormatInt(int64(r), 16))
		b.WriteByte(' ')
	}
	b.WriteByte('"')
	return b.String()
}

// cssEscapeURL percent-encodes whatever could end a quoted url("...") or
// confuse a reader: quotes, backslashes, parentheses, angle brackets,
// whitespace, controls and non-ASCII.
func cssEscapeURL(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte(`"'\()<>`, c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// Style sheets.

// sanitizeStylesheet filters the text of <style> blocks. It keeps ordinary
// rules and @media blocks, with selectors and declarations re-serialised;
// every other at-rule (@import, @font-face, @namespace, @keyframes,
// @supports, @page, @layer, @property, ...) is dropped, as is any rule that
// does not parse. Class and ID selectors get the same prefix as the class
// and id attributes of the sanitised markup.
func sanitizeStylesheet(src string, env *cssEnv) string {
	var b strings.Builder
	writeRules(&b, cssTokenize(src), env, 0)
	return b.String()
}

func writeRules(b *strings.Builder, toks []cssToken, env *cssEnv, depth int) {
	i := 0
	for i < len(toks) {
		switch toks[i].typ {
		case cssWhitespace, cssCDO, cssCDC, cssSemicolon:
			i++
			continue
		case cssAtKeyword:
			name := strings.ToLower(toks[i].value)
			preludeEnd, blockEnd := ruleExtent(toks, i+1)
			if blockEnd < 0 {
				i = preludeEnd + 1
				continue
			}
			if name == "media" && depth < maxCSSMediaDepth {
				if q, ok := sanitizeMediaQuery(toks[i+1 : preludeEnd]); ok {
					var inner strings.Builder
					writeRules(&inner, toks[preludeEnd+1:blockEnd], env, depth+1)
					if inner.Len() > 0 {
						b.WriteString("@media " + q + "{" + inner.String() + "}\n")
					}
				}
			}
			// Every other at-rule is dropped. @import in particular is
			// never kept (a remote sheet cannot be filtered) and is not
			// reported as blocked remote content, since allowing remote
			// content would not bring it back.
			i = blockEnd + 1
		default:
			preludeEnd, blockEnd := ruleExtent(toks, i)
			if blockEnd < 0 {
				// A qualified rule without a block is dropped entirely; the
				// browser would do the same.
				i = len(toks)
				continue
			}
			sel, ok := sanitizeSelectorList(toks[i:preludeEnd])
			if ok {
				decls := sanitizeDeclarations(toks[preludeEnd+1:blockEnd], env)
				if decls != "" {
					b.WriteString(sel + "{" + decls + "}\n")
				}
			}
			i = blockEnd + 1
		}
	}
}

// ruleExtent finds, from start, the "{" opening the rule's block (or the ";"
// ending an at-rule without one) and the matching "}". blockEnd is -1 when
// the rule has no block; then preludeEnd is where the rule ends.
func ruleExtent(toks []cssToken, start int) (preludeEnd, blockEnd int) {
	depth := 0
	for i := start; i < len(toks); i++ {
		switch toks[i].typ {
		case cssFunction, cssLParen, cssLBracket:
			depth++
		case cssRParen, cssRBracket:
			if depth > 0 {
				depth--
			}
		case cssSemicolon:
			if depth == 0 {
				return i, -1
			}
		case cssLBrace:
			if depth == 0 {
				return i, matchingBrace(toks, i)
			}
			depth++
		case cssRBrace:
			if depth > 0 {
				depth--
			}
		}
	}
	return len(toks), -1
}

func matchingBrace(toks []cssToken, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch toks[i].typ {
		case cssLBrace:
			depth++
		case cssRBrace:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	// Unclosed block: it runs to the end of the sheet, as in a browser.
	return len(toks)
}

func sanitizeMediaQuery(toks []cssToken) (string, bool) {
	toks = trimCSSWhitespace(toks)
	var b strings.Builder
	depth := 0
	lastWord := false
	for _, tok := range toks {
		word := false
		switch tok.typ {
		case cssWhitespace:
			b.WriteByte(' ')
			lastWord = false
			continue
		case cssIdent:
			if !isPlainIdent(tok.value) {
				return "", false
			}
			if lastWord {
				b.WriteByte(' ')
			}
			b.WriteString(tok.value)
			word = true
		case cssNumber:
			if lastWord {
				b.WriteByte(' ')
			}
			b.WriteString(tok.num)
			word = true
		case cssDimension:
			if !isLetters(tok.value) {
				return "", false
			}
			if lastWord {
				b.WriteByte(' ')
			}
			b.WriteString(tok.num + tok.value)
			word = true
		case cssLParen:
			depth++
			if depth > 2 {
				return "", false
			}
			b.WriteByte('(')
		case cssRParen:
			depth--
			if depth < 0 {
				return "", false
			}
			b.WriteByte(')')
		case cssColon:
			b.WriteByte(':')
		case cssComma:
			b.WriteByte(',')
		case cssDelim:
			if tok.value != "/" {
				return "", false
			}
			b.WriteByte('/')
		default:
			return "", false
		}
		lastWord = word
	}
	if depth != 0 || b.Len() == 0 || b.Len() > maxCSSSelectorLen {
		return "", false
	}
	return b.String(), true
}

// classPrefix is put before every class name and id kept, in the markup
// and in style sheets alike, so mail cannot style (or impersonate) anything
// the app itself puts in the document.
const classPrefix = "m_"

// allowedPseudoFunctions are the functional pseudo-classes kept in
// selectors.
var allowedPseudoFunctions = map[string]bool{
	"not": true, "is": true, "where": true,
	"nth-child": true, "nth-last-child": true, "nth-of-type": true, "nth-last-of-type": true,
	"lang": true, "dir": true,
}

func sanitizeSelectorList(toks []cssToken) (string, bool) {
	toks = trimCSSWhitespace(toks)
	if len(toks) == 0 {
		return "", false
	}
	var b strings.Builder
	if !writeSelector(&b, toks, 0) || b.Len() > maxCSSSelectorLen {
		return "", false
	}
	return b.String(), true
}

func writeSelector(b *strings.Builder, toks []cssToken, depth int) bool {
	lastWord := false
	space := func(word bool) {
		if word && lastWord {
			b.WriteByte(' ')
		}
		lastWord = word
	}
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		switch tok.typ {
		case cssWhitespace:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), " ") {
				b.WriteByte(' ')
			}
			lastWord = false
		case cssIdent:
			if !isPlainIdent(tok.value) {
				return false
			}
			space(true)
			b.WriteString(tok.value)
		case cssNumber, cssDimension:
			// Only inside :nth-*() arguments ("2n+1", "3").
			if depth == 0 || (tok.typ == cssDimension && !isNameChars(tok.value)) {
				return false
			}
			space(true)
			b.WriteString(tok.num + tok.value)
		case cssHash:
			if !isNameChars(tok.value) {
				return false
			}
			space(false)
			b.WriteString("#" + classPrefix + tok.value)
			lastWord = true
		case cssComma:
			space(false)
			b.WriteByte(',')
		case cssDelim:
			switch tok.value {
			case "*", ">", "+", "~":
				space(false)
				b.WriteString(tok.value)
			case "-":
				if depth == 0 {
					return false
				}
				space(false)
				b.WriteString(tok.value)
			case ".":
				if i+1 >= len(toks) || toks[i+1].typ != cssIdent || !isNameChars(toks[i+1].value) {
					return false
				}
				i++
				space(false)
				b.WriteString("." + classPrefix + toks[i].value)
				lastWord = true
			default:
				return false
			}
		case cssColon:
			space(false)
			b.WriteByte(':')
			if i+1 < len(toks) && toks[i+1].typ == cssColon {
				i++
				b.WriteByte(':')
			}
			if i+1 >= len(toks) {
				return false
			}
			i++
			switch next := toks[i]; next.typ {
			case cssIdent:
				if !isPlainIdent(next.value) {
					return false
				}
				b.WriteString(next.value)
				lastWord = true
			case cssFunction:
				name := strings.ToLower(next.value)
				end := matchingParen(toks, i)
				if !allowedPseudoFunctions[name] || end < 0 || depth >= 3 {
					return false
				}
				b.WriteString(name + "(")
				if !writeSelector(b, trimCSSWhitespace(toks[i+1:end]), depth+1) {
					return false
				}
				b.WriteByte(')')
				i = end
				lastWord = true
			default:
				return false
			}
		case cssLBracket:
			end := -1
			for j := i + 1; j < len(toks); j++ {
				if toks[j].typ == cssRBracket {
					end = j
					break
				}
			}
			if end < 0 {
				return false
			}
			s, ok := attributeSelector(trimCSSWhitespace(toks[i+1 : end]))
			if !ok {
				return false
			}
			space(false)
			b.WriteString(s)
			lastWord = true
			i = end
		default:
			return false
		}
	}
	return true
}

// attributeSelector re-serialises the inside of [...]. Selectors on class
// and id are refused: their values are prefixed in the markup.
func attributeSelector(toks []cssToken) (string, bool) {
	if len(toks) == 0 || toks[0].typ != cssIdent || !isPlainIdent(toks[0].value) {
		return "", false
	}
	name := strings.ToLower(toks[0].value)
	if name == "class" || name == "id" {
		return "", false
	}
	rest := trimCSSWhitespace(toks[1:])
	if len(rest) == 0 {
		return "[" + name + "]", true
	}
	op := ""
	if rest[0].typ == cssDelim && strings.Contains("~|^$*", rest[0].value) && len(rest) > 1 && rest[1].typ == cssDelim && rest[1].value == "=" {
		op = rest[0].value + "="
		rest = rest[2:]
	} else if rest[0].typ == cssDelim && rest[0].value == "=" {
		op = "="
		rest = rest[1:]
	} else {
		return "", false
	}
	rest = trimCSSWhitespace(rest)
	if len(rest) == 0 {
		return "", false
	}
	var val string
	switch rest[0].typ {
	case cssIdent:
		if !isPlainIdent(rest[0].value) {
			return "", false
		}
		val = rest[0].value
	case cssString:
		val = cssQuote(rest[0].value)
	default:
		return "", false
	}
	rest = trimCSSWhitespace(rest[1:])
	flag := ""
	if len(rest) == 1 && rest[0].typ == cssIdent && (strings.EqualFold(rest[0].value, "i") || strings.EqualFold(rest[0].value, "s")) {
		flag = " " + strings.ToLower(rest[0].value)
	} else if len(rest) != 0 {
		return "", false
	}
	return "[" + name + op + val + flag + "]", true
}
