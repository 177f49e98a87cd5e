package app

import (
	"net/http"
	"strconv"
	"strings"
	"webmail"

	"webmail/app/usecase"
	"webmail/views"
)

// mailboxParam reads the {mailbox} path segment.
func mailboxParam(r *http.Request) (string, error) {
	m := r.PathValue("mailbox")
	if !webmail.ValidMailboxName(m) {
		return "", errorf(http.StatusNotFound, tr(r, "ErrNoFolder"), nil)
	}
	return m, nil
}

// folderParam reads the {folder} path segment: a folder's full name, the
// folder management routes' counterpart of {mailbox}.
func folderParam(r *http.Request) (string, error) {
	f := r.PathValue("folder")
	if !webmail.ValidMailboxName(f) {
		return "", errorf(http.StatusNotFound, tr(r, "ErrNoFolder"), nil)
	}
	return f, nil
}

// messageParam reads the message address {mailbox}/{validity}/{uid}.
func messageParam(r *http.Request) (webmail.MessageRef, error) {
	ref, err := webmail.NewMessageRef(r.PathValue("mailbox"), r.PathValue("validity"), r.PathValue("uid"))
	if err != nil {
		if !webmail.ValidMailboxName(r.PathValue("mailbox")) {
			return ref, errorf(http.StatusNotFound, tr(r, "ErrNoFolder"), nil)
		}
		return ref, errorf(http.StatusNotFound, tr(r, "ErrNoMessage"), nil)
	}
	return ref, nil
}

// sectionParam reads a MIME part path like "1.2".
func sectionParam(r *http.Request) ([]int, bool) {
	s := r.PathValue("section")
	if s == "" || len(s) > 64 {
		return nil, false
	}
	var path []int
	for _, f := range strings.Split(s, ".") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, false
		}
		path = append(path, n)
	}
	return path, true
}

// placeFrom reads where the person is in a folder: page, search, sort,
// from the URL, or from the form for a POST.
func placeFrom(r *http.Request, mailbox string) views.Place {
	get := r.URL.Query().Get
	if r.Method == http.MethodPost {
		get = r.PostFormValue
	}
	p := views.Place{Mailbox: mailbox, Page: 1, Query: strings.TrimSpace(get("q")), All: get("scope") == "all", Sort: get("sort"), Threads: get("threads") == "1", ThreadsOff: get("threads") == "0"}
	if n, err := strconv.Atoi(get("page")); err == nil && n > 1 {
		p.Page = n
	}
	switch strings.TrimPrefix(p.Sort, "-") {
	case "", "arrival", "date", "from", "to", "subject", "size":
	default:
		p.Sort = ""
	}
	if len(p.Query) > 500 {
		p.Query = p.Query[:500]
	}
	return p
}

// listQuery is the use case's view of a place, with as many messages a
// page as the person's settings ask.
func (a *App) listQuery(r *http.Request, p views.Place) usecase.ListQuery {
	return usecase.ListQuery{Mailbox: p.Mailbox, Page: p.Page, Search: p.Query, AllFolders: p.All, Sort: p.Sort, Threads: p.Threads, PageLen: a.settings(r).PageLen()}
}
