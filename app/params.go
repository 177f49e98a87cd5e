package app

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/emersion/go-imap/v2"

	"webmail/views"
)

// mailboxParam reads the {mailbox} path segment.
func mailboxParam(r *http.Request) (string, error) {
	m := r.PathValue("mailbox")
	if m == "" || len(m) > 1000 || strings.ContainsFunc(m, unicode.IsControl) {
		return "", errorf(http.StatusNotFound, "This folder does not exist.", nil)
	}
	return m, nil
}

// messageParams reads {mailbox}/{validity}/{uid}.
func messageParams(r *http.Request) (mailbox string, validity uint32, uid imap.UID, err error) {
	mailbox, err = mailboxParam(r)
	if err != nil {
		return "", 0, 0, err
	}
	v, err1 := strconv.ParseUint(r.PathValue("validity"), 10, 32)
	u, err2 := strconv.ParseUint(r.PathValue("uid"), 10, 32)
	if err1 != nil || err2 != nil || u == 0 {
		return "", 0, 0, errorf(http.StatusNotFound, "This message does not exist.", nil)
	}
	return mailbox, uint32(v), imap.UID(u), nil
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
	p := views.Place{Mailbox: mailbox, Page: 1, Query: strings.TrimSpace(get("q")), All: get("scope") == "all", Sort: get("sort"), Threads: get("threads") == "1"}
	if n, err := strconv.Atoi(get("page")); err == nil && n > 1 {
		p.Page = n
	}
	switch strings.TrimPrefix(p.Sort, "-") {
	case "", "arrival", "date", "from", "subject", "size":
	default:
		p.Sort = ""
	}
	if len(p.Query) > 500 {
		p.Query = p.Query[:500]
	}
	return p
}
