package usecase_test

import (
	"context"
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
