package assets

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gorilla/css/scanner"
)

// TestCSSBaseline keeps the layout working in the browsers of the
// baseline (Firefox ESR 115, Safari 14, Chrome 90): :has() and container
// queries drop a whole rule where they are unknown, so they may only
// appear inside an @supports block, as an enhancement.
func TestCSSBaseline(t *testing.T) {
	data, err := files.ReadFile("app.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range baselineFaults(string(data)) {
		t.Error(f)
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
	} {
		if got := len(baselineFaults(c.css)); got != c.want {
			t.Errorf("%q: %d faults, want %d", c.css, got, c.want)
		}
	}
}

// baselineFaults lists every :has() and @container outside @supports.
func baselineFaults(css string) []string {
	var faults []string
	s := scanner.New(css)
	depth := 0     // braces open
	supports := -1 // the depth an @supports block opened at, or -1
	pendingSupports := false
	for {
		tok := s.Next()
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
