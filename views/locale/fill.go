package locale

import (
	"fmt"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// fill is the template language of the catalogues: text with {{.Name}}
// placeholders and nothing else. A page fills hundreds of messages, and
// text/template (go-i18n's default) costs a dozen allocations a message;
// a parsed fill is kept with its message (Cacheable) and filling it costs
// one string.
type fill struct{}

func (fill) Cacheable() bool { return true }

// Parse splits src at its placeholders. Anything but {{.Name}} between
// the delimiters is an error (the catalogue test reports it).
func (fill) Parse(src, left, right string) (template.ParsedTemplate, error) {
	if left == "" {
		left = "{{"
	}
	if right == "" {
		right = "}}"
	}
	var out filled
	for {
		i := strings.Index(src, left)
		if i < 0 {
			out = append(out, piece{text: src})
			return out, nil
		}
		j := strings.Index(src[i:], right)
		if j < 0 {
			return nil, fmt.Errorf("locale: %q: %s without %s", src, left, right)
		}
		name, ok := strings.CutPrefix(strings.TrimSpace(src[i+len(left):i+j]), ".")
		if !ok || name == "" || strings.ContainsAny(name, " .|()") {
			return nil, fmt.Errorf("locale: %q: only {{.Name}} placeholders are allowed", src)
		}
		out = append(out, piece{text: src[:i]}, piece{name: name})
		src = src[i+j+len(right):]
	}
}

type piece struct{ text, name string }

type filled []piece

func (f filled) Execute(data any) (string, error) {
	values, _ := data.(map[string]any)
	var b strings.Builder
	for _, p := range f {
		if p.name == "" {
			b.WriteString(p.text)
			continue
		}
		switch v := values[p.name].(type) {
		case string:
			b.WriteString(v)
		case nil:
			// go-i18n's own PluralCount, or a value not given: nothing.
			if p.name == "PluralCount" {
				if n, ok := values["PluralCount"]; ok {
					fmt.Fprint(&b, n)
				}
			}
		default:
			fmt.Fprint(&b, v)
		}
	}
	return b.String(), nil
}
