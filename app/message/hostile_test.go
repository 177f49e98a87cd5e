package message

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/emersion/go-message/textproto"
	"github.com/google/go-cmp/cmp"
)

const hostileDir = "../../testdata/hostile"

type hostileFile struct {
	name string
	raw  []byte
	h    textproto.Header
}

func hostileCorpus(t testing.TB) []hostileFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(hostileDir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 40 {
		t.Fatalf("hostile corpus has %d files, want at least 40", len(paths))
	}
	var out []hostileFile
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatalf("%s: header: %v", p, err)
		}
		out = append(out, hostileFile{name: filepath.Base(p), raw: raw, h: h})
	}
	return out
}

// TestHostileCorpus renders every message of testdata/hostile, with and
// without remote content, and checks the invariants on the result.
func TestHostileCorpus(t *testing.T) {
	t.Parallel()
	for _, f := range hostileCorpus(t) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			if f.h.Get("X-Test-Case") == "" {
				t.Errorf("no X-Test-Case header")
			}
			for _, remote := range []bool{false, true} {
				r, err := Render(bytes.NewReader(f.raw), SanitizeOptions{AllowRemote: remote})
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				if r.Layout.Text == nil && r.Layout.HTML == nil && len(r.Layout.Attachments) == 0 && len(r.Layout.Messages) == 0 {
					t.Errorf("remote=%v: nothing to show", remote)
				}
				for _, b := range bodies(r.Body) {
					for _, p := range sanitizedProblems(b.HTML.HTML, remote) {
						t.Errorf("remote=%v: HTML body: %s", remote, p)
					}
					for _, p := range sanitizedProblems(b.TextHTML, false) {
						t.Errorf("remote=%v: text body: %s", remote, p)
					}
				}
				wantBlocked := !remote && f.h.Get("X-Test-Remote-Blocked") == "yes"
				if r.HTML.RemoteBlocked != wantBlocked {
					t.Errorf("remote=%v: RemoteBlocked = %v, want %v", remote, r.HTML.RemoteBlocked, wantBlocked)
				}
				for _, s := range []string{r.Subject, r.From} {
					if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u202e' }); i >= 0 {
						t.Errorf("header text %q has a control or override character", s)
					}
				}
				for _, p := range append(r.Layout.Inline, r.Layout.Attachments...) {
					checkFilename(t, p.DownloadName())
					if p.Filename != "" {
						checkFilename(t, p.Filename)
					}
				}
			}
		})
	}
}

// bodies are b and the bodies of its attached messages, however nested.
func bodies(b Body) []Body {
	out := []Body{b}
	for _, a := range b.Attached {
		out = append(out, bodies(a.Body)...)
	}
	return out
}

func checkFilename(t *testing.T, name string) {
	t.Helper()
	if name == "" || strings.ContainsAny(name, "/\\\"'<>:|?*") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "-") ||
		strings.IndexFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 || len(name) > 255 {
		t.Errorf("unsafe file name %q", name)
	}
}

// TestHostileSpecifics checks what particular corpus files must give, beyond
// the general invariants.
func TestHostileSpecifics(t *testing.T) {
	t.Parallel()
	render := func(t *testing.T, name string, remote bool) *Rendered {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join(hostileDir, name))
		if err != nil {
			t.Fatal(err)
		}
		r, err := Render(bytes.NewReader(raw), SanitizeOptions{AllowRemote: remote})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	names := func(ps []Part) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Section()+" "+p.Type+" "+p.DownloadName())
		}
		return out
	}

	t.Run("subject and from stay text", func(t *testing.T) {
		t.Parallel()
		r := render(t, "33-html-in-subject.eml", false)
		want := "<img src=x onerror=alert(1)><script>alert(2)</script> <svg onload=alert(3)>"
		if diff := cmp.Diff(want, r.Subject); diff != "" {
			t.Errorf("Subject (-want +got):\n%s", diff)
		}
		r = render(t, "34-html-in-from.eml", false)
		want = "<img src=x onerror=alert(1)> <attacker@evil.example>, <script>alert(2)</script> <x@evil.example>, evil <y@evil.example>"
		if diff := cmp.Diff(want, r.From); diff != "" {
			t.Errorf("From (-want +got):\n%s", diff)
		}
	})
	t.Run("file names", func(t *testing.T) {
		t.Parallel()
		r := render(t, "35-html-in-filename.eml", false)
		want := []string{
			"2 application/pdf __img src=x onerror=alert(1)_.pdf",
			"3 application/octet-stream script_.exe",
			"4 application/octet-stream invoicefdp.exe",
		}
		if diff := cmp.Diff(want, names(r.Layout.Attachments)); diff != "" {
			t.Errorf("attachments (-want +got):\n%s", diff)
		}
		r = render(t, "37-rfc2231-traversal.eml", false)
		want = []string{
			"2 application/octet-stream passwd",
			"3 application/octet-stream %2F.bashrc",
			"4 application/octet-stream evil.dll",
			"5 application/octet-stream shadow",
			"6 application/octet-stream _CON.txt",
		}
		if diff := cmp.Diff(want, names(r.Layout.Attachments)); diff != "" {
			t.Errorf("attachments (-want +got):\n%s", diff)
		}
	})
	t.Run("cid image inlined, unused one attached", func(t *testing.T) {
		t.Parallel()
		r := render(t, "40-cid-image.eml", false)
		if diff := cmp.Diff([]string{"logo@example.org"}, r.HTML.CIDs); diff != "" {
			t.Errorf("CIDs (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"2 image/png logo.png"}, names(r.Layout.Inline)); diff != "" {
			t.Errorf("inline (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"3 image/png unused.png"}, names(r.Layout.Attachments)); diff != "" {
			t.Errorf("attachments (-want +got):\n%s", diff)
		}
		if got := strings.Count(r.HTML.HTML, "data:image/png;base64,"); got != 3 {
			t.Errorf("%d data: images, want 3 (img, table background, td style):\n%s", got, r.HTML.HTML)
		}
	})
	t.Run("alternative keeps both bodies", func(t *testing.T) {
		t.Parallel()
		r := render(t, "41-alternative-hostile-html.eml", false)
		if r.Layout.Text == nil || r.Layout.HTML == nil {
			t.Fatalf("layout %+v", r.Layout)
		}
		want := `<div class="text">Hello Alice, this is the plain text version. It is perfectly fine.</div>`
		if diff := cmp.Diff(want, r.TextHTML); diff != "" {
			t.Errorf("text (-want +got):\n%s", diff)
		}
	})
	t.Run("nested message is shown, sanitised like the message", func(t *testing.T) {
		t.Parallel()
		r := render(t, "49-nested-message.eml", false)
		if r.HTML.HTML != "" || r.Layout.HTML != nil {
			t.Errorf("the attached message's HTML became the message's: %q", r.HTML.HTML)
		}
		if len(r.Attached) != 1 {
			t.Fatalf("%d attached messages shown, want 1", len(r.Attached))
		}
		in := r.Attached[0]
		if in.Envelope.Subject != "Inner" || len(in.Envelope.From) != 1 || in.Envelope.From[0].Name != "Mallory" {
			t.Errorf("attached header %+v", in.Envelope)
		}
		if in.Layout.HTML == nil || strings.Contains(in.HTML.HTML, "alert") || strings.Contains(in.HTML.HTML, "onerror") {
			t.Errorf("attached HTML = %q", in.HTML.HTML)
		}
		if p, ok := r.Layout.Find([]int{2}); !ok || p.DownloadName() != "message.eml" {
			t.Errorf("the attached message cannot be downloaded: %+v", p)
		}
	})
	t.Run("base64 garbage still decodes", func(t *testing.T) {
		t.Parallel()
		r := render(t, "44-base64-garbage.eml", false)
		if !strings.Contains(r.HTML.HTML, "<p>decoded</p>") {
			t.Errorf("HTML = %q", r.HTML.HTML)
		}
	})
	t.Run("unknown charset still shows the text", func(t *testing.T) {
		t.Parallel()
		r := render(t, "43-unknown-charset.eml", false)
		if !strings.Contains(r.HTML.HTML, "Café") || !strings.Contains(r.HTML.HTML, "\uFFFD") {
			t.Errorf("HTML = %q", r.HTML.HTML)
		}
	})
	t.Run("broken MIME shows what it can", func(t *testing.T) {
		t.Parallel()
		r := render(t, "42-broken-mime.eml", false)
		if r.Layout.HTML == nil || !strings.Contains(r.HTML.HTML, "inner html") {
			t.Errorf("HTML = %q", r.HTML.HTML)
		}
	})
	t.Run("remote allowed keeps remote images", func(t *testing.T) {
		t.Parallel()
		r := render(t, "38-tracking-pixel.eml", true)
		if !strings.Contains(r.HTML.HTML, `src="https://tracker.example/open.gif?id=42&amp;u=alice%40example.org"`) {
			t.Errorf("HTML = %q", r.HTML.HTML)
		}
		if !strings.Contains(r.HTML.HTML, `referrerpolicy="no-referrer"`) {
			t.Errorf("no referrerpolicy: %q", r.HTML.HTML)
		}
	})
}
