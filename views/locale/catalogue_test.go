package locale

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/language"
)

// pluralForms are the CLDR plural forms each language's plural messages
// must have (go-i18n picks one by the count).
var pluralForms = map[language.Tag][]string{
	language.English: {"one", "other"},
	language.German:  {"one", "other"},
	language.Arabic:  {"zero", "one", "two", "few", "many", "other"},
}

// entry is one message of a catalogue: its plural forms (a simple message
// has only "other").
type entry map[string]string

func readCatalogue(t *testing.T, tag language.Tag) map[string]entry {
	t.Helper()
	data, err := files.ReadFile(tag.String() + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s.toml: %v", tag, err)
	}
	out := map[string]entry{}
	for id, v := range raw {
		switch v := v.(type) {
		case string:
			out[id] = entry{"other": v}
		case map[string]any:
			e := entry{}
			for form, s := range v {
				str, ok := s.(string)
				if !ok {
					t.Errorf("%s.toml: %s.%s is not a string", tag, id, form)
				}
				e[form] = str
			}
			out[id] = e
		default:
			t.Errorf("%s.toml: %s is neither a string nor a table of plural forms", tag, id)
		}
	}
	return out
}

var placeholder = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestCatalogues checks every language against English and against the
// code: no id the code uses is missing, none is left that nobody uses,
// every translation has the placeholders of the English text and the
// plural forms its language needs. To add a language, copy en.toml to
// <tag>.toml, translate it, add the tag to Languages and run this test.
func TestCatalogues(t *testing.T) {
	t.Parallel()
	source := moduleSource(t)
	en := readCatalogue(t, language.English)

	used := usedIDs(t)
	for _, u := range used {
		if _, ok := en[u.id]; !ok {
			t.Errorf("%s uses message id %q, which en.toml lacks", u.at, u.id)
		}
	}
	for id := range en {
		if !strings.Contains(source, strconv.Quote(id)) {
			t.Errorf("en.toml: message id %q is used nowhere in the code: delete it from every catalogue", id)
		}
	}

	for _, tag := range Languages {
		cat := readCatalogue(t, tag)
		for id, want := range en {
			got, ok := cat[id]
			if !ok {
				t.Errorf("%s.toml lacks %q (English: %q)", tag, id, want["other"])
				continue
			}
			if len(want) > 1 || len(got) > 1 { // a plural message
				for _, form := range pluralForms[tag] {
					if _, ok := got[form]; !ok {
						t.Errorf("%s.toml: %s lacks the plural form %q", tag, id, form)
					}
				}
			}
			wantPH := placeholders(want["other"])
			if gotPH := placeholders(got["other"]); !slices.Equal(gotPH, wantPH) {
				t.Errorf("%s.toml: %s has the placeholders %v, English %v", tag, id, gotPH, wantPH)
			}
			for form, s := range got {
				if _, err := (fill{}).Parse(s, "", ""); err != nil {
					t.Errorf("%s.toml: %s.%s: %v", tag, id, form, err)
				}
				// Other forms may leave the number out ("one message"),
				// never add a placeholder English does not fill.
				for _, p := range placeholders(s) {
					if !slices.Contains(wantPH, p) {
						t.Errorf("%s.toml: %s.%s has the placeholder %s, which English lacks", tag, id, form, p)
					}
				}
			}
		}
		for id := range cat {
			if _, ok := en[id]; !ok {
				t.Errorf("%s.toml has %q, which en.toml lacks (left over?)", tag, id)
			}
		}
	}
}

// root is the module's root directory.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("no go.mod two levels up: %v", err)
	}
	return dir
}

// goFiles are the module's Go files that are not tests.
func goFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root(t), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// moduleSource is the text of every Go file that is not a test.
func moduleSource(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, f := range goFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

type use struct{ id, at string }

// idArg is which argument of a call names a message id: T(ctx, id),
// tr(r, id), Localizer.T(id), webmail.Say(id), webmail.Errorf(code, id).
var idArg = map[string]int{"T": 1, "tr": 1, "Say": 0, "Errorf": 1}

// usedIDs are the message ids the code names as literals where a message
// id goes: the calls of idArg (views' generated *_templ.go included) and
// the Message of a webmail.Error.
func usedIDs(t *testing.T) []use {
	t.Helper()
	fset := token.NewFileSet()
	var out []use
	for _, path := range goFiles(t) {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var lit ast.Expr
			switch n := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := n.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
					if x, ok := fn.X.(*ast.Ident); ok && name == "T" && x.Name != "locale" && x.Name != "views" {
						name = "method T" // l.T(id, ...)
					}
				}
				i, ok := idArg[name]
				if name == "method T" {
					i, ok = 0, true
				}
				if name == "Errorf" {
					if sel, isSel := n.Fun.(*ast.SelectorExpr); !isSel || sel.X.(*ast.Ident).Name != "webmail" {
						ok = false // fmt.Errorf, or errorf with a translated message
					}
				}
				if ok && i < len(n.Args) {
					lit = n.Args[i]
				}
			case *ast.CompositeLit:
				if sel, ok := n.Type.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Error" || sel.X.(*ast.Ident).Name != "webmail" {
					return true
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "Message" {
						lit = kv.Value
					}
				}
			}
			if bl, ok := lit.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				id, err := strconv.Unquote(bl.Value)
				if err == nil {
					rel, _ := filepath.Rel(root(t), fset.Position(bl.Pos()).Filename)
					out = append(out, use{id: id, at: rel + ":" + strconv.Itoa(fset.Position(bl.Pos()).Line)})
				}
			}
			return true
		})
	}
	if len(out) < 100 {
		t.Fatalf("found only %d message ids in the code: is the search still right?", len(out))
	}
	return out
}
