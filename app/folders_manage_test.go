package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// managed is one row of the folder management page.
type managed struct {
	Count, Subscribed string
}

// managePage reads the folder management page: each folder's count and
// subscription state, by full name.
func (c *client) managePage(t testing.TB, path string) (*goquery.Document, map[string]managed) {
	t.Helper()
	doc := c.page(t, path, http.StatusOK)
	rows := map[string]managed{}
	doc.Find("[data-testid=manage-folder]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("data-folder")
		rows[name] = managed{Count: text(s.Find("[data-testid=manage-count]")), Subscribed: text(s.Find("[data-testid=subscribed]"))}
	})
	return doc, rows
}

// treeFolders returns the full names the folder tree of a mail page links
// to, which come from the connection's folder cache.
func (c *client) treeFolders(t testing.TB) map[string]bool {
	t.Helper()
	doc := c.page(t, "/m/INBOX", http.StatusOK)
	names := map[string]bool{}
	doc.Find("[data-testid=folder] a.folder").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		name, err := url.PathUnescape(strings.TrimPrefix(href, "/m/"))
		if err != nil {
			t.Fatal(err)
		}
		names[name] = true
	})
	return names
}

// folderVerb is the route of a verb on one folder: its full name is one
// escaped path segment.
func folderVerb(folder, verb string) string {
	return "/folders/" + url.PathEscape(folder) + "/" + verb
}

// manage posts a folder management form to path and returns the
// response.
func (c *client) manage(t testing.TB, path string, form url.Values) *http.Response {
	t.Helper()
	return c.do(t, "POST", path, form)
}

// manageOK posts a form that must succeed: 303 back to the page, whose
// notice it returns.
func (c *client) manageOK(t testing.TB, path string, form url.Values) string {
	t.Helper()
	return c.noticeAfter(t, c.manage(t, path, form))
}

// noticeAfter checks that a folder management form succeeded, 303 back to
// the page, and returns the notice the page shows.
func (c *client) noticeAfter(t testing.TB, resp *http.Response) string {
	t.Helper()
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/folders/manage" {
		t.Fatalf("POST %s: status %d to %q, want 303 to /folders/manage", resp.Request.URL.EscapedPath(), resp.StatusCode, resp.Header.Get("Location"))
	}
	doc := c.page(t, "/folders/manage", http.StatusOK)
	return text(doc.Find("[data-testid=manage-notice]"))
}

// submit posts a form of a page as a browser would: its hidden and text
// inputs and selected options.
func (c *client) submit(t testing.TB, form *goquery.Selection) *http.Response {
	t.Helper()
	v := url.Values{}
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		v.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	form.Find("select[name]").Each(func(_ int, s *goquery.Selection) {
		v.Add(s.AttrOr("name", ""), s.Find("option[selected]").AttrOr("value", ""))
	})
	return c.do(t, "POST", form.AttrOr("action", ""), v)
}

// press posts the form of a page's button as a browser would: to the
// button's formaction, else its form's action.
func (c *client) press(t testing.TB, button *goquery.Selection) *http.Response {
	t.Helper()
	if button.Length() != 1 {
		t.Fatalf("%d buttons to press, want 1", button.Length())
	}
	form := button.Closest("form")
	if action, ok := button.Attr("formaction"); ok {
		form = form.Clone().SetAttr("action", action)
	}
	return c.submit(t, form)
}

func loggedIn(t *testing.T) (*env, *client) {
	t.Helper()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	return e, c
}

func TestManageFoldersLinkedFromTree(t *testing.T) {
	t.Parallel()
	_, c := loggedIn(t)
	doc := c.page(t, "/m/INBOX", http.StatusOK)
	if href, _ := doc.Find("[data-testid=manage-folders]").Attr("href"); href != "/folders/manage" {
		t.Errorf("folder tree links to %q, want /folders/manage", href)
	}
	doc, rows := c.managePage(t, "/folders/manage")
	for _, name := range []string{"INBOX", "Drafts", "Sent", "Archive", "Junk", "Trash", "Projects/Website/Launch"} {
		if _, ok := rows[name]; !ok {
			t.Errorf("management page lacks %s", name)
		}
	}
	if got := doc.Find("[data-folder=INBOX] [data-testid=edit]").Length(); got != 0 {
		t.Errorf("the Inbox offers rename and delete")
	}
	if got := doc.Find("[data-testid=empty]").Length(); got != 2 {
		t.Errorf("%d Empty buttons, want 2 (Trash and Junk)", got)
	}
}

func TestManageFoldersCreate(t *testing.T) {
	t.Parallel()
	_, c := loggedIn(t)
	c.treeFolders(t) // fill the folder cache first: creating must update it

	for _, tc := range []struct {
		name, parent, want string
		depth              string
	}{
		{"Receipts", "", "Receipts", "depth-0"},
		{"2026", "Receipts", "Receipts/2026", "depth-1"},
		{"Design", "Projects/Website", "Projects/Website/Design", "depth-2"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			notice := c.manageOK(t, "/folders", url.Values{"name": {tc.name}, "parent": {tc.parent}})
			if want := "Folder " + tc.want + " created."; notice != want {
				t.Errorf("notice = %q, want %q", notice, want)
			}
			if !c.treeFolders(t)[tc.want] {
				t.Errorf("folder tree lacks %s right after creating it", tc.want)
			}
			doc, rows := c.managePage(t, "/folders/manage")
			if got := rows[tc.want]; got != (managed{Count: "0 messages", Subscribed: "Subscribed"}) {
				t.Errorf("new folder's row = %+v, want empty and subscribed", got)
			}
			if !doc.Find(fmt.Sprintf("[data-testid=manage-folder][data-folder=%q]", tc.want)).HasClass(tc.depth) {
				t.Errorf("%s is not at %s", tc.want, tc.depth)
			}
		})
	}
}

func TestManageFoldersRename(t *testing.T) {
	t.Parallel()
	_, c := loggedIn(t)
	c.treeFolders(t)

	// The edit link opens the folder's forms with its name and place.
	doc := c.page(t, "/folders/manage?edit="+url.QueryEscape("Projects/Website"), http.StatusOK)
	form := doc.Find("[data-testid=rename-form]")
	if got := form.Find("[data-testid=rename-name]").AttrOr("value", ""); got != "Website" {
		t.Errorf("rename form name = %q, want Website", got)
	}
	if got := form.Find("[data-testid=rename-parent] option[selected]").AttrOr("value", ""); got != "Projects" {
		t.Errorf("rename form parent = %q, want Projects", got)
	}
	form.Find("[data-testid=rename-parent] option").Each(func(_ int, s *goquery.Selection) {
		if v := s.AttrOr("value", ""); v == "Projects/Website" || v == "Projects/Website/Launch" {
			t.Errorf("the folder can be moved into %s, itself or its subfolder", v)
		}
	})

	steps := []struct {
		what, folder, name, parent string
		gone, there                []string
		counts                     map[string]string
	}{
		{
			what: "nested, with its children", folder: "Projects/Website", name: "Site", parent: "Projects",
			gone:   []string{"Projects/Website", "Projects/Website/Launch"},
			there:  []string{"Projects/Site", "Projects/Site/Launch"},
			counts: map[string]string{"Projects/Site": "3 messages, 1 unread", "Projects/Site/Launch": "4 messages, 2 unread"},
		},
		{
			what: "moved to the top", folder: "Projects/Site/Launch", name: "Launch", parent: "",
			gone: []string{"Projects/Site/Launch"}, there: []string{"Launch"},
			counts: map[string]string{"Launch": "4 messages, 2 unread"},
		},
		{
			what: "moved under another parent", folder: "Newsletters", name: "Newsletters", parent: "Archive",
			gone: []string{"Newsletters"}, there: []string{"Archive/Newsletters"},
		},
	}
	for _, s := range steps {
		t.Run(s.what, func(t *testing.T) {
			_, before := c.managePage(t, "/folders/manage")
			c.page(t, "/m/"+url.PathEscape(s.folder), http.StatusOK) // selected while renamed
			notice := c.manageOK(t, folderVerb(s.folder, "rename"), url.Values{"name": {s.name}, "parent": {s.parent}})
			if !strings.HasPrefix(notice, "Folder "+s.folder+" is now ") {
				t.Errorf("notice = %q", notice)
			}
			tree := c.treeFolders(t)
			_, rows := c.managePage(t, "/folders/manage")
			for _, name := range s.gone {
				if tree[name] {
					t.Errorf("tree still shows %s", name)
				}
				if _, ok := rows[name]; ok {
					t.Errorf("management page still shows %s", name)
				}
			}
			for _, name := range s.there {
				if !tree[name] {
					t.Errorf("tree lacks %s", name)
				}
				if got := rows[name].Subscribed; got != "Subscribed" {
					t.Errorf("%s: %q, want the subscription moved along", name, got)
				}
				c.page(t, "/m/"+url.PathEscape(name), http.StatusOK)
			}
			if s.folder == "Newsletters" {
				s.counts = map[string]string{"Archive/Newsletters": before["Newsletters"].Count}
			}
			for name, want := range s.counts {
				if got := rows[name].Count; got != want {
					t.Errorf("%s: %q, want %q (the messages move along)", name, got, want)
				}
			}
		})
	}
}

func TestManageFoldersDelete(t *testing.T) {
	t.Parallel()
	_, c := loggedIn(t)
	c.manageOK(t, "/folders", url.Values{"name": {"Old stuff"}})
	c.treeFolders(t)
	c.page(t, "/m/"+url.PathEscape("Old stuff"), http.StatusOK) // selected while deleted

	// The delete button asks; the confirmation page's own form deletes.
	doc := c.page(t, "/folders/manage?edit="+url.QueryEscape("Old stuff"), http.StatusOK)
	resp := c.press(t, doc.Find("[data-testid=delete]"))
	doc = parse(t, resp, http.StatusOK)
	if q := text(doc.Find("[data-testid=confirm-question]")); !strings.Contains(q, "Old stuff") {
		t.Errorf("confirmation asks %q", q)
	}
	if _, rows := c.managePage(t, "/folders/manage"); rows["Old stuff"] == (managed{}) {
		t.Fatalf("the folder went before the confirmation")
	}
	resp = c.submit(t, doc.Find("[data-testid=confirm]"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed delete: status %d, want 303", resp.StatusCode)
	}
	doc, rows := c.managePage(t, "/folders/manage")
	if _, ok := rows["Old stuff"]; ok {
		t.Errorf("deleted folder still listed")
	}
	if got := text(doc.Find("[data-testid=manage-notice]")); got != "Folder Old stuff deleted." {
		t.Errorf("notice = %q", got)
	}
	if c.treeFolders(t)["Old stuff"] {
		t.Errorf("tree still shows the deleted folder")
	}
	c.page(t, "/m/"+url.PathEscape("Old stuff"), http.StatusNotFound)
}

// TestManageFoldersCreateWithSeparator: a name holding the separator
// would make a parent the tree cannot show; it is refused, in words, with
// the name kept for correcting.
func TestManageFoldersCreateWithSeparator(t *testing.T) {
	t.Parallel()
	_, c := loggedIn(t)
	resp := c.manage(t, "/folders", url.Values{"name": {"Travel/Tickets"}, "parent": {""}})
	doc := parse(t, resp, http.StatusUnprocessableEntity)
	if got := text(doc.Find("[data-testid=create-name-error]")); !strings.Contains(got, "may not contain /") {
		t.Errorf("name error = %q, want it to say / is not allowed", got)
	}
	if got := doc.Find("[data-testid=create-name]").AttrOr("value", ""); got != "Travel/Tickets" {
		t.Errorf("the name typed is not kept: %q", got)
	}
	if tree := c.treeFolders(t); tree["Travel"] || tree["Travel/Tickets"] {
		t.Errorf("folders made anyway: %v", tree)
	}
}

func TestManageFoldersDeleteRefused(t *testing.T) {
	t.Parallel()
	_, c := loggedIn(t)
	for _, tc := range []struct {
		folder, want string
	}{
		{"INBOX", "The Inbox cannot be deleted."},
		{"inbox", "The Inbox cannot be deleted."},
		{"Projects", "The folder Projects has subfolders. Delete them, or move them elsewhere, first."},
		{"Nowhere", "The folder Nowhere does not exist (any more)."},
	} {
		t.Run(tc.folder, func(t *testing.T) {
			resp := c.manage(t, folderVerb(tc.folder, "delete"), url.Values{"confirm": {"1"}, "confirm_role": {"inbox"}})
			doc := parse(t, resp, http.StatusUnprocessableEntity)
			if got := text(doc.Find("[data-testid=manage-error]")); got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
			// A folder with subfolders keeps its forms open, saying why
			// there is no delete button.
			if got := doc.Find("[data-testid=edit-forms] [data-testid=has-children]").Closest("[data-testid=manage-folder]").AttrOr("data-folder", ""); (got == "Projects") != (tc.folder == "Projects") {
				t.Errorf("the forms of %q are open", got)
			}
		})
	}
	_, rows := c.managePage(t, "/folders/manage")
	for _, name := range []string{"INBOX", "Projects", "Projects/Website"} {
		if _, ok := rows[name]; !ok {
			t.Errorf("%s is gone", name)
		}
	}
}

func TestManageFoldersDeleteSpecialUseAsksTwice(t *testing.T) {
	t.Parallel()
	_, c := loggedIn(t)
	// The client goes straight to the first "yes": still a question,
	// which names the role.
	resp := c.manage(t, folderVerb("Junk", "delete"), nil)
	doc := parse(t, resp, http.StatusOK)
	resp = c.submit(t, doc.Find("[data-testid=confirm]"))
	doc = parse(t, resp, http.StatusOK)
	q := text(doc.Find("[data-testid=confirm-question]"))
	if !strings.Contains(q, "is your Junk folder") {
		t.Errorf("second confirmation asks %q, without naming the role", q)
	}
	if got := text(doc.Find("[data-testid=confirm-yes]")); got != "Delete my Junk folder" {
		t.Errorf("second confirmation button = %q", got)
	}
	if _, rows := c.managePage(t, "/folders/manage"); rows["Junk"] == (managed{}) {
		t.Fatalf("Junk went after one confirmation")
	}
	// A confirmation of another role does not do.
	resp = c.manage(t, folderVerb("Junk", "delete"), url.Values{"confirm": {"1"}, "confirm_role": {"trash"}})
	parse(t, resp, http.StatusOK)

	resp = c.submit(t, doc.Find("[data-testid=confirm]"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second confirmation: status %d, want 303", resp.StatusCode)
	}
	if _, rows := c.managePage(t, "/folders/manage"); rows["Junk"] != (managed{}) {
		t.Errorf("Junk still listed after both confirmations")
	}
}

func TestManageFoldersSubscribe(t *testing.T) {
	t.Parallel()
	_, c := loggedIn(t)
	state := func() (string, int, int) {
		doc, rows := c.managePage(t, "/folders/manage")
		row := doc.Find("[data-folder=Newsletters]")
		return rows["Newsletters"].Subscribed, row.Find("[data-testid=subscribe]").Length(), row.Find("[data-testid=unsubscribe]").Length()
	}
	type view struct {
		State               string
		Subscribe, Unsubscr int
	}
	check := func(want view) {
		t.Helper()
		s, sub, unsub := state()
		if diff := cmp.Diff(want, view{s, sub, unsub}); diff != "" {
			t.Errorf("Newsletters (-want +got):\n%s", diff)
		}
	}
	// The row's buttons, pressed as a browser would.
	press := func(testid string) string {
		t.Helper()
		doc, _ := c.managePage(t, "/folders/manage")
		return c.noticeAfter(t, c.press(t, doc.Find("[data-folder=Newsletters] [data-testid="+testid+"]")))
	}
	check(view{"Subscribed", 0, 1})
	if got := press("unsubscribe"); got != "Unsubscribed from Newsletters." {
		t.Errorf("notice = %q", got)
	}
	check(view{"Not subscribed", 1, 0})
	if got := press("subscribe"); got != "Subscribed to Newsletters." {
		t.Errorf("notice = %q", got)
	}
	check(view{"Subscribed", 0, 1})
	// A folder that went meanwhile: the page again, saying so.
	resp := c.manage(t, folderVerb("Gone", "subscribe"), nil)
	doc := parse(t, resp, http.StatusUnprocessableEntity)
	if got := text(doc.Find("[data-testid=manage-error]")); got != "The folder Gone does not exist (any more)." {
		t.Errorf("error = %q", got)
	}
}

func TestManageFoldersEmptyTrashAndJunk(t *testing.T) {
	t.Parallel()
	_, c := loggedIn(t)
	c.treeFolders(t)
	_, before := c.managePage(t, "/folders/manage")
	if got := before["Trash"].Count; got != "5 messages, 1 unread" {
		t.Fatalf("Trash before: %q", got)
	}

	for _, folder := range []string{"Trash", "Junk"} {
		t.Run(folder, func(t *testing.T) {
			doc, _ := c.managePage(t, "/folders/manage")
			resp := c.press(t, doc.Find("[data-folder="+folder+"] [data-testid=empty]"))
			doc = parse(t, resp, http.StatusOK)
			n := strings.Fields(before[folder].Count)[0]
			if q := text(doc.Find("[data-testid=confirm-question]")); q != "Delete all "+n+" messages in "+folder+" for good? This cannot be undone." {
				t.Errorf("confirmation asks %q", q)
			}
			resp = c.submit(t, doc.Find("[data-testid=confirm]"))
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("confirmed: status %d", resp.StatusCode)
			}
			doc, after := c.managePage(t, "/folders/manage")
			if got, want := text(doc.Find("[data-testid=manage-notice]")), folder+" emptied: "+n+" messages deleted for good."; got != want {
				t.Errorf("notice = %q, want %q", got, want)
			}
			if got := after[folder].Count; got != "0 messages" {
				t.Errorf("%s after: %q", folder, got)
			}
			list := c.page(t, "/m/"+folder, http.StatusOK)
			if got := text(list.Find("[data-testid=total]")); got != "0 messages" {
				t.Errorf("%s list says %q", folder, got)
			}
			for name, was := range before {
				if name != "Trash" && name != "Junk" && after[name] != was {
					t.Errorf("%s changed: %+v, was %+v", name, after[name], was)
				}
			}
		})
	}

	// Only Trash and Junk: anything else is refused, even confirmed.
	resp := c.manage(t, folderVerb("INBOX", "empty"), url.Values{"confirm": {"1"}})
	doc := parse(t, resp, http.StatusUnprocessableEntity)
	if got := text(doc.Find("[data-testid=manage-error]")); got != "Only Trash and Junk can be emptied here." {
		t.Errorf("error = %q", got)
	}
	if _, after := c.managePage(t, "/folders/manage"); after["INBOX"] != before["INBOX"] {
		t.Errorf("INBOX changed: %+v, was %+v", after["INBOX"], before["INBOX"])
	}
}

func TestManageFoldersInvalidNames(t *testing.T) {
	t.Parallel()
	_, c := loggedIn(t)
	long := strings.Repeat("x", 201)
	const sepRefused = "The name may not contain /: this mail server uses it to put folders inside others. To make a subfolder, choose its parent under Inside."
	for _, tc := range []struct {
		what, name, parent string
		field, want        string
	}{
		{"empty", "", "", "name", "Enter a name for the folder."},
		{"blank", "   ", "", "name", "Enter a name for the folder."},
		{"control character", "a\tb", "", "name", "The name may not contain line breaks or other control characters."},
		{"leading delimiter", "/Receipts", "", "name", sepRefused},
		{"trailing delimiter", "Receipts/", "", "name", sepRefused},
		{"delimiter", "Receipts/2026", "", "name", sepRefused},
		{"wildcard", "Receipts*", "", "name", "The name may not contain * or %."},
		{"too long", long, "", "name", "The name is too long: at most 200 bytes with its parents' names."},
		{"too long with parent", strings.Repeat("x", 190), "Projects/Website", "name", "The name is too long: at most 200 bytes with its parents' names."},
		{"exists", "Sent", "", "name", "There is a folder named Sent already."},
		{"INBOX in other case", "inbox", "", "name", "There is a folder named inbox already."},
		{"exists nested", "Website", "Projects", "name", "There is a folder named Projects/Website already."},
		{"unknown parent", "Receipts", "Nowhere", "parent", "Choose an existing folder as the parent."},
	} {
		t.Run(tc.what, func(t *testing.T) {
			resp := c.manage(t, "/folders", url.Values{"name": {tc.name}, "parent": {tc.parent}})
			doc := parse(t, resp, http.StatusUnprocessableEntity)
			if got := text(doc.Find("[data-testid=create-" + tc.field + "-error]")); got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
			input := doc.Find("[data-testid=create-" + tc.field + "]")
			if got := input.AttrOr("aria-invalid", ""); got != "true" {
				t.Errorf("field not marked invalid: aria-invalid=%q", got)
			}
			if got := doc.Find("[data-testid=create-name]").AttrOr("value", ""); got != strings.TrimSpace(tc.name) {
				t.Errorf("name not kept: %q", got)
			}
			if tc.parent != "Nowhere" {
				if got := doc.Find("[data-testid=create-parent] option[selected]").AttrOr("value", ""); got != tc.parent {
					t.Errorf("parent not kept: %q, want %q", got, tc.parent)
				}
			}
		})
	}
	if tree := c.treeFolders(t); tree["Receipts"] || tree["Receipts*"] {
		t.Errorf("a refused folder was created")
	}
}

func TestManageFoldersInvalidRename(t *testing.T) {
	t.Parallel()
	_, c := loggedIn(t)
	for _, tc := range []struct {
		what, folder, name, parent string
		field, want                string
	}{
		{"into itself", "Projects", "Projects", "Projects/Website", "parent", "A folder cannot be moved into itself or one of its subfolders."},
		{"unchanged", "Projects/Website", "Website", "Projects", "name", "This is the folder's name and place already: change the name or the parent."},
		{"onto another", "Projects/Website", "Sent", "", "name", "There is a folder named Sent already."},
	} {
		t.Run(tc.what, func(t *testing.T) {
			resp := c.manage(t, folderVerb(tc.folder, "rename"), url.Values{"name": {tc.name}, "parent": {tc.parent}})
			doc := parse(t, resp, http.StatusUnprocessableEntity)
			row := doc.Find(fmt.Sprintf("[data-testid=manage-folder][data-folder=%q]", tc.folder))
			if got := text(row.Find("[data-testid=rename-" + tc.field + "-error]")); got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
			if got := row.Find("[data-testid=rename-name]").AttrOr("value", ""); got != tc.name {
				t.Errorf("name not kept: %q", got)
			}
		})
	}
	resp := c.manage(t, folderVerb("INBOX", "rename"), url.Values{"name": {"Incoming"}})
	doc := parse(t, resp, http.StatusUnprocessableEntity)
	if got := text(doc.Find("[data-testid=manage-error]")); got != "The Inbox cannot be renamed." {
		t.Errorf("error = %q", got)
	}
}

// TestManageFoldersFormTargets: every form of the page posts to its verb's
// route, the folder's full name one escaped segment; no field picks the
// verb.
func TestManageFoldersFormTargets(t *testing.T) {
	_, c := loggedIn(t)
	doc := c.page(t, "/folders/manage?edit="+url.QueryEscape("Projects/Website"), http.StatusOK)
	if n := doc.Find("[name=action]").Length(); n != 0 {
		t.Errorf("%d fields named action", n)
	}
	got := map[string]string{}
	doc.Find("form").Each(func(_ int, f *goquery.Selection) {
		if id, ok := f.Attr("data-testid"); ok && id != "row-form" {
			got[id] = f.AttrOr("action", "")
		}
	})
	doc.Find("[data-testid=manage-folder]").Each(func(_ int, row *goquery.Selection) {
		name := row.AttrOr("data-folder", "")
		row.Find("button[formaction]").Each(func(_ int, b *goquery.Selection) {
			got[name+" "+b.AttrOr("data-testid", "")] = b.AttrOr("formaction", "")
		})
	})
	want := map[string]string{
		"create-form": "/folders",
		"rename-form": "/folders/Projects%2FWebsite/rename",
		"delete-form": "/folders/Projects%2FWebsite/delete",
		"Junk empty":  "/folders/Junk/empty",
		"Trash empty": "/folders/Trash/empty",
	}
	for _, name := range []string{"INBOX", "Drafts", "Sent", "Archive", "Junk", "Trash", "Newsletters", "Projects", "Projects/Website", "Projects/Website/Launch"} {
		want[name+" unsubscribe"] = "/folders/" + strings.ReplaceAll(name, "/", "%2F") + "/unsubscribe"
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("form targets (-want +got):\n%s", diff)
	}
}

// TestManageFoldersConfirmFragment: asked over htmx, a confirmation
// replaces the whole body and keeps the URL, so that no half page remains.
func TestManageFoldersConfirmFragment(t *testing.T) {
	_, c := loggedIn(t)
	for _, path := range []string{folderVerb("Projects/Website/Launch", "delete"), folderVerb("Trash", "empty")} {
		resp := c.do(t, "POST", path, url.Values{}, "HX-Request", "true")
		h := resp.Header
		doc := parse(t, resp, http.StatusOK)
		if got := [3]string{h.Get("HX-Retarget"), h.Get("HX-Reswap"), h.Get("HX-Push-Url")}; got != [3]string{"body", "innerHTML", "false"} {
			t.Errorf("%s: HX-Retarget, HX-Reswap, HX-Push-Url = %q", path, got)
		}
		if got := doc.Find("[data-testid=confirm]").AttrOr("action", ""); got != path {
			t.Errorf("%s: the confirmation posts to %q", path, got)
		}
	}
}
