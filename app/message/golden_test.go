package message

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenInputs are representative messages: everyday ones under
// testdata/messages and a few from the hostile corpus.
var goldenInputs = []string{
	"testdata/messages/newsletter.eml",
	"testdata/messages/reply-flowed.eml",
	"testdata/messages/japanese.eml",
	"testdata/messages/forwarded.eml",
	"testdata/messages/bounce.eml",
	"testdata/messages/latin1-header.eml",
	"testdata/messages/encoded-words.eml",
	"testdata/messages/missing-boundary.eml",
	hostileDir + "/35-html-in-filename.eml",
	hostileDir + "/40-cid-image.eml",
	hostileDir + "/41-alternative-hostile-html.eml",
	hostileDir + "/26-position-fixed-overlay.eml",
	hostileDir + "/49-nested-message.eml",
	hostileDir + "/53-forwarded-nested-deep.eml",
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
	fmt.Fprintf(b, "Subject: %s\nFrom: %s\n", r.Subject, r.From)
	dumpBody(b, r.Body, "")
}

func dumpBody(b *strings.Builder, r Body, indent string) {
	fmt.Fprintf(b, "%sTruncated: %v\n", indent, r.Truncated)
	fmt.Fprintf(b, "%sLayout:\n", indent)
	for _, line := range summary(r.Layout) {
		fmt.Fprintf(b, "%s  %s\n", indent, line)
	}
	for _, p := range r.Layout.Downloads() {
		fmt.Fprintf(b, "%s  download %s as %q\n", indent, p.Section(), p.DownloadName())
	}
	fmt.Fprintf(b, "%sRemoteBlocked: %v\n%sCIDs: %q\n", indent, r.HTML.RemoteBlocked, indent, r.HTML.CIDs)
	fmt.Fprintf(b, "%s----- TextHTML\n%s%s\n", indent, indent, r.TextHTML)
	fmt.Fprintf(b, "%s----- HTML\n%s%s\n", indent, indent, r.HTML.HTML)
	for i, a := range r.Attached {
		in := indent + "    "
		e := a.Envelope
		fmt.Fprintf(b, "%s===== Attached message %d\n", in, i+1)
		fmt.Fprintf(b, "%sSubject: %s\n%sFrom: %v\n%sTo: %v\n%sCc: %v\n%sDate: %s\n", in, e.Subject, in, e.From, in, e.To, in, e.Cc, in, e.Date.Format(time.RFC3339))
		dumpBody(b, a.Body, in)
	}
}
