package usecase_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"webmail"
	"webmail/app/usecase"
)

// TestList: the page the person asked for, in the order asked; a search
// that cannot be read is explained and the plain list shown; a search of
// all folders finds matches elsewhere.
func TestList(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, m *mailbox) {
		ctx := context.Background()
		m.put(t, "INBOX", "banana", "apple", "cherry")
		m.put(t, m.folderByRole(t, webmail.RoleArchive), "apple pie")
		for _, tc := range []struct {
			name        string
			q           usecase.ListQuery
			want        []string
			searchError bool
			elsewhere   int
		}{
			{"newest first", usecase.ListQuery{}, []string{"cherry", "apple", "banana"}, false, 0},
			{"by subject", usecase.ListQuery{Sort: "subject"}, []string{"apple", "banana", "cherry"}, false, 0},
			{"by subject, descending", usecase.ListQuery{Sort: "-subject"}, []string{"cherry", "banana", "apple"}, false, 0},
			{"search", usecase.ListQuery{Search: "subject:apple"}, []string{"apple"}, false, 0},
			{"search everywhere", usecase.ListQuery{Search: "subject:apple", AllFolders: true}, []string{"apple"}, false, 1},
			{"unreadable search", usecase.ListQuery{Search: "before:notadate"}, []string{"cherry", "apple", "banana"}, true, 0},
		} {
			tc.q.Mailbox, tc.q.Page = "INBOX", 1
			l, err := m.svc.List(ctx, m.acct, tc.q, false)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var got []string
			for _, s := range l.Page.Messages {
				got = append(got, s.Subject)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, diff)
			}
			if (l.SearchError != "") != tc.searchError {
				t.Errorf("%s: search error %q", tc.name, l.SearchError)
			}
			if len(l.Elsewhere) != tc.elsewhere {
				t.Errorf("%s: matches in %d other folders, want %d", tc.name, len(l.Elsewhere), tc.elsewhere)
			}
			if len(l.Folders) == 0 {
				t.Errorf("%s: no folder tree", tc.name)
			}
		}
	})
}

// TestSortByDisplayedName: "Sender A–Z" and "Recipient A–Z" follow the
// names the list shows (RFC 5957 SORT=DISPLAY on Dovecot, the fallback
// sort on the demo server), the address only where there is no name.
func TestSortByDisplayedName(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, m *mailbox) {
		ctx := context.Background()
		people := []string{"Zed Adams <a@example.net>", "Amy Zimmer <z@example.net>", "<m@example.net>"}
		for i, p := range people {
			m.putRaw(t, "INBOX", fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %d\r\nDate: Mon, 02 Mar 2026 10:%02d:00 +0000\r\nMessage-ID: <sort.%d@example.net>\r\n\r\nHello.\r\n", p, p, i, i, i))
		}
		for _, tc := range []struct {
			sort string
			want []string
		}{
			{"from", []string{"1", "2", "0"}},
			{"-from", []string{"0", "2", "1"}},
			{"to", []string{"1", "2", "0"}},
		} {
			sorts := m.commands.count("sort")
			l, err := m.svc.List(ctx, m.acct, usecase.ListQuery{Mailbox: "INBOX", Page: 1, Sort: tc.sort}, false)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range l.Page.Messages {
				got = append(got, s.Subject)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("sort %s (-want +got):\n%s", tc.sort, diff)
			}
			if m.name == "dovecot" && m.commands.count("sort")-sorts != 1 {
				t.Errorf("sort %s: the server's SORT was not used", tc.sort)
			}
		}
	})
}
