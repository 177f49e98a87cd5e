package message

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenInputs are representative messages: everyday ones under
// testdata/messages and a few from the hostile corpus.
var goldenInputs = []string{
	"testdata/messages/newsletter.eml",
	"testdata/messages/reply-flowed.eml",
	"testdata/messages/japanese.eml",
	hostileDir + "/35-html-in-filename.eml",
	hostileDir + "/40-cid-image.eml",
	hostileDir + "/41-alternative-hostile-html.eml",
	hostileDir + "/26-position-fixed-overlay.eml",
}

// TestGolden renders each golden input with remote content blocked and
// allowed and compares a readable dump with testdata/golden/<name>.golden.
// Run with -update to rewrite the files after an intended change, and
// review the diff.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, in := range goldenInputs {
		name := strings.TrimSuffix(filepath.Base(in), ".eml")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			for _, remote := range []bool{false, true} {
				f, err := os.Open(in)
				if err != nil {
					t.Fatal(err)
				}
				r, err := Render(f, SanitizeOptions{AllowRemote: remote})
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
				dumpRendered(&b, r, remote)
			}
			got := b.String()
			path := filepath.Join("testdata", "golden", name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

func dumpRendered(b *strings.Builder, r *Rendered, remote bool) {
	fmt.Fprintf(b, "===== AllowRemote: %v\n", remote)
	fmt.Fprintf(b, "Subject: %s\nFrom: %s\nTruncated: %v\n", r.Subject, r.From, r.Truncated)
	fmt.Fprintf(b, "Layout:\n")
	for _, line := range summary(r.Layout) {
		fmt.Fprintf(b, "  %s\n", line)
	}
	for _, p := range r.Layout.Attachments {
		fmt.Fprintf(b, "  download %s as %q\n", p.Section(), p.DownloadName())
	}
	fmt.Fprintf(b, "RemoteBlocked: %v\nCIDs: %q\n", r.HTML.RemoteBlocked, r.HTML.CIDs)
	fmt.Fprintf(b, "----- TextHTML\n%s\n", r.TextHTML)
	fmt.Fprintf(b, "----- HTML\n%s\n", r.HTML.HTML)
}
