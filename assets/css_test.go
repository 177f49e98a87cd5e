package assets

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/gorilla/css/scanner"
)

// TestCSSBaseline keeps the layout working in the browsers of the
// baseline (Firefox ESR 115, Safari 14, Chrome 90): :has() and container
// queries drop a whole rule where they are unknown, so they may only
// appear inside an @supports block, as an enhancement; the logical
// shorthands and insets Safari 14.0 lacks (it has the longhands such as
// margin-inline-start) may not appear at all.
func TestCSSBaseline(t *testing.T) {
	sheets, err := fs.Glob(files, "*.css")
	if err != nil || len(sheets) < 2 {
		t.Fatalf("stylesheets %v: %v", sheets, err)
	}
	for _, name := range sheets {
		data, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range baselineFaults(string(data)) {
			t.Errorf("%s: %s", name, f)
		}
	}
}

func TestBaselineFaults(t *testing.T) {
	for _, c := range []struct {
		css  string
		want int
	}{
		{`a:has(b) { color: red }`, 1},
		{`@container (min-width: 1px) { a { color: red } }`, 1},
		{`@supports selector(:has(a)) { a:has(b) { color: red } }`, 0},
		{`@supports selector(:has(a)) { a { color: red } } b:has(c) {}`, 1},
		{`@media (min-width: 1px) { a:has(b) {} }`, 1},
		{`/* :has( */ a { content: ":has(" }`, 0},
		{`a { margin-inline: 0 }`, 1},
		{`@media (min-width: 1px) { a { padding-block: 0; inset-inline-end: 0 } }`, 2},
		{`a { inset: 0; border-block: 1px solid }`, 2},
		{`a { margin-inline-start: 0; border-inline-end: 1px solid; padding-block-end: 0 }`, 0},
		{`a:hover { clip-path: inset(50%) }`, 0},
	} {
		if got := len(baselineFaults(c.css)); got != c.want {
			t.Errorf("%q: %d faults, want %d", c.css, got, c.want)
		}
	}
}

// tooNew are the properties Safari 14.0 does not know (14.1 brought them):
// the logical shorthands for both sides, and every logical inset.
var tooNew = map[string]bool{
	"margin-inline": true, "margin-block": true, "padding-inline": true, "padding-block": true,
	"border-inline": true, "border-block": true,
	"border-inline-color": true, "border-inline-style": true, "border-inline-width": true,
	"border-block-color": true, "border-block-style": true, "border-block-width": true,
	"inset": true, "inset-inline": true, "inset-inline-start": true, "inset-inline-end": true,
	"inset-block": true, "inset-block-start": true, "inset-block-end": true,
}

// baselineFaults lists every :has() and @container outside @supports,
// and every property of tooNew.
func baselineFaults(css string) []string {
	var faults []string
	s := scanner.New(css)
	depth := 0     // braces open
	supports := -1 // the depth an @supports block opened at, or -1
	pendingSupports := false
	var property *scanner.Token // a property of tooNew, if the last token
	for {
		tok := s.Next()
		if tok.Type == scanner.TokenS {
			continue
		}
		if property != nil && tok.Type == scanner.TokenChar && tok.Value == ":" {
			faults = append(faults, fmt.Sprintf("%s (Safari 14.1+) at line %d", property.Value, property.Line))
		}
		property = nil
		switch tok.Type {
		case scanner.TokenEOF:
			return faults
		case scanner.TokenError:
			return append(faults, fmt.Sprintf("unreadable CSS at line %d", tok.Line))
		case scanner.TokenAtKeyword:
			switch strings.ToLower(tok.Value) {
			case "@supports":
				pendingSupports = true
			case "@container":
				if supports < 0 {
					faults = append(faults, fmt.Sprintf("@container outside @supports at line %d", tok.Line))
				}
			}
		case scanner.TokenIdent:
			if depth > 0 && tooNew[strings.ToLower(tok.Value)] {
				property = tok
				continue
			}
		case scanner.TokenFunction:
			if strings.EqualFold(tok.Value, "has(") && supports < 0 && !pendingSupports {
				faults = append(faults, fmt.Sprintf(":has() outside @supports at line %d", tok.Line))
			}
		case scanner.TokenChar:
			switch tok.Value {
			case "{":
				if pendingSupports && supports < 0 {
					supports = depth
				}
				pendingSupports = false
				depth++
			case "}":
				depth--
				if depth == supports {
					supports = -1
				}
			}
		}
	}
}
