package demo

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"image/png"
	"io"
	"mime/quotedprintable"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

func TestIMAPLogin(t *testing.T) {
	s := startServer(t, Options{Empty: true})
	demo := demoAccount(s)
	c, err := imapclient.DialInsecure(s.IMAPAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, creds := range [][2]string{{demo.Login, "wrong"}, {demo.SMTPLogin, demo.SMTPPassword}, {"nobody@example.org", "demo"}} {
		if err := c.Login(creds[0], creds[1]).Wait(); err == nil {
			t.Errorf("LOGIN %s %s succeeded", creds[0], creds[1])
		}
	}
	if err := c.Login(demo.Login, demo.Password).Wait(); err != nil {
		t.Errorf("LOGIN with the IMAP credentials: %v", err)
	}
}

// TestDemoMailbox checks the generated mailbox through IMAP. The subtests
// share one server and only read.
func TestDemoMailbox(t *testing.T) {
	s := startServer(t, Options{})
	t.Run("List", func(t *testing.T) { testList(t, s) })
	t.Run("Inbox", func(t *testing.T) { testInbox(t, s) })
	t.Run("Thread", func(t *testing.T) { testThread(t, s) })
	t.Run("Bodies", func(t *testing.T) { testBodies(t, s) })
	t.Run("Search", func(t *testing.T) { testSearch(t, s) })
}

func testList(t *testing.T, s *Server) {
	c := dialIMAP(t, s, demoAccount(s).Login, demoAccount(s).Password)

	mailboxes, err := c.List("", "*", &imap.ListOptions{
		ReturnStatus: &imap.StatusOptions{NumMessages: true, NumUnseen: true},
	}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name     string
		attr     imap.MailboxAttr // special use or children
		messages uint32
		unseen   bool
	}{
		{"INBOX", imap.MailboxAttrHasNoChildren, 300, true},
		{"Archive", imap.MailboxAttrArchive, 30, false},
		{"Drafts", imap.MailboxAttrDrafts, 2, false},
		{"Junk", imap.MailboxAttrJunk, 5, true},
		{"Newsletters", imap.MailboxAttrHasNoChildren, 15, true},
		{"Projects", imap.MailboxAttrHasChildren, 3, false},
		{"Projects/Website", imap.MailboxAttrHasChildren, 3, true},
		{"Projects/Website/Launch", imap.MailboxAttrHasNoChildren, 4, true},
		{"Sent", imap.MailboxAttrSent, 20, false},
		{"Trash", imap.MailboxAttrTrash, 5, true},
	}
	if len(mailboxes) != len(want) {
		t.Errorf("LIST returned %d mailboxes, want %d", len(mailboxes), len(want))
	}
	for i, w := range want {
		if i >= len(mailboxes) {
			break
		}
		m := mailboxes[i]
		if m.Mailbox != w.name || m.Delim != '/' || !slices.Contains(m.Attrs, w.attr) {
			t.Errorf("mailbox %d = %q %q %v, want %q \"/\" with %s", i, m.Mailbox, m.Delim, m.Attrs, w.name, w.attr)
			continue
		}
		if m.Status == nil || *m.Status.NumMessages != w.messages || (*m.Status.NumUnseen > 0) != w.unseen {
			t.Errorf("%s: status %+v, want %d messages, unseen %v", w.name, m.Status, w.messages, w.unseen)
		}
	}

	special, err := c.List("", "*", &imap.ListOptions{SelectSpecialUse: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range special {
		names = append(names, m.Mailbox)
	}
	if want := []string{"Archive", "Drafts", "Junk", "Sent", "Trash"}; !slices.Equal(names, want) {
		t.Errorf("LIST (SPECIAL-USE) = %v, want %v", names, want)
	}

	top, err := c.List("", "%", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 8 {
		t.Errorf(`LIST "" %% returned %d mailboxes, want the 8 top-level ones`, len(top))
	}
}

// inboxMessage is what the tests know about an INBOX message.
type inboxMessage struct {
	*imapclient.FetchMessageBuffer
	parts map[string]*imap.BodyStructureSinglePart // by media type, and by file name
	path  map[*imap.BodyStructureSinglePart][]int
	multi []string // multipart subtypes
}

func fetchInbox(t *testing.T, c *imapclient.Client) map[string]*inboxMessage {
	t.Helper()
	bySubject := make(map[string]*inboxMessage)
	for _, m := range fetchAll(t, c, "INBOX", &imap.FetchOptions{
		UID: true, Flags: true, Envelope: true, InternalDate: true, RFC822Size: true,
		BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
	}) {
		im := &inboxMessage{
			FetchMessageBuffer: m,
			parts:              make(map[string]*imap.BodyStructureSinglePart),
			path:               make(map[*imap.BodyStructureSinglePart][]int),
		}
		m.BodyStructure.Walk(func(path []int, part imap.BodyStructure) bool {
			switch part := part.(type) {
			case *imap.BodyStructureSinglePart:
				im.parts[part.MediaType()] = part
				if name := part.Filename(); name != "" {
					im.parts[name] = part
				}
				im.path[part] = slices.Clone(path)
			case *imap.BodyStructureMultiPart:
				im.multi = append(im.multi, part.Subtype)
			}
			return true
		})
		if bySubject[m.Envelope.Subject] == nil {
			bySubject[m.Envelope.Subject] = im
		}
	}
	return bySubject
}

func testInbox(t *testing.T, s *Server) {
	c := dialIMAP(t, s, demoAccount(s).Login, demoAccount(s).Password)
	inbox := fetchInbox(t, c)

	for _, subject := range []string{
		subjectQuoted, subjectFlowed, subjectLinks, subjectNewsletter, subjectAlternative, subjectPDF,
		subjectPNG, subjectBig, subjectCID, subjectLatin1, subjectWindows1252, subjectShiftJIS, subjectKOI8R,
		subjectLong, subjectEmoji, subjectMany, subjectFilename, subjectThread, subjectNone,
	} {
		if inbox[subject] == nil {
			t.Errorf("no INBOX message with subject %q", subject)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	check := func(subject string, ok bool, what string) {
		t.Helper()
		if !ok {
			t.Errorf("%q: %s", subject, what)
		}
	}
	check(subjectFlowed, inbox[subjectFlowed].parts["text/plain"].Params["format"] == "flowed", "not format=flowed")
	check(subjectNewsletter, len(inbox[subjectNewsletter].multi) == 0 && inbox[subjectNewsletter].parts["text/html"] != nil, "not single-part HTML")
	check(subjectAlternative, slices.Equal(inbox[subjectAlternative].multi, []string{"alternative"}), "not multipart/alternative")
	check(subjectPDF, inbox[subjectPDF].parts["invoice-INV-10042.pdf"].MediaType() == "application/pdf", "no PDF attachment")
	check(subjectPNG, inbox[subjectPNG].parts["hike-lake.png"] != nil && inbox[subjectPNG].parts["hike-summit.png"] != nil, "no PNG attachments")
	check(subjectBig, inbox[subjectBig].RFC822Size > 5<<20 && inbox[subjectBig].parts["backup-archive.zip"] != nil, "no big attachment")
	check(subjectCID, slices.Contains(inbox[subjectCID].multi, "related") && inbox[subjectCID].parts["cake.png"].ID == "<cake@demo.example.net>", "no multipart/related with Content-ID")
	check(subjectFilename, inbox[subjectFilename].parts["Präsentation Q1 – Überblick.pdf"] != nil, "no attachment with a non-ASCII file name")
	check(subjectLatin1, inbox[subjectLatin1].Envelope.From[0].Name == "Françoise Müller", "ISO-8859-1 From name not decoded")
	for subject, cs := range map[string]legacyCharset{subjectLatin1: latin1, subjectWindows1252: windows1252, subjectShiftJIS: shiftJIS, subjectKOI8R: koi8r} {
		check(subject, inbox[subject].parts["text/plain"].Params["charset"] == string(cs), "body not in "+string(cs))
	}
	check(subjectMany, len(inbox[subjectMany].Envelope.To) == 12 && len(inbox[subjectMany].Envelope.Cc) == 3, "not many recipients")
	check(subjectNone, inbox[subjectNone].Envelope.From[0].Name == "Bob Chen", "not from Bob")

	if n := len(fetchAllSubjects(t, c, subjectThread)); n != 9 {
		t.Errorf("the thread has %d INBOX messages, want 9", n)
	}

	// Dates, flags.
	now := testNow()
	var seen, flagged, answered, today, yesterday, old int
	for _, m := range fetchAll(t, c, "INBOX", &imap.FetchOptions{Flags: true, Envelope: true, InternalDate: true}) {
		if !m.Envelope.Date.Equal(m.InternalDate) {
			t.Errorf("%q: Date %v differs from the internal date %v", m.Envelope.Subject, m.Envelope.Date, m.InternalDate)
		}
		if m.InternalDate.After(now) || m.InternalDate.Before(now.AddDate(0, 0, -185)) {
			t.Errorf("%q: date %v out of range", m.Envelope.Subject, m.InternalDate)
		}
		switch age := now.Sub(m.InternalDate); {
		case m.InternalDate.YearDay() == now.YearDay():
			today++
		case m.InternalDate.YearDay() == now.YearDay()-1:
			yesterday++
		case age > 90*24*time.Hour:
			old++
		}
		seen += boolInt(slices.Contains(m.Flags, imap.FlagSeen))
		flagged += boolInt(slices.Contains(m.Flags, imap.FlagFlagged))
		answered += boolInt(slices.Contains(m.Flags, imap.FlagAnswered))
	}
	if seen < 200 || seen > 295 || flagged == 0 || answered == 0 || today < 3 || yesterday < 3 || old < 50 {
		t.Errorf("INBOX has %d seen, %d flagged, %d answered; %d today, %d yesterday, %d older than 3 months",
			seen, flagged, answered, today, yesterday, old)
	}
}

func fetchAllSubjects(t *testing.T, c *imapclient.Client, subject string) []*imapclient.FetchMessageBuffer {
	t.Helper()
	data, err := c.UIDSearch(&imap.SearchCriteria{
		Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: subject}},
	}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.UIDSetNum(data.AllUIDs()...), &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func testThread(t *testing.T, s *Server) {
	c := dialIMAP(t, s, demoAccount(s).Login, demoAccount(s).Password)
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	inbox := fetchAllSubjects(t, c, subjectThread)
	if _, err := c.Select("Sent", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	sent := fetchAllSubjects(t, c, subjectThread)
	if len(inbox) != 9 || len(sent) != 3 {
		t.Fatalf("the thread has %d messages in INBOX and %d in Sent, want 9 and 3", len(inbox), len(sent))
	}
	all := append(inbox, sent...)
	slices.SortFunc(all, func(a, b *imapclient.FetchMessageBuffer) int { return a.Envelope.Date.Compare(b.Envelope.Date) })
	for i, m := range all {
		switch {
		case i == 0 && (m.Envelope.Subject != subjectThread || len(m.Envelope.InReplyTo) != 0):
			t.Errorf("first message: subject %q, In-Reply-To %v", m.Envelope.Subject, m.Envelope.InReplyTo)
		case i > 0 && (m.Envelope.Subject != "Re: "+subjectThread || !slices.Equal(m.Envelope.InReplyTo, []string{all[i-1].Envelope.MessageID})):
			t.Errorf("message %d: subject %q, In-Reply-To %v, want the previous %s", i, m.Envelope.Subject, m.Envelope.InReplyTo, all[i-1].Envelope.MessageID)
		}
	}
}

// testBodies fetches parts and checks their content.
func testBodies(t *testing.T, s *Server) {
	c := dialIMAP(t, s, demoAccount(s).Login, demoAccount(s).Password)
	inbox := fetchInbox(t, c)

	// part fetches a part with BODY[] and decodes its transfer encoding.
	// (BINARY[] would do it server-side, but go-imap's server then also
	// converts the charset with go-message, and fails without charsets
	// registered.)
	part := func(subject, key string) []byte {
		t.Helper()
		m := inbox[subject]
		p := m.parts[key]
		if p == nil {
			t.Fatalf("%q has no %s part", subject, key)
		}
		section := &imap.FetchItemBodySection{Part: m.path[p], Peek: true}
		msgs, err := c.Fetch(imap.UIDSetNum(m.UID), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = bytes.NewReader(msgs[0].FindBodySection(section))
		switch strings.ToLower(p.Encoding) {
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, r)
		case "quoted-printable":
			r = quotedprintable.NewReader(r)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%q %s part: %v", subject, key, err)
		}
		return b
	}

	for subject, want := range map[string]struct {
		charset legacyCharset
		text    string
	}{
		subjectLatin1:      {latin1, bodyLatin1},
		subjectWindows1252: {windows1252, bodyWindows1252},
		subjectShiftJIS:    {shiftJIS, bodyShiftJIS},
		subjectKOI8R:       {koi8r, bodyKOI8R},
	} {
		got, err := want.charset.decode(part(subject, "text/plain"))
		if err != nil || got != crlf(want.text) {
			t.Errorf("%q body = %q, %v; want %q", subject, got, err, want.text)
		}
	}

	if pdf := part(subjectPDF, "invoice-INV-10042.pdf"); !bytes.HasPrefix(pdf, []byte("%PDF-1.4")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Errorf("invoice is not a PDF: %q", pdf)
	}
	if _, err := png.Decode(bytes.NewReader(part(subjectCID, "cake.png"))); err != nil {
		t.Errorf("cake.png: %v", err)
	}
	zipped := part(subjectBig, "backup-archive.zip")
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil || len(zr.File) != 2 || zr.File[1].UncompressedSize64 != bigAttachmentSize {
		t.Errorf("backup-archive.zip (%d bytes) is not the expected archive: %v", len(zipped), err)
	}
	if html := string(part(subjectCID, "text/html")); !strings.Contains(html, `src="cid:cake@demo.example.net"`) {
		t.Errorf("birthday card HTML does not reference cid:cake@demo.example.net: %s", html)
	}
	if html := string(part(subjectNewsletter, "text/html")); !strings.Contains(html, "<style>") || !strings.Contains(html, `https://track.example.net/open.gif`) {
		t.Errorf("newsletter lacks a style block or tracking pixel: %s", html)
	}
	if text := string(part(subjectLong, "text/plain")); !strings.Contains(text, longURL) {
		t.Errorf("long-URL message does not contain the URL unbroken: %s", text)
	}
	if text := string(part(subjectQuoted, "text/plain")); !strings.Contains(text, "\r\n>> ") || !strings.Contains(text, "\r\n>>> ") {
		t.Errorf("quoted reply lacks nested quotes: %s", text)
	}
}

func testSearch(t *testing.T, s *Server) {
	c := dialIMAP(t, s, demoAccount(s).Login, demoAccount(s).Password)
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		criteria imap.SearchCriteria
		min      int
	}{
		{imap.SearchCriteria{Body: []string{"ratatouille"}}, 2},
		{imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "invoice"}}}, 1},
		{imap.SearchCriteria{Flag: []imap.Flag{imap.FlagFlagged}}, 2},
		{imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, 5},
		{imap.SearchCriteria{Since: testNow().AddDate(0, 0, -1)}, 3},
		{imap.SearchCriteria{Larger: 5 << 20}, 1},
	} {
		data, err := c.UIDSearch(&tt.criteria, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if n := len(data.AllUIDs()); n < tt.min {
			t.Errorf("SEARCH %+v found %d messages, want at least %d", tt.criteria, n, tt.min)
		}
	}
}

func TestIMAPFolderManagement(t *testing.T) {
	s := startServer(t, Options{Empty: true})
	c := dialIMAP(t, s, demoAccount(s).Login, demoAccount(s).Password)
	list := func() []string {
		t.Helper()
		mailboxes, err := c.List("", "*", nil).Collect()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range mailboxes {
			names = append(names, m.Mailbox)
		}
		return names
	}

	if err := c.Create("Clients/Acme/2026", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Create("Important", &imap.CreateOptions{SpecialUse: []imap.MailboxAttr{imap.MailboxAttrFlagged}}).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Rename("Projects", "Work/Projects", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("Work").Wait(); err == nil {
		t.Error("DELETE of a folder with subfolders succeeded")
	}
	if err := c.Delete("INBOX").Wait(); err == nil {
		t.Error("DELETE INBOX succeeded")
	}
	if err := c.Delete("Clients/Acme/2026").Wait(); err != nil {
		t.Error(err)
	}
	want := []string{"INBOX", "Archive", "Clients", "Clients/Acme", "Drafts", "Important", "Junk", "Newsletters", "Sent", "Trash",
		"Work", "Work/Projects", "Work/Projects/Website", "Work/Projects/Website/Launch"}
	if got := list(); !slices.Equal(got, want) {
		t.Errorf("LIST after changes = %v, want %v", got, want)
	}

	special, err := c.List("", "Important", &imap.ListOptions{ReturnSpecialUse: true}).Collect()
	if err != nil || len(special) != 1 || !slices.Contains(special[0].Attrs, imap.MailboxAttrFlagged) {
		t.Errorf("LIST Important = %v, %v; want \\Flagged", special, err)
	}

	if err := c.Unsubscribe("Junk").Wait(); err != nil {
		t.Fatal(err)
	}
	subscribed, err := c.List("", "*", &imap.ListOptions{SelectSubscribed: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range subscribed {
		if m.Mailbox == "Junk" || m.Mailbox == "Important" {
			t.Errorf("%s listed as subscribed", m.Mailbox)
		}
		if !slices.Contains(m.Attrs, imap.MailboxAttrSubscribed) {
			t.Errorf("%s lacks \\Subscribed", m.Mailbox)
		}
	}
}
