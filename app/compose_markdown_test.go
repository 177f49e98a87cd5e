package app

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/emersion/go-message/mail"

	"webmail/app/compose"
)

// bodies are the text and HTML bodies of a delivered message, and its
// top-level media type.
type bodies struct {
	typ, text, html string
	attachments     int
}

func readBodies(t *testing.T, raw []byte) bodies {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var b bodies
	b.typ, _, _ = mime.ParseMediaType(mr.Header.Get("Content-Type"))
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			ct, params, _ := h.ContentType()
			switch ct {
			case "text/html":
				b.html = string(data)
			case "text/plain":
				b.text = string(data)
				if strings.EqualFold(params["format"], "flowed") {
					b.text = compose.Unflow(b.text, strings.EqualFold(params["delsp"], "yes"))
				}
			}
		case *mail.AttachmentHeader:
			b.attachments++
		}
	}
	return b
}

// markdownBody is typed as Markdown, with what a sanitiser must remove.
const markdownBody = "Hello **Ann**,\n\n- the plan\n- [the map](https://example.org/map)\n\n<script>alert(1)</script>\n[click](javascript:alert(1))\n<img src=x onerror=alert(2)>\n"

// TestSendMarkdown: the SMTP server receives multipart/alternative whose
// text is what was typed and whose HTML is the Markdown rendered and
// sanitised; plain text sends text alone.
func TestSendMarkdown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)

	doc := c.page(t, "/compose", http.StatusOK)
	if got := doc.Find("[data-testid=format-select] option[selected]").AttrOr("value", ""); got != "markdown" {
		t.Errorf("a new message's format is %q, want markdown", got)
	}
	send := func(format string, files ...upfile) bodies {
		t.Helper()
		fields := with(composeFields(doc), "to", "ann@example.net", "subject", "Plan", "body", markdownBody, "smtp_blob", blob, "format", format)
		resp := c.postForm(t, "/compose/send", fields, files...)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("send: status %d\n%s", resp.StatusCode, body)
		}
		return readBodies(t, lastDelivery(t, e.demo).Data)
	}

	got := send("markdown")
	if got.typ != "multipart/alternative" {
		t.Errorf("sent as %s, want multipart/alternative", got.typ)
	}
	if got.text != markdownBody {
		t.Errorf("text part %q, want the Markdown as typed %q", got.text, markdownBody)
	}
	for _, want := range []string{"<strong>Ann</strong>", "<li>the plan</li>", `<a href="https://example.org/map"`, "&lt;script&gt;"} {
		if !strings.Contains(got.html, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, got.html)
		}
	}
	checkInertHTML(t, got.html)

	got = send("markdown", testFiles()[1])
	if got.typ != "multipart/mixed" || got.text != markdownBody || !strings.Contains(got.html, "<strong>Ann</strong>") || got.attachments != 1 {
		t.Errorf("with a file: %s, text %q, HTML %q, %d attachments", got.typ, got.text, got.html, got.attachments)
	}

	got = send("plain")
	if got.typ != "text/plain" || got.html != "" || got.text != markdownBody {
		t.Errorf("plain text sent as %s with HTML %q and text %q", got.typ, got.html, got.text)
	}
}

// checkInertHTML fails on active content in a sent HTML body.
func checkInertHTML(t *testing.T, body string) {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if n := doc.Find("script, iframe, object, embed, form, img").Length(); n > 0 {
		t.Errorf("%d active or remote elements in %s", n, body)
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") || strings.Contains(strings.ToLower(a.Val), "javascript:") {
				t.Errorf("<%s %s=%q> in the HTML", goquery.NodeName(s), a.Key, a.Val)
			}
		}
	})
}

// TestMarkdownDraftRoundTrip: a draft saved as Markdown opens with the
// Markdown as typed and the format still Markdown; one saved as plain
// text opens as plain text.
func TestMarkdownDraftRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	for _, format := range []string{"markdown", "plain"} {
		doc := c.page(t, "/compose", http.StatusOK)
		typed := "# Notes (" + format + ")\n\n* one *two*\n> quoted\n\nLast line with trailing words"
		doc = parse(t, c.postForm(t, "/compose/draft", with(composeFields(doc), "to", "ann@example.net", "subject", "Draft "+format, "body", typed, "format", format)), http.StatusOK)
		ref := doc.Find("[data-testid=compose-form] input[name=draft]").AttrOr("value", "")
		if ref == "" {
			t.Fatalf("%s: no draft saved", format)
		}
		doc = c.page(t, "/compose?draft="+ref, http.StatusOK)
		if got := doc.Find("textarea[name=body]").Text(); got != typed {
			t.Errorf("%s: the draft opens with %q, want %q", format, got, typed)
		}
		if got := doc.Find("[data-testid=format-select] option[selected]").AttrOr("value", ""); got != format {
			t.Errorf("the %s draft opens as %q", format, got)
		}
	}
}

// TestComposePreview: Preview shows the body as it will be read, keeps
// everything typed and the attachment (waiting in Drafts), and sends
// nothing.
func TestComposePreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	for _, header := range [][]string{nil, {"HX-Request", "true", "HX-Target", "message"}} {
		doc := c.page(t, "/compose", http.StatusOK, header...)
		if got := doc.Find("[data-testid=preview]").AttrOr("formaction", ""); got != "/compose/preview#preview" {
			t.Errorf("Preview posts to %q", got)
		}
		files := testFiles()[1:]
		fields := with(composeFields(doc), "to", "not an address", "subject", "Look", "body", markdownBody)
		resp := c.postForm(t, "/compose/preview", fields, files...)
		doc = parse(t, resp, http.StatusOK)
		pv := doc.Find("[data-testid=preview-body]")
		if pv.Find("strong").Text() != "Ann" || pv.Find("li").Length() != 2 {
			t.Errorf("%v: preview %q, want the Markdown rendered", header, text(pv))
		}
		if h, _ := pv.Html(); strings.Contains(h, "<script") || strings.Contains(h, "javascript:") || strings.Contains(h, "onerror") && !strings.Contains(h, "&lt;img") {
			t.Errorf("%v: preview not sanitised: %s", header, h)
		}
		if got := doc.Find("textarea[name=body]").Text(); got != markdownBody {
			t.Errorf("%v: body after preview %q", header, got)
		}
		if got := doc.Find("[name=to]").AttrOr("value", ""); got != "not an address" {
			t.Errorf("%v: To after preview %q", header, got)
		}
		if doc.Find("[data-testid=error-to]").Length() != 0 {
			t.Errorf("%v: preview complains about the address", header)
		}
		checkKept(t, doc, "d:", files)
		if n := len(e.demo.Received()); n != 0 {
			t.Errorf("preview sent %d messages", n)
		}

		fields = with(composeFields(doc), "format", "plain")
		doc = parse(t, c.postForm(t, "/compose/preview", fields), http.StatusOK)
		if pv := doc.Find("[data-testid=preview-body]"); pv.Find("strong").Length() != 0 || !strings.Contains(pv.Text(), "**Ann**") {
			t.Errorf("%v: plain preview %q", header, text(pv))
		}
		checkKept(t, doc, "d:", files)
	}
}

const newsletterSubject = "Spring Collection: up to 40% off trail gear" // HTML only

// TestReplyToHTMLOnly: a reply to a message that has only HTML quotes its
// text, not its markup.
func TestReplyToHTMLOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	href := c.findMessage(t, "INBOX", newsletterSubject)

	doc := c.page(t, href+"/reply", http.StatusOK)
	body := doc.Find("textarea[name=body]").Text()
	for _, want := range []string{"> Trail running shoes: 40% off", "> Ultralight tents for two"} {
		if !strings.Contains(body, want) {
			t.Errorf("the reply quotes %q, want a line %q", body, want)
		}
	}
	for _, bad := range []string{"<td", "<style", "font-family", "&rarr;"} {
		if strings.Contains(body, bad) {
			t.Errorf("the reply quotes markup %q:\n%s", bad, body)
		}
	}
	resp := c.postForm(t, "/compose/send", with(composeFields(doc), "body", "Thanks!\n"+body, "smtp_blob", blob))
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", resp.StatusCode)
	}
	got := readBodies(t, lastDelivery(t, e.demo).Data)
	if !strings.Contains(got.html, "<blockquote>") || !strings.Contains(got.html, "Ultralight tents for two") {
		t.Errorf("the reply's HTML does not quote the original in a blockquote:\n%s", got.html)
	}
}

// TestForwardKeepsHTML: forwarding an HTML message sends the person's
// Markdown and then the original's own HTML (sanitised, its remote images
// left for the recipient's program to decide); the text part is the form's
// text. A preview shows the same without remote images.
func TestForwardKeepsHTML(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	href := c.findMessage(t, "INBOX", newsletterSubject)

	doc := c.page(t, href+"/forward", http.StatusOK)
	typed := "Look at **this**.\n" + doc.Find("textarea[name=body]").Text()
	fields := with(composeFields(doc), "to", "ann@example.net", "body", typed, "smtp_blob", blob)

	pdoc := parse(t, c.postForm(t, "/compose/preview", fields), http.StatusOK)
	pv := pdoc.Find("[data-testid=preview-body]")
	if pv.Find("strong").First().Text() != "this" || !strings.Contains(pv.Text(), "Rain jackets that actually breathe") || pv.Find("table").Length() == 0 {
		t.Errorf("the preview lacks the note or the original's HTML: %q", text(pv))
	}
	if pv.Find("img[src^=http]").Length() != 0 {
		t.Error("the preview loads the original's remote images")
	}

	resp := c.postForm(t, "/compose/send", fields)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", resp.StatusCode)
	}
	got := readBodies(t, lastDelivery(t, e.demo).Data)
	if got.text != typed {
		t.Errorf("text part %q, want the form's text %q", got.text, typed)
	}
	hdoc, _ := goquery.NewDocumentFromReader(strings.NewReader(got.html))
	if hdoc.Find("strong").First().Text() != "this" {
		t.Errorf("the note is not rendered: %s", got.html)
	}
	fwd := hdoc.Find(".forwarded")
	if !strings.Contains(fwd.Find("p").First().Text(), "From: ") || fwd.Find("table").Length() == 0 || fwd.Find("a.m_button").Length() != 1 {
		t.Errorf("the original's HTML is not kept:\n%s", got.html)
	}
	if fwd.Find(`img[src^="https://img."]`).Length() == 0 {
		t.Errorf("the original's images are gone:\n%s", got.html)
	}
	if hdoc.Find("script").Length() != 0 || strings.Contains(got.html, "track.example.net/open.gif") && fwd.Find("img[onload]").Length() != 0 {
		t.Error("the forwarded HTML is not sanitised")
	}
}

// tinyPNG is a 2×2 PNG.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestInlineImages: an image pasted into the Markdown (a file of the form
// and its "inline" marker) shows in the preview, waits in Drafts as a part
// of the draft, comes back with its marker when the draft is opened, and
// is sent inline: in a multipart/related with the HTML, which shows it by
// cid:.
func TestInlineImages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	const cid = "k3x9q@inline.webmail"
	pic := upfile{"pasted-k3x9q.png", "image/png", tinyPNG(t)}
	other := testFiles()[0]
	body := "The spot:\n\n![the spot](cid:" + cid + ")\n"

	doc := c.page(t, "/compose", http.StatusOK)
	fields := with(composeFields(doc), "to", "ann@example.net", "subject", "Here", "body", body)
	fields = append(fields, [2]string{"inline", cid + " " + pic.name})
	doc = parse(t, c.postForm(t, "/compose/preview", fields, other, pic), http.StatusOK)
	if src := doc.Find("[data-testid=preview-body] img").AttrOr("src", ""); !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Errorf("the preview shows the image from %q, want its content", src)
	}
	checkKept(t, doc, "d:", []upfile{other, pic})
	if got := doc.Find("input[name=inline]").AttrOr("value", ""); got != cid+" "+pic.name {
		t.Errorf("the marker came back as %q", got)
	}
	ref := doc.Find("[data-testid=compose-form] input[name=draft]").AttrOr("value", "")

	// The draft, opened again, still has the image inline.
	doc = c.page(t, "/compose?draft="+ref, http.StatusOK)
	if got := doc.Find("input[name=inline]").AttrOr("value", ""); got != cid+" "+pic.name {
		t.Errorf("the reopened draft's marker is %q", got)
	}
	doc = parse(t, c.postForm(t, "/compose/preview", composeFields(doc)), http.StatusOK)
	if src := doc.Find("[data-testid=preview-body] img").AttrOr("src", ""); !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Errorf("the reopened draft's preview shows the image from %q", src)
	}

	resp := c.postForm(t, "/compose/send", with(composeFields(doc), "smtp_blob", blob))
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", resp.StatusCode)
	}
	raw := lastDelivery(t, e.demo).Data
	got := readBodies(t, raw)
	if !strings.Contains(got.html, `src="cid:`+cid+`"`) {
		t.Errorf("the HTML does not show the image by cid: %s", got.html)
	}
	if got.attachments != 1 {
		t.Errorf("%d attachments, want the PDF only", got.attachments)
	}
	s := string(raw)
	if !strings.Contains(s, "multipart/related") || !strings.Contains(s, "Content-Id: <"+cid+">") && !strings.Contains(s, "Content-ID: <"+cid+">") {
		t.Errorf("no multipart/related with the image's Content-ID:\n%.3000s", s)
	}
	mr, _ := mail.CreateReader(bytes.NewReader(raw))
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatal("the image is not in the message")
		}
		if p.Header.Get("Content-Id") == "<"+cid+">" {
			data, _ := io.ReadAll(p.Body)
			if !bytes.Equal(data, pic.data) {
				t.Error("the inline image differs from the one pasted")
			}
			break
		}
	}
}
