package views

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/a-h/templ"
)

// keepField is the input of a kept attachment: a ticked checkbox in the
// compose form, a hidden field in the login form. Its value is written as
// the page is, and carried content is streamed into it, escaped on the
// way, so that a page carrying a large file is never held whole.
func keepField(typ, name, id string, k KeptAttachment) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		var b strings.Builder
		b.WriteString(`<input type="` + typ + `" name="` + templ.EscapeString(name) + `"`)
		if id != "" {
			b.WriteString(` id="` + templ.EscapeString(id) + `"`)
		}
		if typ == "checkbox" {
			b.WriteString(` checked data-testid="keep"`)
			if k.Carried() {
				b.WriteString(` data-carried-size="` + strconv.FormatInt(k.Size, 10) + `"`)
			}
		}
		b.WriteString(` value="`)
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
		if k.Carried() {
			if err := k.Content(attrWriter{w}); err != nil {
				return err
			}
		} else if _, err := io.WriteString(w, templ.EscapeString(k.Value)); err != nil {
			return err
		}
		_, err := io.WriteString(w, `">`)
		return err
	})
}

// attrWriter escapes what is written through it for a quoted attribute
// value.
type attrWriter struct{ w io.Writer }

func (a attrWriter) Write(p []byte) (int, error) {
	start := 0
	for i, c := range p {
		var esc string
		switch c {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		default:
			continue
		}
		if _, err := a.w.Write(p[start:i]); err != nil {
			return start, err
		}
		if _, err := io.WriteString(a.w, esc); err != nil {
			return i, err
		}
		start = i + 1
	}
	if _, err := a.w.Write(p[start:]); err != nil {
		return start, err
	}
	return len(p), nil
}

// keptNames lists the carried attachments' names, for the words around
// them.
func keptNames(kept []KeptAttachment, carried bool) string {
	var names []string
	for _, k := range kept {
		if k.Carried() == carried {
			names = append(names, k.Name)
		}
	}
	return joinNames(names)
}

// hasCarried reports whether any of kept is carried in the page.
func hasCarried(kept []KeptAttachment) bool {
	for _, k := range kept {
		if k.Carried() {
			return true
		}
	}
	return false
}
