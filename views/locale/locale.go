// Package locale holds the webmail's message catalogues (one TOML file a
// language, embedded) and the Localizer that turns a message id into the
// person's language: plurals by CLDR rules (go-i18n), numbers, sizes and
// dates with the language's digits, separators, month and day names.
//
// Every string the webmail shows goes through Localizer.T. To add a
// language, copy en.toml to <tag>.toml, translate it, add the tag to
// Languages and run the catalogue test (go test ./views/locale).
package locale

import (
	"context"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Languages are the languages the webmail speaks, English first: it is
// the fallback and the source of every other catalogue.
var Languages = []language.Tag{language.English, language.German, language.Arabic}

//go:embed *.toml
var files embed.FS

// catalogue is the parsed catalogues, built once: they are embedded and
// never change while the process runs.
var catalogue = sync.OnceValue(func() *catalog {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &catalog{bundle: b, matcher: language.NewMatcher(Languages), locs: map[language.Tag]*Localizer{}}
	for _, tag := range Languages {
		name := tag.String() + ".toml"
		data, err := files.ReadFile(name)
		if err != nil {
			panic(err) // embedded: a build without its catalogue is broken
		}
		if _, err := b.ParseMessageFileBytes(data, name); err != nil {
			panic(fmt.Sprintf("locale: %s: %v", name, err)) // the catalogue test reports it first
		}
		c.locs[tag] = newLocalizer(c, tag, false)
	}
	return c
})

type catalog struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	locs    map[language.Tag]*Localizer
}

// Pick chooses the language of a request: the person's setting when it
// names a language the webmail speaks ("" means: the browser's), else the
// best match of the browser's Accept-Language header, else English.
func Pick(setting, acceptLanguage string) language.Tag {
	c := catalogue()
	if setting != "" {
		if t, err := language.Parse(setting); err == nil {
			if _, i, conf := c.matcher.Match(t); conf != language.No {
				return Languages[i]
			}
		}
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return language.English
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return language.English
	}
	return Languages[i]
}

// For is the Localizer of one of Languages (English for any other).
func For(tag language.Tag) *Localizer {
	c := catalogue()
	if l, ok := c.locs[tag]; ok {
		return l
	}
	return c.locs[language.English]
}

// Pseudo is English with every translated string marked ⟦like this⟧ (see
// Marked): a page rendered with it shows at once which text bypassed the
// catalogue.
func Pseudo() *Localizer { return newLocalizer(catalogue(), language.English, true) }

// Mark opens and Unmark closes every string the pseudo-locale translates.
const (
	Mark   = "⟦"
	Unmark = "⟧"
)

// Localizer translates into one language.
type Localizer struct {
	tag     language.Tag
	loc     *i18n.Localizer
	printer *message.Printer
	pseudo  bool
	zero    rune     // the language's digit zero: '0', or '٠' in Arabic
	decimal string   // the language's decimal separator
	plain   sync.Map // id → the message without placeholders, once looked up
}

func newLocalizer(c *catalog, tag language.Tag, pseudo bool) *Localizer {
	p := message.NewPrinter(tag)
	zero, _ := utf8.DecodeRuneInString(p.Sprint(number.Decimal(0)))
	decimal := strings.TrimFunc(p.Sprint(number.Decimal(1.5, number.MinFractionDigits(1))), unicode.IsDigit)
	return &Localizer{tag: tag, loc: i18n.NewLocalizer(c.bundle, tag.String()), printer: p, pseudo: pseudo, zero: zero, decimal: decimal}
}

// Tag is the language.
func (l *Localizer) Tag() language.Tag { return l.tag }

// Lang is the language's tag for <html lang>.
func (l *Localizer) Lang() string { return l.tag.String() }

// Dir is the writing direction for <html dir>: "rtl" or "ltr".
func (l *Localizer) Dir() string {
	if l.tag == language.Arabic {
		return "rtl"
	}
	return "ltr"
}

// T is the message id in the Localizer's language. args are name, value
// pairs filling the message's {{.Name}} placeholders; a "Count" chooses
// the plural form. Numbers are written with the language's digits. An id
// the catalogue lacks comes back as it is (the catalogue test catches it).
func (l *Localizer) T(id string, args ...any) string {
	if len(args) == 0 {
		if s, ok := l.plain.Load(id); ok {
			return s.(string)
		}
	}
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateParser: fill{}}
	if len(args) > 0 {
		data := make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			name, _ := args[i].(string)
			v := args[i+1]
			if n, ok := asInt(v); ok {
				if name == "Count" {
					cfg.PluralCount = n
				}
				v = l.Num(n)
			}
			data[name] = v
		}
		cfg.TemplateData = data
	}
	s, err := l.loc.Localize(cfg)
	if err != nil && s == "" {
		s = id
	}
	if l.pseudo {
		s = Mark + s + Unmark
	}
	if len(args) == 0 && err == nil {
		l.plain.Store(id, s) // a few hundred ids at most
	}
	return s
}

// asInt reports whether v is an integer, and which.
func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), true
	}
	return 0, false
}

// Num writes an integer with the language's digits and grouping.
func (l *Localizer) Num(n int64) string { return l.printer.Sprint(number.Decimal(n)) }

// digits writes n with at least width digits and no grouping (years,
// hours, minutes).
func (l *Localizer) digits(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	if l.zero == '0' {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return l.zero + r - '0'
		}
		return r
	}, s)
}

// Size writes a byte count for people: "999 B", "2 kB", "7.2 MB", with the
// language's decimal separator.
func (l *Localizer) Size(n int64) string {
	switch {
	case n < 1000:
		return l.T("SizeBytes", "N", l.digits(int(n), 1))
	case n < 1000*1000:
		return l.T("SizeKB", "N", l.digits(int((n+500)/1000), 1))
	default:
		tenths := (n + 50_000) / 100_000
		return l.T("SizeMB", "N", l.digits(int(tenths/10), 1)+l.decimal+l.digits(int(tenths%10), 1))
	}
}

type ctxKey struct{}

// With returns ctx carrying l: the app's middleware puts the request's
// Localizer there, and every view reaches it through From.
func With(ctx context.Context, l *Localizer) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From is the Localizer ctx carries, English when it carries none.
func From(ctx context.Context) *Localizer {
	if l, ok := ctx.Value(ctxKey{}).(*Localizer); ok {
		return l
	}
	return For(language.English)
}

// T translates id with the Localizer ctx carries (see Localizer.T).
func T(ctx context.Context, id string, args ...any) string {
	return From(ctx).T(id, args...)
}

// Unmarked strips the pseudo-locale's marks (tests compare text with it).
func Unmarked(s string) string {
	return strings.NewReplacer(Mark, "", Unmark, "").Replace(s)
}
