package usecase

import (
	"context"
	"errors"
	"strings"

	"webmail"
	"webmail/app/mail"
	"webmail/app/search"
)

// ListQuery is which list of a folder a person looks at: the page, the
// search, the order.
type ListQuery struct {
	Mailbox string
	Page    int    // 1-based
	Search  string // the search box text, "" for none
	// AllFolders extends the search to the other folders (their first
	// matches).
	AllFolders bool
	// Sort is "" (newest first by arrival), or a key (arrival, date, from,
	// subject, size) with "-" in front for descending.
	Sort string
	// Threads groups the page into conversations.
	Threads bool
	// PageLen is how many messages (or conversations) a page holds: the
	// person's setting; webmail.PageSize when zero.
	PageLen int
}

func (q ListQuery) plain() bool { return q.Search == "" && q.Sort == "" && !q.Threads }

// List is a page of a folder as the list shows it.
type List struct {
	Folders []webmail.Folder // the folder tree, for the folder pane
	Page    *webmail.Page
	// Conversations is the page grouped by thread, when asked for.
	Conversations []webmail.Conversation
	// ConversationsCounted says that Page.Total and the pages count
	// conversations (the server's threads), not messages.
	ConversationsCounted bool
	// SearchError says why the search text is not a valid query; the
	// page is then the plain list.
	SearchError string
	// SortNote says why the list is not in the order asked for.
	SortNote webmail.Text
	// Elsewhere holds the matches in the other folders.
	Elsewhere []webmail.FolderMatches
}

// Bounds of a search across all folders: folders searched, matches shown
// per folder.
const (
	searchFolders    = 100
	matchesPerFolder = 10
)

// List fetches the folder tree (from the account's cache unless refresh)
// and the list at q: a plain page, a search, a sort, conversations. An
// invalid search or a sort the server cannot do is explained in the
// result, which then holds the plain list.
func (s *Service) List(ctx context.Context, acct mail.Account, q ListQuery, refresh bool) (*List, error) {
	l := &List{}
	err := s.pool.Do(ctx, acct, q.Mailbox, func(c *mail.Conn) error {
		c.SetPageLen(q.PageLen)
		var err error
		if l.Folders, err = c.Folders(ctx, refresh); err != nil {
			return err
		}
		l.Page, err = s.list(ctx, c, q, l)
		if err == nil && c.ChangedElsewhere() {
			// Flags or messages changed elsewhere: the cached unread
			// counts may be wrong.
			l.Folders, err = c.Folders(ctx, true)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// list fetches the page at q into l.
func (s *Service) list(ctx context.Context, c *mail.Conn, q ListQuery, l *List) (*webmail.Page, error) {
	v := mail.View{Sort: mail.SortKey(strings.TrimPrefix(q.Sort, "-")), Asc: q.Sort != "" && !strings.HasPrefix(q.Sort, "-")}
	if v.Sort == "arrival" {
		v.Sort = mail.SortArrival
	}
	if q.Search != "" {
		parsed, err := search.Parse(q.Search, s.now())
		if err != nil {
			l.SearchError = err.Error()
		} else if !parsed.IsZero() {
			v.Criteria = &parsed.Criteria
		}
	}
	if q.Threads && v.Criteria == nil && v.Sort == mail.SortArrival {
		tp, err := c.ListConversations(ctx, q.Mailbox, q.Page)
		if err != nil {
			return nil, err
		}
		l.Conversations, l.ConversationsCounted = tp.Conversations, !tp.Window
		return tp.Page, nil
	}
	page, err := c.ListView(ctx, q.Mailbox, q.Page, v)
	if err == nil && q.AllFolders && v.Criteria != nil {
		s.searchElsewhere(ctx, c, q.Mailbox, l, v)
	}
	if errors.Is(err, mail.ErrTooManyToSort) {
		l.SortNote = webmail.Say("SortTooLarge")
		v.Sort, v.Asc = mail.SortArrival, false
		page, err = c.ListView(ctx, q.Mailbox, q.Page, v)
	}
	return page, err
}

// searchElsewhere runs a search in the folders other than mailbox, a few
// matches each, in at most searchFolders folders.
func (s *Service) searchElsewhere(ctx context.Context, c *mail.Conn, mailbox string, l *List, v mail.View) {
	v.Rows, v.Sort, v.Asc = matchesPerFolder, mail.SortArrival, false
	n := 0
	for _, f := range l.Folders {
		if f.NoSelect || f.Name == mailbox {
			continue
		}
		if n++; n > searchFolders {
			l.SortNote = webmail.Say("SearchedFirstFolders", "Count", 100)
			break
		}
		page, err := c.ListView(ctx, f.Name, 1, v)
		if err != nil {
			if !errors.Is(err, mail.ErrNotFound) {
				s.log.Warn("search in folder failed", "err", err.Error())
			}
			continue
		}
		if len(page.Messages) > 0 {
			l.Elsewhere = append(l.Elsewhere, webmail.FolderMatches{Folder: f, Page: page})
		}
	}
}

// Neighbors finds the messages around ref as the person sees the list at
// q: the next older and the next newer one (0 where there is none).
func (s *Service) Neighbors(ctx context.Context, acct mail.Account, q ListQuery, ref webmail.MessageRef) (older, newer webmail.UID, err error) {
	err = s.pool.Do(ctx, acct, ref.Mailbox, func(c *mail.Conn) error {
		older, newer, err = s.neighbors(ctx, c, q, ref)
		return err
	})
	return older, newer, err
}

// neighbors is by UID in a plain folder (two cheap searches), or in the
// order of the page of a search or sort.
func (s *Service) neighbors(ctx context.Context, c *mail.Conn, q ListQuery, ref webmail.MessageRef) (older, newer webmail.UID, err error) {
	if q.plain() {
		return c.Neighbors(ctx, ref)
	}
	page, err := s.list(ctx, c, q, &List{})
	if err != nil {
		return 0, 0, err
	}
	for i, m := range page.Messages {
		if m.UID != ref.UID {
			continue
		}
		if i+1 < len(page.Messages) {
			older = page.Messages[i+1].UID
		}
		if i > 0 {
			newer = page.Messages[i-1].UID
		}
	}
	return older, newer, nil
}
