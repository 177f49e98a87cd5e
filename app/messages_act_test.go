package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// listForm reads the bulk form of a list page: its validity and the UIDs
// of the first n rows.
func listForm(t *testing.T, doc *goquery.Document, n int) (validity string, uids []string) {
	t.Helper()
	validity = doc.Find("[data-testid=bulk-form] input[name=validity]").AttrOr("value", "")
	doc.Find("[data-testid=row]").EachWithBreak(func(i int, s *goquery.Selection) bool {
		uids = append(uids, s.AttrOr("data-uid", ""))
		return len(uids) < n
	})
	if validity == "" || len(uids) < n {
		t.Fatalf("list form: validity %q, %d rows", validity, len(uids))
	}
	return validity, uids
}

func folderTotal(t *testing.T, c *client, folder string) int {
	t.Helper()
	doc := c.page(t, "/m/"+url.PathEscape(folder), http.StatusOK)
	// "1,234 messages": the digits of the first word.
	first, _, _ := strings.Cut(text(doc.Find("[data-testid=total]")), " ")
	var n int
	for _, r := range first {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

func TestBulkActions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	inbox, archive := folderTotal(t, c, "INBOX"), folderTotal(t, c, "Archive")

	doc := c.page(t, "/m/INBOX", http.StatusOK)
	validity, uids := listForm(t, doc, 3)
	bulk := doc
	// Each verb posts where its button says (formaction).
	post := func(folder, verb string, v url.Values) *http.Response {
		t.Helper()
		path := "/m/" + url.PathEscape(folder) + "/" + verb
		if got := bulk.Find("[data-testid=bulk-"+verb+"]").AttrOr("formaction", ""); got != path {
			t.Fatalf("the %s button posts to %q, want %q", verb, got, path)
		}
		return c.do(t, "POST", path, v)
	}

	// Flag three, then check the marks.
	resp := post("INBOX", "flag", url.Values{"validity": {validity}, "uid": uids})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/m/INBOX" {
		t.Fatalf("flag: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	if got := text(doc.Find("[data-testid=notice]")); !strings.Contains(got, "3 messages flagged") {
		t.Errorf("notice = %q", got)
	}
	for _, u := range uids {
		if doc.Find("[data-testid=row][data-uid='"+u+"'] [data-testid=mark-flagged]").Length() == 0 {
			t.Errorf("row %s not flagged", u)
		}
	}

	// Unflag one of them from the bar: its mark goes, the others stay.
	resp = post("INBOX", "unflag", url.Values{"validity": {validity}, "uid": uids[:1]})
	resp.Body.Close()
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	if got := text(doc.Find("[data-testid=notice]")); !strings.Contains(got, "1 message unflagged") {
		t.Errorf("unflag notice = %q", got)
	}
	for i, u := range uids {
		flagged := doc.Find("[data-testid=row][data-uid='"+u+"'] [data-testid=mark-flagged]").Length() > 0
		if flagged != (i > 0) {
			t.Errorf("row %s flagged = %v after unflagging the first", u, flagged)
		}
	}

	// Mark read and unread: the unread count follows.
	resp = post("INBOX", "unread", url.Values{"validity": {validity}, "uid": uids})
	resp.Body.Close()
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	for _, u := range uids {
		if !doc.Find("[data-testid=row][data-uid='" + u + "']").HasClass("unread") {
			t.Errorf("row %s not unread", u)
		}
	}
	unread := text(doc.Find("[data-testid=folder][data-role=inbox] [data-testid=unseen]"))
	resp = post("INBOX", "read", url.Values{"validity": {validity}, "uid": uids})
	resp.Body.Close()
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	if got := text(doc.Find("[data-testid=folder][data-role=inbox] [data-testid=unseen]")); got == unread {
		t.Errorf("unread count stayed %s after marking 3 read", got)
	}

	// Archive two, then undo.
	resp = post("INBOX", "archive", url.Values{"validity": {validity}, "uid": uids[:2]})
	resp.Body.Close()
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	if got := folderTotal(t, c, "Archive"); got != archive+2 {
		t.Errorf("Archive has %d, want %d", got, archive+2)
	}
	undo := doc.Find("[data-testid=notice] form")
	if undo.Length() == 0 {
		t.Fatal("no undo after archiving")
	}
	form := url.Values{}
	undo.Find("input").Each(func(_ int, s *goquery.Selection) { form.Set(s.AttrOr("name", ""), s.AttrOr("value", "")) })
	resp = c.do(t, "POST", "/undo", form)
	resp.Body.Close()
	if got := folderTotal(t, c, "INBOX"); got != inbox {
		t.Errorf("INBOX has %d after undo, want %d", got, inbox)
	}
	if got := folderTotal(t, c, "Archive"); got != archive {
		t.Errorf("Archive has %d after undo, want %d", got, archive)
	}
	// The same undo again: nothing is left to take back, and it says so.
	resp = c.do(t, "POST", "/undo", form)
	resp.Body.Close()
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	if got := text(doc.Find("[data-testid=notice]")); !strings.Contains(got, "Nothing to undo") {
		t.Errorf("second undo says %q, want that there was nothing to undo", got)
	}
	if got := folderTotal(t, c, "INBOX"); got != inbox {
		t.Errorf("INBOX has %d after a second undo, want %d", got, inbox)
	}

	// Move by name through the folder picker's field.
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	validity, uids = listForm(t, doc, 1)
	resp = post("INBOX", "move", url.Values{"validity": {validity}, "uid": uids, "dest": {"Projects/Website"}})
	resp.Body.Close()
	doc = c.page(t, "/m/"+url.PathEscape("Projects/Website"), http.StatusOK)
	if doc.Find("[data-testid=row]").Length() != 4 {
		t.Errorf("Projects/Website has %d messages after the move, want 4", doc.Find("[data-testid=row]").Length())
	}
	// A folder that does not exist: a clear message, nothing moved.
	resp = post("INBOX", "move", url.Values{"validity": {validity}, "uid": {"1"}, "dest": {"Nope"}})
	doc = parse(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(text(doc.Find("[data-testid=error-message]")), "existing folder") {
		t.Errorf("move to a missing folder: %q", text(doc.Find("[data-testid=error-message]")))
	}
}

func TestDeleteGoesToTrashThenForGood(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	trash := folderTotal(t, c, "Trash")
	doc := c.page(t, "/m/INBOX", http.StatusOK)
	validity, uids := listForm(t, doc, 1)
	resp := c.do(t, "POST", "/m/INBOX/delete", url.Values{"validity": {validity}, "uid": uids})
	resp.Body.Close()
	if got := folderTotal(t, c, "Trash"); got != trash+1 {
		t.Fatalf("Trash has %d, want %d", got, trash+1)
	}

	// In Trash, delete asks first and then removes exactly that message.
	doc = c.page(t, "/m/Trash", http.StatusOK)
	validity, uids = listForm(t, doc, 1)
	resp = c.do(t, "POST", "/m/Trash/delete", url.Values{"validity": {validity}, "uid": uids})
	doc = parse(t, resp, http.StatusOK)
	if doc.Find("[data-testid=confirm]").Length() == 0 {
		t.Fatal("no confirmation before deleting for good")
	}
	if got := folderTotal(t, c, "Trash"); got != trash+1 {
		t.Fatalf("something was deleted before confirming: Trash has %d", got)
	}
	form := url.Values{}
	doc.Find("[data-testid=confirm] input").Each(func(_ int, s *goquery.Selection) { form.Add(s.AttrOr("name", ""), s.AttrOr("value", "")) })
	resp = c.do(t, "POST", doc.Find("[data-testid=confirm]").AttrOr("action", ""), form)
	resp.Body.Close()
	if got := folderTotal(t, c, "Trash"); got != trash {
		t.Errorf("Trash has %d after deleting for good, want %d", got, trash)
	}
}

func TestMessageActionOpensNext(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	doc := c.page(t, "/m/INBOX", http.StatusOK)
	rows := doc.Find("[data-testid=row]")
	first, _ := rows.Eq(0).Find("a").Attr("href")
	second := rows.Eq(1).AttrOr("data-uid", "")
	msg := c.page(t, first, http.StatusOK)
	if got := msg.Find("[data-testid=archive]").AttrOr("formaction", ""); got != first+"/archive" {
		t.Fatalf("Archive posts to %q, want %q", got, first+"/archive")
	}
	resp := c.do(t, "POST", first+"/archive", nil)
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.HasSuffix(loc, "/"+second) {
		t.Errorf("after archiving, Location %q, want the next message %s", loc, second)
	}
	// Flagging stays on the message.
	resp = c.do(t, "POST", resp.Header.Get("Location")+"/flag", nil)
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.HasSuffix(loc, "/"+second) {
		t.Errorf("after flagging, Location %q, want the same message", loc)
	}
}

// TestSelectAllInFolder: without JavaScript, "Select all" checks the page,
// then "Select all N messages in this folder" selects beyond it; flagging
// reaches the last page; archiving them all asks first.
func TestSelectAllInFolder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	total := folderTotal(t, c, "INBOX")
	doc := c.page(t, "/m/INBOX", http.StatusOK)
	doc = c.page(t, doc.Find("[data-testid=select-all]").AttrOr("href", ""), http.StatusOK)
	link := doc.Find("[data-testid=select-folder]")
	if want := fmt.Sprintf("Select all %d messages in this folder", total); text(link) != want {
		t.Fatalf("after Select all: %q, want %q", text(link), want)
	}
	doc = c.page(t, link.AttrOr("href", ""), http.StatusOK)
	if !strings.Contains(text(doc.Find("[data-testid=selected-folder]")), fmt.Sprintf("All %d messages", total)) {
		t.Fatalf("selection note %q", text(doc.Find("[data-testid=selected-folder]")))
	}
	form := url.Values{}
	doc.Find("[data-testid=bulk-form] input").Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("type", "") == "hidden" || s.Is("[checked]") {
			form.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
		}
	})
	if form.Get("all") != "1" {
		t.Fatalf("the bulk form does not select all: %v", form)
	}
	resp := c.do(t, "POST", "/m/INBOX/flag", form)
	resp.Body.Close()
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	if got := text(doc.Find("[data-testid=notice]")); got != fmt.Sprintf("%d messages flagged.", total) {
		t.Errorf("notice %q", got)
	}
	last := c.page(t, fmt.Sprintf("/m/INBOX?page=%d", (total+49)/50), http.StatusOK)
	rows := last.Find("[data-testid=row]")
	if rows.Length() == 0 || rows.Find("[data-testid=mark-flagged]").Length() != rows.Length() {
		t.Errorf("last page: %d of %d rows flagged", rows.Find("[data-testid=mark-flagged]").Length(), rows.Length())
	}

	// Archiving them all asks first; confirmed, the Inbox is empty.
	resp = c.do(t, "POST", "/m/INBOX/archive", form)
	doc = parse(t, resp, http.StatusOK)
	if q := text(doc.Find("[data-testid=confirm-question]")); !strings.Contains(q, fmt.Sprintf("all %d messages in this folder", total)) {
		t.Fatalf("question %q", q)
	}
	if got := folderTotal(t, c, "INBOX"); got != total {
		t.Fatalf("INBOX holds %d before the answer, want %d", got, total)
	}
	confirm := url.Values{}
	doc.Find("[data-testid=confirm] input").Each(func(_ int, s *goquery.Selection) { confirm.Add(s.AttrOr("name", ""), s.AttrOr("value", "")) })
	resp = c.do(t, "POST", doc.Find("[data-testid=confirm]").AttrOr("action", ""), confirm)
	resp.Body.Close()
	if got := folderTotal(t, c, "INBOX"); got != 0 {
		t.Errorf("INBOX holds %d after archiving all", got)
	}
}
